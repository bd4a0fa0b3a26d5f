#include "rtpipe/source/http_source.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <optional>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"

namespace rtpipe {

using std::chrono::milliseconds;

struct HttpSource::Handles {
  CURL* easy = nullptr;
  CURLM* multi = nullptr;
  ~Handles() {
    if (multi != nullptr && easy != nullptr) curl_multi_remove_handle(multi, easy);
    if (easy != nullptr) curl_easy_cleanup(easy);
    if (multi != nullptr) curl_multi_cleanup(multi);
  }
};

struct HttpSource::Reply {
  long status = 0;  // NOLINT(google-runtime-int): libcurl's type
  std::string body;
  std::optional<std::string> retry_after;
};

namespace {

// What the body and header callbacks write into.
struct Transfer {
  std::string* body;
  std::optional<std::string>* retry_after;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  t->body->append(data, size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) t->retry_after->reset();  // a new response (after a redirect)
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match = static_cast<char>(std::tolower(static_cast<unsigned char>(line[i]))) == kName[i];
    }
    if (match) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
        value.remove_suffix(1);
      }
      t->retry_after->emplace(value);
    }
  }
  return size * count;
}

// Retry-After as a delay: delta-seconds or an HTTP date.
std::optional<milliseconds> RetryAfterDelay(const std::string& value, Timestamp now) {
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size() && seconds >= 0) return milliseconds(seconds * 1000);
  time_t when = curl_getdate(value.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  int64_t delta = static_cast<int64_t>(when) * 1000 - ToMillis(now);
  return milliseconds(std::max<int64_t>(delta, 0));
}

std::string Snippet(std::string_view body) {
  std::string s(body.substr(0, 200));
  std::replace(s.begin(), s.end(), '\n', ' ');
  return body.size() > 200 ? s + "..." : s;
}

}  // namespace

Result<std::unique_ptr<HttpSource>> HttpSource::Create(const SourceConfig& config, const Clock& clock) {
  static std::once_flag curl_init;
  static CURLcode init_result = CURLE_OK;
  std::call_once(curl_init, [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) {
    return Status::Internal("libcurl initialisation failed: {}", curl_easy_strerror(init_result));
  }
  auto handles = std::make_unique<Handles>();
  handles->easy = curl_easy_init();
  handles->multi = curl_multi_init();
  if (handles->easy == nullptr || handles->multi == nullptr) return Status::Internal("libcurl: out of memory");
  CURL* e = handles->easy;
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(config.connect_timeout.count()));  // NOLINT
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(config.request_timeout.count()));         // NOLINT
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip/deflate/br as the server offers
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "rtpipe/" RTPIPE_VERSION);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, OnHeader);
  return std::unique_ptr<HttpSource>(new HttpSource(config, clock, std::move(handles)));
}

HttpSource::HttpSource(const SourceConfig& config, const Clock& clock, std::unique_ptr<Handles> handles)
    : config_(config), clock_(clock), handles_(std::move(handles)) {}

HttpSource::~HttpSource() = default;

std::string HttpSource::RolloverSeed(const std::string& seed) {
  std::string base = seed;
  int64_t n = 1;
  if (size_t dot = seed.rfind('.'); dot != std::string::npos && dot + 1 < seed.size()) {
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(seed.data() + dot + 1, seed.data() + seed.size(), parsed);
    if (ec == std::errc() && end == seed.data() + seed.size() && parsed >= 2) {
      base = seed.substr(0, dot);
      n = parsed;
    }
  }
  std::string next = fmt::format("{}.{}", base, n + 1);
  // The API reads the last two characters of an 18-character seed as a nationality.
  if (next.size() == 18) next = fmt::format("{}.0{}", base, n + 1);
  return next;
}

SourcePosition HttpSource::WithinApiPages(SourcePosition p) {
  while (!p.seed.empty() && p.page > kMaxApiPage) {
    p.page -= kMaxApiPage;
    p.seed = RolloverSeed(p.seed);
  }
  return p;
}

