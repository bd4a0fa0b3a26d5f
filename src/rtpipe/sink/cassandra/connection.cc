#include "rtpipe/sink/cassandra/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <future>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/sink/cassandra/error.h"
#include "rtpipe/sink/cassandra/messages.h"

namespace rtpipe::cql {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kCompressAbove = 512;  // smaller bodies are not worth compressing
constexpr auto kExpiryScanInterval = std::chrono::milliseconds(50);

std::string Quote(std::string_view identifier) {
  std::string out = "\"";
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

Status ErrnoStatus(int err, std::string_view what, const std::string& address) {
  return Status::Unavailable("{} {}: {}", what, address, std::strerror(err));
}

}  // namespace

CqlConnection::CqlConnection(const ConnectionOptions& options)
    : options_(options), address_(fmt::format("{}:{}", options.host, options.port)) {
  const int streams = std::clamp(options_.max_streams, 1, 32768);
  slots_.resize(static_cast<size_t>(streams));
  free_streams_.reserve(static_cast<size_t>(streams));
  for (int i = streams - 1; i >= 0; --i) free_streams_.push_back(static_cast<int16_t>(i));
}

CqlConnection::~CqlConnection() {
  Close();
  if (io_thread_.joinable()) io_thread_.join();
  if (fd_ >= 0) ::close(fd_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

Result<std::shared_ptr<CqlConnection>> CqlConnection::Open(const ConnectionOptions& options) {
  std::shared_ptr<CqlConnection> conn(new CqlConnection(options));
  RTPIPE_RETURN_IF_ERROR(conn->Connect());
  {
    std::lock_guard lock(conn->mutex_);
    conn->open_ = true;
  }
  conn->alive_.store(true, std::memory_order_release);
  conn->io_thread_ = std::thread([c = conn.get()] {
    SetThreadName("cql-io");
    c->Run();
  });
  Status handshake = conn->Handshake();
  if (!handshake.ok()) {
    conn->Close(handshake);
    return handshake;
  }
  return conn;
}

Status CqlConnection::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options_.port);
  int rc = ::getaddrinfo(options_.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return Status::Unavailable("resolving Cassandra host {}: {}", options_.host, ::gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, ::freeaddrinfo);

  Status last = Status::Unavailable("no address for Cassandra host {}", address_);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = ErrnoStatus(errno, "creating a socket for", address_);
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 && errno != EINPROGRESS) {
      last = ErrnoStatus(errno, "connecting to Cassandra at", address_);
      ::close(fd);
      continue;
    }
    pollfd p{fd, POLLOUT, 0};
    int ready = ::poll(&p, 1, static_cast<int>(options_.connect_timeout.count()));
    int err = 0;
    socklen_t len = sizeof(err);
    if (ready == 0) {
      last = Status::Unavailable("connecting to Cassandra at {}: no answer within {} ms", address_,
                                 options_.connect_timeout.count());
      ::close(fd);
      continue;
    }
    if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
      last = ErrnoStatus(err != 0 ? err : errno, "connecting to Cassandra at", address_);
      ::close(fd);
      continue;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    int idle = 30, interval = 10, count = 3;  // a silently vanished peer is noticed within ~1 min
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));
    fd_ = fd;
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) return Status::FromErrno(errno, "eventfd");
    return Status::OK();
  }
  return last;
}

