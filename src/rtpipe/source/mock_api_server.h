#pragma once
// MockApiServer: the generator served over HTTP with the randomuser.me API's paths and query
// parameters, plus fault injection that tests can make deterministic. Used by `rtpipe mock-api`
// and in-process by tests.
//
// Paths: /api/ and /api/1.4/ (with or without the trailing slash), same output. Responses are
// whole bodies from Generator::Response (Content-Type: application/json), so `--bad-rate` never
// injects `malformed` records there (see generator.h).
//
// Fault script: requests are numbered from 1 in arrival order. The `*_first` counts are consumed
// one after the other in this order: rate_limit, unavailable, empty, error, slow. For example
// rate_limit_first=2, unavailable_first=1 answers requests 1 and 2 with 429 and request 3 with
// 503; later requests are served normally. Then `*_every` = N answers every Nth request (N, 2N, ...)
// with that fault (first match in the same order).
//  - rate_limit: HTTP 429 with the API's own body and a Retry-After header (seconds or HTTP date).
//  - unavailable: HTTP 503 "Service Unavailable" (with the same Retry-After header).
//  - empty: HTTP 200 with `"results":[]` and a normal `info` block (the API's outage behaviour).
//  - error: HTTP 200 with the API's {"error": "Uh oh, something has gone wrong. ..."} body.
//  - slow: the normal response, sent after `slow_delay`.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "rtpipe/base/status.h"

namespace httplib {
class Server;
}

namespace rtpipe {

struct MockApiOptions {
  std::string host = "127.0.0.1";
  int port = 8088;  // 0 = any free port (see MockApiServer::port())
  double bad_rate = 0.0;

  int rate_limit_first = 0, rate_limit_every = 0;
  int unavailable_first = 0, unavailable_every = 0;
  int empty_first = 0, empty_every = 0;
  int error_first = 0, error_every = 0;
  int slow_first = 0, slow_every = 0;
  std::chrono::milliseconds slow_delay{2000};
  int retry_after_seconds = 1;    // on 429 and 503; negative: no Retry-After header
  bool retry_after_date = false;  // send Retry-After as an HTTP date (now + seconds) instead
};

/// Non-copyable service: Start() binds and serves on a background thread pool, Stop() ends it.
class MockApiServer {
 public:
  explicit MockApiServer(MockApiOptions options);
  ~MockApiServer();
  MockApiServer(const MockApiServer&) = delete;
  MockApiServer& operator=(const MockApiServer&) = delete;

  /// Binds host:port (port 0: any free port) and starts serving.
  Status Start();
  /// Stops serving; interrupts slow responses. Idempotent.
  void Stop();

  /// The bound port (after Start).
  int port() const { return port_; }
  /// "http://127.0.0.1:PORT/api/1.4/".
  std::string url() const;
  /// Requests received so far (faulted ones included).
  uint64_t requests() const { return requests_.load(); }

 private:
  enum class Fault { kNone, kRateLimit, kUnavailable, kEmpty, kError, kSlow };
  Fault FaultFor(uint64_t n) const;
  void Route();

  const MockApiOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::stop_source stop_;
  int port_ = 0;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> users_served_{0};
};

}  // namespace rtpipe