std::string HttpSource::UrlFor(const SourcePosition& position) const {
  std::string url = config_.url;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += fmt::format("results={}", config_.results);
  if (!position.seed.empty()) {
    char* seed = curl_easy_escape(handles_->easy, position.seed.data(), static_cast<int>(position.seed.size()));
    url += fmt::format("&seed={}&page={}", seed != nullptr ? seed : "", position.page);
    curl_free(seed);
  }
  if (!config_.nat.empty()) url += "&nat=" + config_.nat;
  return url;
}

Result<HttpSource::Reply> HttpSource::Get(const std::string& url, std::stop_token stop) {
  CURL* e = handles_->easy;
  CURLM* m = handles_->multi;
  Reply reply;
  Transfer transfer{&reply.body, &reply.retry_after};
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &transfer);
  if (CURLMcode mc = curl_multi_add_handle(m, e); mc != CURLM_OK) {
    return Status::Internal("libcurl: {}", curl_multi_strerror(mc));
  }
  // A stop request wakes the poll below at once, mid-transfer or mid-connect.
  std::stop_callback wake(stop, [m] { curl_multi_wakeup(m); });
  std::optional<CURLcode> result;
  while (!result) {
    int running = 0;
    if (CURLMcode mc = curl_multi_perform(m, &running); mc != CURLM_OK) {
      curl_multi_remove_handle(m, e);
      return Status::Internal("libcurl: {}", curl_multi_strerror(mc));
    }
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(m, &queued)) {
      if (msg->msg == CURLMSG_DONE) result = msg->data.result;
    }
    if (result) break;
    if (stop.stop_requested()) {
      curl_multi_remove_handle(m, e);
      return Status::Cancelled("source stopped during a request");
    }
    curl_multi_poll(m, nullptr, 0, 1000, nullptr);
  }
  curl_multi_remove_handle(m, e);
  metrics_.bytes.Add(reply.body.size());
  if (*result != CURLE_OK) {
    const char* what = curl_easy_strerror(*result);
    switch (*result) {
      case CURLE_OPERATION_TIMEDOUT:
        return Status::Timeout("{}", what);
      case CURLE_COULDNT_RESOLVE_HOST:
      case CURLE_COULDNT_RESOLVE_PROXY:
      case CURLE_COULDNT_CONNECT:
      case CURLE_SSL_CONNECT_ERROR:
        return Status::Unavailable("cannot connect: {}", what);
      case CURLE_URL_MALFORMAT:
      case CURLE_UNSUPPORTED_PROTOCOL:
        return Status::InvalidArgument("bad source.url \"{}\": {}", url, what);
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CERTPROBLEM:
        return Status::PermissionDenied("TLS: {}", what);
      default:
        return Status::Internal("{}", what);  // the server broke the exchange
    }
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

Result<HttpSource::Page> HttpSource::FetchPage(const SourcePosition& position, size_t min_records,
                                               std::stop_token stop) {
  const std::string url = UrlFor(position);
  Backoff backoff(BackoffPolicy{config_.backoff_initial, config_.backoff_max, 2.0});
  auto log = GetLogger("source");
  for (int attempt = 1;; ++attempt) {
    if (stop.stop_requested()) return Status::Cancelled("source stopped");
    metrics_.requests.Add();
    Status fault;
    std::optional<milliseconds> retry_after;
    auto reply = Get(url, stop);
    if (!reply.ok()) {
      const Status& s = reply.status();
      switch (s.code()) {
        case StatusCode::kCancelled:
        case StatusCode::kInvalidArgument:
        case StatusCode::kPermissionDenied:
          return s;
        case StatusCode::kTimeout:
          metrics_.timeouts.Add();
          break;
        case StatusCode::kUnavailable:
          metrics_.connect_errors.Add();
          break;
        default:
          metrics_.server_errors.Add();
          break;
      }
      fault = Status(s.code() == StatusCode::kTimeout ? StatusCode::kTimeout : StatusCode::kUnavailable, s.message());
    } else if (reply->status == 429) {
      metrics_.rate_limited.Add();
      if (reply->retry_after) retry_after = RetryAfterDelay(*reply->retry_after, clock_.Now());
      fault = Status::ResourceExhausted("rate limited (HTTP 429): {}", Snippet(reply->body));
    } else if (reply->status >= 500) {
      metrics_.server_errors.Add();
      if (reply->retry_after) retry_after = RetryAfterDelay(*reply->retry_after, clock_.Now());
      fault = Status::Unavailable("HTTP {}: {}", reply->status, Snippet(reply->body));
    } else if (reply->status == 408) {
      metrics_.timeouts.Add();
      fault = Status::Timeout("HTTP 408 request timeout");
    } else if (reply->status != 200) {
      return Status::FailedPrecondition("HTTP {} from {}: {}", reply->status, url, Snippet(reply->body));
    } else {
      // Parsed where it is: padded for the parse (mostly within the body's capacity), then trimmed.
      const size_t size = reply->body.size();
      reply->body.append(kJsonPadding, '\0');
      auto response = ParsePaddedResponse(std::string_view(reply->body).substr(0, size), users_);
      reply->body.resize(size);
      if (!response.ok()) {
        metrics_.error_bodies.Add();
        fault = Status::Unavailable("{}", response.status().message());
      } else if (response->records.size() < min_records) {
        metrics_.empty_results.Add();
        fault =
            Status::Unavailable("the API returned {} of the {} users asked for", response->records.size(), min_records);
      } else {
        return Page{std::move(reply->body), std::move(*response), attempt, clock_.Now()};
      }
    }
    if (config_.max_attempts > 0 && attempt >= config_.max_attempts) {
      return fault.WithContext(fmt::format("{} failed {} times, giving up", url, attempt));
    }
    milliseconds delay = backoff.Next();
    if (retry_after) delay = std::max(delay, *retry_after);
    log->warn("request {} failed ({}); retrying in {} (attempt {} of {})", url, fault.ToString(), FormatDuration(delay),
              attempt + 1, config_.max_attempts > 0 ? std::to_string(config_.max_attempts) : std::string("unlimited"));
    metrics_.retries.Add();
    if (!SleepFor(delay, stop)) return Status::Cancelled("source stopped while waiting to retry");
  }
}

Result<SourceBatch> HttpSource::Fetch(const SourcePosition& position, int max_users, std::stop_token stop) {
  if (max_users < 1) return Status::InvalidArgument("Fetch: max_users must be at least 1, got {}", max_users);
  const int results = std::clamp(config_.results, 1, 5000);
  const bool paged = !position.seed.empty();
  const SourcePosition at = paged ? WithinApiPages(Normalize(position, results)) : SourcePosition{"", 1, 0};
  const int count = paged ? std::min(max_users, results - at.skip) : std::min(max_users, results);
  const size_t needed = static_cast<size_t>(paged ? at.skip + count : count);
  RTPIPE_ASSIGN_OR_RETURN(Page page, FetchPage(at, needed, stop));

  SourceBatch batch;
  auto& records = page.response.records;
  const size_t first = paged ? static_cast<size_t>(at.skip) : 0;
  batch.records.assign(std::make_move_iterator(records.begin() + static_cast<ptrdiff_t>(first)),
                       std::make_move_iterator(records.begin() + static_cast<ptrdiff_t>(first + count)));
  if (paged) {
    batch.position = at;
    batch.next = WithinApiPages(Advance(at, count, results));
  } else {
    const auto& info = page.response.info;
    batch.position = info ? SourcePosition{info->seed, info->page, 0} : SourcePosition{"", 1, 0};
    batch.next = {"", 1, 0};
  }
  batch.first_event_time = page.received;
  batch.attempts = page.attempts;
  metrics_.records.Add(batch.records.size());
  return batch;
}

}  // namespace rtpipe