Status CqlConnection::Handshake() {
  const auto timeout = options_.connect_timeout;
  auto expect = [&](const Frame& f, std::string_view during) -> Status {
    if (f.header.opcode != Opcode::kError) return Status::OK();
    auto env = DecodeEnvelope(f.header, f.body);
    if (!env.ok()) return env.status();
    auto err = DecodeError(std::string_view(f.body).substr(env->message_offset));
    if (!err.ok()) return err.status();
    if (err->code == static_cast<int32_t>(ErrorCode::kProtocolError) &&
        err->message.find("version") != std::string::npos) {
      return Status::FailedPrecondition("Cassandra at {} refused native protocol v4 during {}: {}", address_, during,
                                        err->message);
    }
    return err->ToStatus(address_).WithContext(during);
  };
  auto message = [](const Frame& f) -> Result<std::string_view> {
    RTPIPE_ASSIGN_OR_RETURN(auto env, DecodeEnvelope(f.header, f.body));
    return std::string_view(f.body).substr(env.message_offset);
  };

  if (options_.compression) {
    RTPIPE_ASSIGN_OR_RETURN(Frame f, SendAndWait(Opcode::kOptions, "", timeout));
    RTPIPE_RETURN_IF_ERROR(expect(f, "OPTIONS"));
    if (f.header.opcode != Opcode::kSupported) {
      return Status::Internal("Cassandra at {} answered OPTIONS with {}", address_, OpcodeName(f.header.opcode));
    }
    RTPIPE_ASSIGN_OR_RETURN(auto body, message(f));
    RTPIPE_ASSIGN_OR_RETURN(supported_, DecodeSupported(body));
    const auto& algorithms = supported_["COMPRESSION"];
    if (std::find(algorithms.begin(), algorithms.end(), "lz4") == algorithms.end()) {
      return Status::FailedPrecondition("Cassandra at {} does not offer lz4 compression (offers: {})", address_,
                                        fmt::join(algorithms, ", "));
    }
  }

  RTPIPE_ASSIGN_OR_RETURN(Frame startup, SendAndWait(Opcode::kStartup, EncodeStartup(options_.compression), timeout));
  RTPIPE_RETURN_IF_ERROR(expect(startup, "STARTUP"));
  if (options_.compression) compress_requests_.store(true);
  if (startup.header.opcode == Opcode::kAuthenticate) {
    RTPIPE_ASSIGN_OR_RETURN(auto body, message(startup));
    RTPIPE_ASSIGN_OR_RETURN(std::string authenticator, DecodeAuthenticate(body));
    if (options_.user.empty()) {
      return Status::PermissionDenied(
          "Cassandra at {} requires authentication ({}), but no user/password is configured", address_, authenticator);
    }
    Frame reply;
    RTPIPE_ASSIGN_OR_RETURN(
        reply, SendAndWait(Opcode::kAuthResponse, EncodeAuthResponse(PlainSaslToken(options_.user, options_.password)),
                           timeout));
    if (reply.header.opcode == Opcode::kError) {
      Status failed = expect(reply, "authentication");
      return Status(StatusCode::kPermissionDenied,
                    fmt::format("Cassandra at {} rejected the credentials of user \"{}\" ({}): {}", address_,
                                options_.user, authenticator, failed.message()));
    }
    if (reply.header.opcode == Opcode::kAuthChallenge) {
      // SASL PLAIN has a single step; a challenge means another mechanism that we do not speak.
      return Status::PermissionDenied(
          "Cassandra at {} sent an AUTH_CHALLENGE after the PLAIN response ({}); only "
          "PasswordAuthenticator-style PLAIN authentication is supported",
          address_, authenticator);
    }
    if (reply.header.opcode != Opcode::kAuthSuccess) {
      return Status::Internal("Cassandra at {} answered AUTH_RESPONSE with {}", address_,
                              OpcodeName(reply.header.opcode));
    }
  } else if (startup.header.opcode != Opcode::kReady) {
    return Status::Internal("Cassandra at {} answered STARTUP with {}", address_, OpcodeName(startup.header.opcode));
  }

  if (!options_.keyspace.empty()) {
    QueryParams params;
    params.consistency = Consistency::kOne;
    RTPIPE_ASSIGN_OR_RETURN(
        Frame use, SendAndWait(Opcode::kQuery, EncodeQuery("USE " + Quote(options_.keyspace), {}, params), timeout));
    RTPIPE_RETURN_IF_ERROR(expect(use, fmt::format("USE {}", options_.keyspace)));
  }
  return Status::OK();
}

Status CqlConnection::Send(Opcode opcode, std::string_view body, MonoTime deadline, ResponseCallback done) {
  std::string compressed;
  uint8_t flags = 0;
  if (compress_requests_.load(std::memory_order_relaxed) && body.size() > kCompressAbove) {
    compressed = Lz4CompressBody(body);
    body = compressed;
    flags = frame_flags::kCompressed;
  }
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (!open_) return reason_.ok() ? Status::Unavailable("connection to {} is closed", address_) : reason_;
    if (free_streams_.empty()) {
      return Status::ResourceExhausted("all {} stream ids of the connection to {} are busy", slots_.size(), address_);
    }
    int16_t stream = free_streams_.back();
    free_streams_.pop_back();
    Slot& slot = slots_[static_cast<size_t>(stream)];
    slot.done = std::move(done);
    slot.deadline = deadline;
    slot.in_use = true;
    slot.orphaned = false;
    AppendRequestFrame(out_, stream, opcode, body, flags);
    in_flight_.fetch_add(1, std::memory_order_relaxed);
    if (!wake_pending_) {
      wake_pending_ = true;
      wake = true;
    }
  }
  if (wake) Wake();
  return Status::OK();
}

Result<Frame> CqlConnection::SendAndWait(Opcode opcode, std::string_view body, std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<Result<Frame>>>();
  auto future = promise->get_future();
  RTPIPE_RETURN_IF_ERROR(Send(opcode, body, Clock::System().Monotonic() + timeout,
                              [promise](Result<Frame> r) { promise->set_value(std::move(r)); }));
  // The I/O thread enforces the deadline, so the future always completes.
  return future.get();
}

void CqlConnection::Wake() {
  uint64_t one = 1;
  ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  (void)n;  // EAGAIN means a wake-up is already pending
}

void CqlConnection::Close(Status reason) {
  {
    std::lock_guard lock(mutex_);
    if (stop_requested_) return;
    stop_requested_ = true;
  }
  Fail(std::move(reason));
  if (wake_fd_ >= 0) Wake();
  if (io_thread_.joinable() && io_thread_.get_id() != std::this_thread::get_id()) io_thread_.join();
}

Status CqlConnection::close_reason() const {
  std::lock_guard lock(mutex_);
  return reason_;
}

