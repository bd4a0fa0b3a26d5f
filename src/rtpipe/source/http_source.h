#pragma once
// HttpSource: the randomuser.me API (source.url, e.g. https://randomuser.me/api/1.4/) or anything
// that speaks it (`rtpipe mock-api`), over libcurl.
//
// One keep-alive connection is reused across requests. Each request has a connect timeout and a
// whole-request timeout (source.connect_timeout, source.request_timeout). Faults are retried with
// exponential backoff and jitter: HTTP 429 (waiting at least its Retry-After, in seconds or as an
// HTTP date), HTTP 5xx, timeouts, connection failures, a 200 whose `results` is empty or shorter
// than asked, the API's {"error": ...} body, and a body that is not a response. Other HTTP
// statuses (404, 400, ...) and a malformed URL fail at once. A stop request aborts a transfer in
// progress and a retry wait immediately.
//
// Event time: the wall-clock time the response arrived (event_time_step 0).
// Paging: the API serves pages 1..10000 of a seed; past page 10000 the source continues with the
// seed "<seed>.2" (then ".3", ...), page 1.

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "rtpipe/source/source.h"

namespace rtpipe {

class HttpSource final : public Source {
 public:
  static Result<std::unique_ptr<HttpSource>> Create(const SourceConfig& config, const Clock& clock);
  ~HttpSource() override;
  HttpSource(const HttpSource&) = delete;
  HttpSource& operator=(const HttpSource&) = delete;

  Result<SourceBatch> Fetch(const SourcePosition& position, int max_users, std::stop_token stop) override;
  const SourceMetrics& metrics() const override { return metrics_; }

  /// A page as the API sent it, after the same retries as Fetch.
  struct Page {
    std::string body;   // the raw response body
    Response response;  // parsed; holds at least the users asked for
    int attempts = 1;
    Timestamp received;  // when the successful response arrived
  };
  /// Requests page `position.page` of `position.seed` (no seed/page parameters when the seed is
  /// empty) and retries until the response holds at least `min_records` users.
  Result<Page> FetchPage(const SourcePosition& position, size_t min_records, std::stop_token stop);

  /// The URL of a request for `position`: source.url plus results, seed, page and nat.
  std::string UrlFor(const SourcePosition& position) const;

  /// The seed that continues `seed` after its page 10000: "s" -> "s.2" -> "s.3" ...
  static std::string RolloverSeed(const std::string& seed);

 private:
  struct Handles;
  struct Reply;
  HttpSource(const SourceConfig& config, const Clock& clock, std::unique_ptr<Handles> handles);
  // One HTTP GET; fails only for transport errors and Cancelled.
  Result<Reply> Get(const std::string& url, std::stop_token stop);
  // Positions past the API's last page continue on the rollover seed.
  static SourcePosition WithinApiPages(SourcePosition p);

  const SourceConfig config_;
  const Clock& clock_;
  std::unique_ptr<Handles> handles_;
  SourceMetrics metrics_;
  std::vector<User> users_;  // the users of the response last parsed, where its records' `parsed` point
};

}  // namespace rtpipe
