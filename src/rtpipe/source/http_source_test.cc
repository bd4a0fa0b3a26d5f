// HttpSource against an in-process MockApiServer on 127.0.0.1, one injected fault at a time.

#include "rtpipe/source/http_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <regex>
#include <thread>

#include "rtpipe/source/generator.h"
#include "rtpipe/source/mock_api_server.h"

namespace rtpipe {
namespace {

using std::chrono::milliseconds;
using Clock_ = std::chrono::steady_clock;
using ::testing::HasSubstr;

class HttpSourceTest : public ::testing::Test {
 protected:
  // Starts the mock API with `options` on a free port and a source pointed at it.
  void Start(MockApiOptions options, int results = 5) {
    options.host = "127.0.0.1";
    options.port = 0;
    server_ = std::make_unique<MockApiServer>(options);
    ASSERT_TRUE(server_->Start().ok());
    config_.url = server_->url();
    config_.results = results;
    config_.backoff_initial = milliseconds(10);
    config_.backoff_max = milliseconds(40);
    config_.connect_timeout = milliseconds(1000);
    config_.request_timeout = milliseconds(3000);
    config_.max_attempts = 0;
    MakeSourceNow();
  }
  void MakeSourceNow() {
    auto source = HttpSource::Create(config_, Clock::System());
    ASSERT_TRUE(source.ok()) << source.status();
    source_ = std::move(*source);
  }

  static std::vector<std::string> GeneratorPage(const std::string& seed, int64_t page, int results) {
    GeneratorRequest r;
    r.seed = seed;
    r.page = page;
    r.results = results;
    auto response = ParseResponse(Generator().Response(r));
    EXPECT_TRUE(response.ok());
    std::vector<std::string> raws;
    for (auto& record : response->records) raws.push_back(record.raw);
    return raws;
  }
  static std::vector<std::string> Raws(const SourceBatch& b) {
    std::vector<std::string> raws;
    for (const auto& r : b.records) raws.push_back(r.raw);
    return raws;
  }

  // Fetches a whole page and checks it equals the generator's.
  void ExpectWholePage(int expected_attempts) {
    auto batch = source_->Fetch({"faults", 2, 0}, config_.results, {});
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(Raws(*batch), GeneratorPage("faults", 2, config_.results));
    for (const auto& r : batch->records) {
      auto user = ParseUser(r.raw);
      ASSERT_TRUE(user.ok()) << r.raw;
      // Read while the response was split (model/user.h SourceRecord::parsed), as ParseUser reads it.
      ASSERT_NE(r.parsed, nullptr) << r.raw;
      EXPECT_EQ(*r.parsed, *user) << r.raw;
    }
    EXPECT_EQ(batch->attempts, expected_attempts);
    EXPECT_EQ(batch->next, (SourcePosition{"faults", 3, 0}));
    const SourceMetrics& m = source_->metrics();
    EXPECT_EQ(m.requests.value(), static_cast<uint64_t>(expected_attempts));
    EXPECT_EQ(m.retries.value(), static_cast<uint64_t>(expected_attempts - 1));
    EXPECT_EQ(m.records.value(), static_cast<uint64_t>(config_.results));
    EXPECT_EQ(server_->requests(), static_cast<uint64_t>(expected_attempts));
  }