void CqlConnection::Fail(Status reason) {
  std::vector<ResponseCallback> failed;
  {
    std::lock_guard lock(mutex_);
    if (open_) {
      open_ = false;
      reason_ = reason;
    }
    for (size_t i = 0; i < slots_.size(); ++i) {
      Slot& slot = slots_[i];
      if (!slot.in_use) continue;
      if (!slot.orphaned) failed.push_back(std::move(slot.done));
      slot = Slot{};
      free_streams_.push_back(static_cast<int16_t>(i));
    }
    orphans_ = 0;
    out_.clear();
  }
  alive_.store(false, std::memory_order_release);
  in_flight_.fetch_sub(static_cast<int>(failed.size()), std::memory_order_relaxed);
  if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);
  for (auto& done : failed) done(reason);
}

void CqlConnection::Run() {
  FrameAssembler assembler(options_.compression);
  std::string writing;
  size_t written = 0;
  MonoTime next_scan = Clock::System().Monotonic() + kExpiryScanInterval;
  auto log = GetLogger("cassandra");

  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_ || !open_) break;
      if (written == writing.size() && !out_.empty()) {
        writing.swap(out_);
        out_.clear();
        written = 0;
      }
      wake_pending_ = false;
    }
    if (written < writing.size()) {
      ssize_t n = ::send(fd_, writing.data() + written, writing.size() - written, MSG_NOSIGNAL);
      if (n > 0) {
        written += static_cast<size_t>(n);
      } else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        Fail(ErrnoStatus(errno, "writing to Cassandra at", address_));
        break;
      }
      if (written == writing.size()) {
        writing.clear();
        written = 0;
        continue;  // more may have been queued meanwhile
      }
    }

    pollfd fds[2] = {{fd_, static_cast<short>(POLLIN | (written < writing.size() ? POLLOUT : 0)), 0},
                     {wake_fd_, POLLIN, 0}};
    int timeout_ms = in_flight() > 0 ? static_cast<int>(kExpiryScanInterval.count()) : 1000;
    int ready = ::poll(fds, 2, timeout_ms);
    if (ready < 0 && errno != EINTR) {
      Fail(ErrnoStatus(errno, "polling the connection to", address_));
      break;
    }
    if (fds[1].revents & POLLIN) {
      uint64_t drained = 0;
      ssize_t n = ::read(wake_fd_, &drained, sizeof(drained));
      (void)n;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Read everything available; frames are dispatched as they complete.
      char* buf = assembler.Reserve(kReadChunk);
      ssize_t n = ::recv(fd_, buf, kReadChunk, 0);
      if (n == 0) {
        assembler.Commit(0);
        Fail(Status::Unavailable("Cassandra at {} closed the connection", address_));
        break;
      }
      if (n < 0) {
        assembler.Commit(0);
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          Fail(ErrnoStatus(errno, "reading from Cassandra at", address_));
          break;
        }
      } else {
        assembler.Commit(static_cast<size_t>(n));
      }
      for (;;) {
        Frame frame;
        auto got = assembler.Next(&frame);
        if (!got.ok()) {
          log->error("protocol violation on the connection to {}: {}", address_, got.status().message());
          Fail(got.status().WithContext(fmt::format("connection to {}", address_)));
          break;
        }
        if (!*got) break;
        if (frame.header.stream < 0) {
          log->debug("server event from {} ignored ({} bytes)", address_, frame.body.size());
          continue;
        }
        ResponseCallback done;
        {
          std::lock_guard lock(mutex_);
          auto index = static_cast<size_t>(frame.header.stream);
          if (index >= slots_.size() || !slots_[index].in_use) {
            log->error("Cassandra at {} answered on stream {}, which has no request in flight", address_,
                       frame.header.stream);
            continue;
          }
          Slot& slot = slots_[index];
          if (slot.orphaned) {
            --orphans_;
          } else {
            done = std::move(slot.done);
            in_flight_.fetch_sub(1, std::memory_order_relaxed);
          }
          slot = Slot{};
          free_streams_.push_back(frame.header.stream);
        }
        if (done) done(std::move(frame));
      }
      if (!alive()) break;
    }
    MonoTime now = Clock::System().Monotonic();
    if (now >= next_scan) {
      ExpireRequests(now);
      next_scan = now + kExpiryScanInterval;
      if (!alive()) break;
    }
  }
}

void CqlConnection::ExpireRequests(MonoTime now) {
  std::vector<ResponseCallback> expired;
  bool defunct = false;
  {
    std::lock_guard lock(mutex_);
    for (auto& slot : slots_) {
      if (!slot.in_use || slot.orphaned || slot.deadline > now) continue;
      expired.push_back(std::move(slot.done));
      slot.done = nullptr;
      slot.orphaned = true;
      ++orphans_;
    }
    defunct = orphans_ > static_cast<int>(slots_.size() / 4);
  }
  in_flight_.fetch_sub(static_cast<int>(expired.size()), std::memory_order_relaxed);
  for (auto& done : expired) {
    done(Status::Timeout("no response from Cassandra at {} before the request deadline", address_));
  }
  if (defunct) {
    Fail(Status::Unavailable("connection to Cassandra at {} is defunct: too many requests timed out", address_));
  }
}

}  // namespace rtpipe::cql
