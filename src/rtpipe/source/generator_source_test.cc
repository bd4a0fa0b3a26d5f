#include "rtpipe/source/generator_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "rtpipe/model/dead_letter.h"

namespace rtpipe {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

SourceConfig Config(int results, milliseconds interval = milliseconds(100)) {
  SourceConfig c;
  c.url = "generator";
  c.results = results;
  c.interval = interval;
  return c;
}

std::vector<std::string> Raws(const SourceBatch& b) {
  std::vector<std::string> raws;
  for (const auto& r : b.records) raws.push_back(r.raw);
  return raws;
}

std::vector<std::string> PageTexts(const std::string& seed, int64_t page, int results) {
  GeneratorRequest r;
  r.seed = seed;
  r.page = page;
  r.results = results;
  std::vector<std::string> texts;
  for (auto& g : Generator().Records(r, 0, results)) texts.push_back(g.text);
  return texts;
}

TEST(GeneratorSourceTest, PartialFetchesWalkThePagesWithoutLossOrDuplicates) {
  GeneratorSource source(Config(5), Clock::System());
  SourcePosition at{"walk", 1, 0};
  std::vector<std::string> got;
  for (int i = 0; i < 6; ++i) {  // 3 + 2 + 3 + 2 + 3 + 2 = three pages of five
    auto batch = source.Fetch(at, 3, {});
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(batch->position, at);
    EXPECT_EQ(batch->records.size(), at.skip == 0 ? 3u : 2u);
    for (const auto& r : batch->records) {
      auto user = ParseUser(r.raw);
      ASSERT_TRUE(user.ok()) << user.status();
      EXPECT_EQ(UserJson(*user), r.raw);
      got.push_back(r.raw);
    }
    at = batch->next;
  }
  EXPECT_EQ(at, (SourcePosition{"walk", 4, 0}));
  std::vector<std::string> expected;
  for (int64_t page = 1; page <= 3; ++page) {
    for (auto& t : PageTexts("walk", page, 5)) expected.push_back(t);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(source.metrics().records.value(), 15u);
  EXPECT_EQ(source.metrics().requests.value(), 6u);
  EXPECT_EQ(source.metrics().retries.value(), 0u);
}

TEST(GeneratorSourceTest, EventTimesFollowTheSeedsClock) {
  // interval 100ms, 500 users a page: a step of 200us; page 3 starts at epoch + 200ms.
  GeneratorSource source(Config(500), Clock::System());
  auto batch = source.Fetch({"clock", 3, 7}, 20, {});
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->event_time_step, microseconds(200));
  const int64_t start_us = ToMillis(GeneratorEpoch()) * 1000 + 2 * 100'000;
  for (size_t i = 0; i < batch->records.size(); ++i) {
    int64_t exact_us = start_us + (7 + static_cast<int64_t>(i)) * 200;
    EXPECT_EQ(ToMillis(batch->EventTime(i)), exact_us / 1000) << i;
  }
  EXPECT_EQ(FormatIso8601(batch->EventTime(0)), "2026-01-01T00:00:00.201Z");
  // Another source, another split of the page: the same times for the same users.
  GeneratorSource other(Config(500), Clock::System());
  auto whole = other.Fetch({"clock", 3, 0}, 500, {});
  ASSERT_TRUE(whole.ok());
  for (size_t i = 0; i < batch->records.size(); ++i) {
    EXPECT_EQ(batch->EventTime(i), whole->EventTime(7 + i)) << i;
    EXPECT_EQ(batch->records[i].raw, whole->records[7 + i].raw);
  }
}

TEST(GeneratorSourceTest, UnpagedDrawsAFreshSeedAndStampsWithTheClock) {
  ManualClock clock(TimestampFromMillis(1'800'000'000'000));
  GeneratorSource source(Config(5), clock);
  auto a = source.Fetch({"", 1, 0}, 10, {});
  auto b = source.Fetch({"", 1, 0}, 10, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->records.size(), 5u);
  EXPECT_TRUE(std::regex_match(a->position.seed, std::regex("^[a-f0-9]{16}$")));
  EXPECT_NE(a->position.seed, b->position.seed);
  EXPECT_EQ(a->next, (SourcePosition{"", 1, 0}));
  EXPECT_EQ(a->first_event_time, clock.Now());
  EXPECT_EQ(a->event_time_step, microseconds(0));
  // The reported seed replays the same users.
  EXPECT_EQ(Raws(*a), PageTexts(a->position.seed, 1, 5));
}

TEST(GeneratorSourceTest, BadRecordsAreDeliveredAsTheyAreAndFailToParse) {
  SourceConfig config = Config(1000);
  config.bad_rate = 0.3;
  GeneratorSource source(config, Clock::System());
  auto batch = source.Fetch({"bad", 1, 0}, 1000, {});
  ASSERT_TRUE(batch.ok());
  int failed = 0, malformed = 0;
  for (const auto& r : batch->records) {
    if (auto user = ParseUser(r.raw); !user.ok()) {
      ++failed;
      malformed += ClassifyUserError(user.status()) == dlq_reason::kMalformedJson;
    }
  }
  // Malformed, wrong-type and uuid-less records fail to parse: about 1000 * 0.3 * (1/4 + 1/4 + 1/12) = 175.
  EXPECT_GT(failed, 125);
  EXPECT_LT(failed, 225);
  EXPECT_GT(malformed, 40);
  EXPECT_EQ(batch->RecordSource(17), "seed=bad page=1 index=17");
}

TEST(GeneratorSourceTest, ArgumentsAndStop) {
  GeneratorSource source(Config(5), Clock::System());
  EXPECT_EQ(source.Fetch({"s", 1, 0}, 0, {}).status().code(), StatusCode::kInvalidArgument);
  std::stop_source stop;
  stop.request_stop();
  EXPECT_EQ(source.Fetch({"s", 1, 0}, 3, stop.get_token()).status().code(), StatusCode::kCancelled);
  // A skip past the page (the page size shrank) starts the next page.
  auto batch = source.Fetch({"s", 2, 7}, 3, {});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->position, (SourcePosition{"s", 3, 0}));
  std::vector<std::string> page = PageTexts("s", 3, 5);
  EXPECT_EQ(Raws(*batch), std::vector<std::string>(page.begin(), page.begin() + 3));
}

