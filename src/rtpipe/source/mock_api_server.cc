#include "rtpipe/source/mock_api_server.h"

#include <fmt/format.h>
#include <httplib.h>
#include <sys/socket.h>

#include <ctime>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

constexpr std::string_view kErrorBody =
    R"({"error":"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."})";

std::string HttpDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string_view FaultName(int f) {
  static constexpr std::string_view kNames[] = {"none", "rate_limit", "unavailable", "empty", "error", "slow"};
  return kNames[f];
}

}  // namespace

MockApiServer::MockApiServer(MockApiOptions options)
    : options_(std::move(options)), server_(std::make_unique<httplib::Server>()) {}

MockApiServer::~MockApiServer() { Stop(); }

std::string MockApiServer::url() const { return fmt::format("http://{}:{}/api/1.4/", options_.host, port_); }

MockApiServer::Fault MockApiServer::FaultFor(uint64_t n) const {
  const std::pair<int, Fault> first[] = {{options_.rate_limit_first, Fault::kRateLimit},
                                         {options_.unavailable_first, Fault::kUnavailable},
                                         {options_.empty_first, Fault::kEmpty},
                                         {options_.error_first, Fault::kError},
                                         {options_.slow_first, Fault::kSlow}};
  uint64_t end = 0;
  for (const auto& [count, fault] : first) {
    end += static_cast<uint64_t>(std::max(count, 0));
    if (n <= end) return fault;
  }
  const std::pair<int, Fault> every[] = {{options_.rate_limit_every, Fault::kRateLimit},
                                         {options_.unavailable_every, Fault::kUnavailable},
                                         {options_.empty_every, Fault::kEmpty},
                                         {options_.error_every, Fault::kError},
                                         {options_.slow_every, Fault::kSlow}};
  for (const auto& [period, fault] : every) {
    if (period > 0 && n % static_cast<uint64_t>(period) == 0) return fault;
  }
  return Fault::kNone;
}

void MockApiServer::Route() {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    const uint64_t n = ++requests_;
    const Fault fault = FaultFor(n);
    GeneratorRequest request = RequestFromQuery([&req](std::string_view name) -> std::optional<std::string> {
      std::string key(name);
      size_t count = req.get_param_value_count(key.c_str());
      if (count == 0) return std::nullopt;
      return req.get_param_value(key.c_str(), count - 1);  // the API takes the last of repeated parameters
    });
    auto retry_after = [&] {
      if (options_.retry_after_seconds < 0) return;
      if (options_.retry_after_date) {
        res.set_header("Retry-After",
                       HttpDate(std::chrono::system_clock::now() + std::chrono::seconds(options_.retry_after_seconds)));
      } else {
        res.set_header("Retry-After", std::to_string(options_.retry_after_seconds));
      }
    };
    switch (fault) {
      case Fault::kRateLimit: {
        res.status = 429;
        retry_after();
        uint64_t users = users_served_.load() + static_cast<uint64_t>(request.results);
        res.set_content(fmt::format(R"x({{"error":"Whoa, ease up there cowboy. You've requested {} users in the last )x"
                                    R"x(minute. Help us keep this service free and spare some bandwidth for other )x"
                                    R"x(users please :)"}})x",
                                    users),
                        "application/json");
        break;
      }
      case Fault::kUnavailable:
        res.status = 503;
        retry_after();
        res.set_content("Service Unavailable", "text/plain");
        break;
      case Fault::kEmpty: {
        GeneratorRequest empty = request;
        empty.results = 0;
        std::string body = Generator().Response(empty);
        // Keep the `results` count the client asked for in `info`, as the API does in this outage.
        if (!request.noinfo) {
          size_t at = body.find("\"results\":0,");
          if (at != std::string::npos) body.replace(at, 12, fmt::format("\"results\":{},", request.results));
        }
        res.set_content(body, "application/json");
        break;
      }
      case Fault::kError:
        res.set_content(std::string(kErrorBody), "application/json");
        break;
      case Fault::kSlow:
        if (!SleepFor(options_.slow_delay, stop_.get_token())) {
          res.status = 503;
          res.set_content("shutting down", "text/plain");
          break;
        }
        [[fallthrough]];
      case Fault::kNone:
        users_served_ += static_cast<uint64_t>(request.results);
        res.set_content(Generator(options_.bad_rate).Response(request), "application/json");
        break;
    }
    GetLogger("mock-api")
        ->debug("#{} {} {} -> {} ({} bytes, fault {})", n, req.method, req.target, res.status, res.body.size(),
                FaultName(static_cast<int>(fault)));
  };
  server_->Get(R"(/api/?)", handler);
  server_->Get(R"(/api/1\.4/?)", handler);
}

Status MockApiServer::Start() {
  if (thread_.joinable()) return Status::FailedPrecondition("mock API server already started");
  Route();
  server_->set_keep_alive_timeout(1);
  // httplib's default also sets SO_REUSEPORT, which would let a second server share the port.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.host);
    if (port_ < 0) return Status::IoError("mock API: cannot bind {} on any port", options_.host);
  } else {
    if (!server_->bind_to_port(options_.host, options_.port)) {
      return Status::IoError("mock API: cannot bind {}:{} (in use? try --port 0)", options_.host, options_.port);
    }
    port_ = options_.port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // Until listen_after_bind runs, httplib's stop() would be ignored: wait for it.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return Status::OK();
}

void MockApiServer::Stop() {
  stop_.request_stop();
  if (thread_.joinable()) {
    server_->stop();
    thread_.join();
  }
}

}  // namespace rtpipe