  SourceConfig config_;
  std::unique_ptr<MockApiServer> server_;
  std::unique_ptr<HttpSource> source_;
};

TEST_F(HttpSourceTest, NoFaults) {
  Start({});
  ExpectWholePage(1);
  EXPECT_GT(source_->metrics().bytes.value(), 5000u);
  EXPECT_EQ(source_->metrics().rate_limited.value() + source_->metrics().server_errors.value() +
                source_->metrics().timeouts.value() + source_->metrics().empty_results.value() +
                source_->metrics().error_bodies.value() + source_->metrics().connect_errors.value(),
            0u);
}

TEST_F(HttpSourceTest, PartialFetchesAcrossPagesLoseAndRepeatNothing) {
  MockApiOptions options;
  options.unavailable_every = 2;  // every other request fails
  options.retry_after_seconds = -1;
  Start(options);
  SourcePosition at{"pages", 1, 0};
  std::vector<std::string> got;
  while (at.page <= 3) {
    auto batch = source_->Fetch(at, 3, {});
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->position, at);
    for (auto& raw : Raws(*batch)) got.push_back(raw);
    at = batch->next;
  }
  std::vector<std::string> expected;
  for (int64_t page = 1; page <= 3; ++page) {
    for (auto& raw : GeneratorPage("pages", page, 5)) expected.push_back(raw);
  }
  EXPECT_EQ(got, expected);
  EXPECT_GT(source_->metrics().server_errors.value(), 0u);
}

TEST_F(HttpSourceTest, RateLimitedHonoursRetryAfterSeconds) {
  MockApiOptions options;
  options.rate_limit_first = 1;
  options.retry_after_seconds = 1;
  Start(options);
  auto start = Clock_::now();
  ExpectWholePage(2);
  EXPECT_GE(Clock_::now() - start, milliseconds(950));
  EXPECT_EQ(source_->metrics().rate_limited.value(), 1u);
}

TEST_F(HttpSourceTest, RateLimitedHonoursRetryAfterHttpDate) {
  MockApiOptions options;
  options.rate_limit_first = 1;
  options.retry_after_seconds = 2;
  options.retry_after_date = true;  // whole seconds: the wait is between 1 and 2 s
  Start(options);
  auto start = Clock_::now();
  ExpectWholePage(2);
  EXPECT_GE(Clock_::now() - start, milliseconds(900));
  EXPECT_EQ(source_->metrics().rate_limited.value(), 1u);
}

TEST_F(HttpSourceTest, ServiceUnavailable) {
  MockApiOptions options;
  options.unavailable_first = 3;
  options.retry_after_seconds = -1;
  Start(options);
  ExpectWholePage(4);
  EXPECT_EQ(source_->metrics().server_errors.value(), 3u);
}

TEST_F(HttpSourceTest, EmptyResults) {
  MockApiOptions options;
  options.empty_first = 2;
  Start(options);
  ExpectWholePage(3);
  EXPECT_EQ(source_->metrics().empty_results.value(), 2u);
}

TEST_F(HttpSourceTest, ApiErrorBody) {
  MockApiOptions options;
  options.error_first = 2;
  Start(options);
  ExpectWholePage(3);
  EXPECT_EQ(source_->metrics().error_bodies.value(), 2u);
}

TEST_F(HttpSourceTest, SlowResponseTimesOutAndIsRetried) {
  MockApiOptions options;
  options.slow_first = 1;
  options.slow_delay = milliseconds(3000);
  Start(options);
  config_.request_timeout = milliseconds(300);
  MakeSourceNow();
  auto start = Clock_::now();
  ExpectWholePage(2);
  EXPECT_LT(Clock_::now() - start, milliseconds(2500));
  EXPECT_EQ(source_->metrics().timeouts.value(), 1u);
}

TEST_F(HttpSourceTest, EveryFaultInTurn) {
  MockApiOptions options;
  options.rate_limit_first = 1;
  options.unavailable_first = 1;
  options.empty_first = 1;
  options.error_first = 1;
  options.slow_first = 1;
  options.retry_after_seconds = 0;
  options.slow_delay = milliseconds(2000);
  Start(options);
  config_.request_timeout = milliseconds(300);
  MakeSourceNow();
  ExpectWholePage(6);
  const SourceMetrics& m = source_->metrics();
  EXPECT_EQ(m.rate_limited.value(), 1u);
  EXPECT_EQ(m.server_errors.value(), 1u);
  EXPECT_EQ(m.empty_results.value(), 1u);
  EXPECT_EQ(m.error_bodies.value(), 1u);
  EXPECT_EQ(m.timeouts.value(), 1u);
}

TEST_F(HttpSourceTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  MockApiOptions options;
  options.unavailable_first = 100;
  options.retry_after_seconds = -1;
  Start(options);
  config_.max_attempts = 3;
  MakeSourceNow();
  auto batch = source_->Fetch({"faults", 1, 0}, 5, {});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(batch.status().message(), HasSubstr("failed 3 times, giving up"));
  EXPECT_THAT(batch.status().message(), HasSubstr("HTTP 503"));
  EXPECT_EQ(source_->metrics().requests.value(), 3u);
  EXPECT_EQ(source_->metrics().retries.value(), 2u);
}

TEST_F(HttpSourceTest, StopDuringRetryWaitReturnsCancelledQuickly) {
  MockApiOptions options;
  options.rate_limit_first = 1;
  options.retry_after_seconds = 30;
  Start(options);
  std::stop_source stop;
  auto result = std::async(std::launch::async, [&] { return source_->Fetch({"faults", 1, 0}, 5, stop.get_token()); });
  for (int i = 0; i < 200 && server_->requests() == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(100));  // the source is now waiting out Retry-After
  auto start = Clock_::now();
  stop.request_stop();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_LT(Clock_::now() - start, milliseconds(500));
  auto batch = result.get();
  EXPECT_EQ(batch.status().code(), StatusCode::kCancelled);
  EXPECT_EQ(source_->metrics().rate_limited.value(), 1u);
}

TEST_F(HttpSourceTest, StopDuringASlowRequestReturnsCancelledQuickly) {
  MockApiOptions options;
  options.slow_first = 1;
  options.slow_delay = milliseconds(20000);
  Start(options);
  config_.request_timeout = milliseconds(60000);
  MakeSourceNow();
  std::stop_source stop;
  auto result = std::async(std::launch::async, [&] { return source_->Fetch({"faults", 1, 0}, 5, stop.get_token()); });
  for (int i = 0; i < 200 && server_->requests() == 0; ++i) std::this_thread::sleep_for(milliseconds(10));
  std::this_thread::sleep_for(milliseconds(100));  // mid-request
  auto start = Clock_::now();
  stop.request_stop();
  ASSERT_EQ(result.wait_for(std::chrono::seconds(2)), std::future_status::ready);
  EXPECT_LT(Clock_::now() - start, milliseconds(500));
  EXPECT_EQ(result.get().status().code(), StatusCode::kCancelled);
}

TEST_F(HttpSourceTest, NotFoundFailsAtOnce) {
  Start({});
  config_.url = "http://127.0.0.1:" + std::to_string(server_->port()) + "/nope/";
  MakeSourceNow();
  auto batch = source_->Fetch({"faults", 1, 0}, 5, {});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(batch.status().message(), HasSubstr("HTTP 404"));
  EXPECT_EQ(source_->metrics().retries.value(), 0u);
}

TEST_F(HttpSourceTest, ConnectionRefusedIsRetriedThenReported) {
  // A port that was just free: bind, read it, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  config_.url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/api/";
  config_.results = 5;
  config_.max_attempts = 2;
  config_.backoff_initial = milliseconds(10);
  MakeSourceNow();
  auto batch = source_->Fetch({"x", 1, 0}, 5, {});
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(source_->metrics().connect_errors.value(), 2u);
}

TEST_F(HttpSourceTest, UnpagedReportsTheSeedTheApiUsed) {
  Start({});
  auto batch = source_->Fetch({"", 1, 0}, 3, {});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->records.size(), 3u);
  EXPECT_TRUE(std::regex_match(batch->position.seed, std::regex("^[a-f0-9]{16}$"))) << batch->position.seed;
  EXPECT_EQ(batch->next, (SourcePosition{"", 1, 0}));
  auto replay = GeneratorPage(batch->position.seed, 1, 5);
  EXPECT_EQ(Raws(*batch), std::vector<std::string>(replay.begin(), replay.begin() + 3));
  EXPECT_EQ(batch->event_time_step, std::chrono::microseconds(0));
}