TEST(SourcePositionTest, AdvanceAndNormalize) {
  EXPECT_EQ(Advance({"s", 1, 0}, 3, 5), (SourcePosition{"s", 1, 3}));
  EXPECT_EQ(Advance({"s", 1, 3}, 2, 5), (SourcePosition{"s", 2, 0}));
  EXPECT_EQ(Advance({"s", 1, 0}, 5, 5), (SourcePosition{"s", 2, 0}));
  EXPECT_EQ(Advance({"", 1, 0}, 5, 5), (SourcePosition{"", 1, 0}));
  EXPECT_EQ(Normalize({"s", 0, -2}, 5), (SourcePosition{"s", 1, 0}));
  EXPECT_EQ(Normalize({"s", 4, 12}, 5), (SourcePosition{"s", 6, 0}));
  EXPECT_EQ(Normalize({"", 7, 3}, 5), (SourcePosition{"", 1, 0}));
}

TEST(SourceBatchTest, EventTimeWithPhase) {
  SourceBatch b;
  b.first_event_time = TimestampFromMillis(1000);
  b.event_time_phase = microseconds(600);
  b.event_time_step = microseconds(200);
  EXPECT_EQ(ToMillis(b.EventTime(0)), 1000);
  EXPECT_EQ(ToMillis(b.EventTime(1)), 1000);
  EXPECT_EQ(ToMillis(b.EventTime(2)), 1001);
  EXPECT_EQ(ToMillis(b.EventTime(7)), 1002);
}

TEST(MakeSourceTest, ChoosesByUrl) {
  SourceConfig c = Config(5);
  auto generator = MakeSource(c, Clock::System());
  ASSERT_TRUE(generator.ok());
  EXPECT_NE(dynamic_cast<GeneratorSource*>(generator->get()), nullptr);
  c.url = "http://127.0.0.1:1/api/";
  auto http = MakeSource(c, Clock::System());
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_EQ(dynamic_cast<GeneratorSource*>(http->get()), nullptr);
  c.url = "ftp://x";
  EXPECT_FALSE(MakeSource(c, Clock::System()).ok());
}

}  // namespace
}  // namespace rtpipe