TEST_F(HttpSourceTest, PastPage10000TheSeedRollsOver) {
  Start({});
  auto batch = source_->Fetch({"roll", 10'001, 0}, 5, {});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->position, (SourcePosition{"roll.2", 1, 0}));
  EXPECT_EQ(Raws(*batch), GeneratorPage("roll.2", 1, 5));
  auto last = source_->Fetch({"roll", 10'000, 0}, 5, {});
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->next, (SourcePosition{"roll.2", 1, 0}));
  EXPECT_EQ(HttpSource::RolloverSeed("roll.2"), "roll.3");
  EXPECT_EQ(HttpSource::RolloverSeed("v1.0"), "v1.0.2");
  EXPECT_EQ(HttpSource::RolloverSeed("0123456789abcdef"), "0123456789abcdef.02");  // never 18 characters
}

TEST_F(HttpSourceTest, UrlCarriesTheQuery) {
  config_.url = "https://randomuser.me/api/1.4/";
  config_.results = 500;
  config_.nat = "us,gb";
  MakeSourceNow();
  EXPECT_EQ(source_->UrlFor({"a b&c", 3, 0}),
            "https://randomuser.me/api/1.4/?results=500&seed=a%20b%26c&page=3&nat=us,gb");
  EXPECT_EQ(source_->UrlFor({"", 1, 0}), "https://randomuser.me/api/1.4/?results=500&nat=us,gb");
}

}  // namespace
}  // namespace rtpipe
