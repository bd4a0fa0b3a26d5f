#include "rtpipe/process/window_aggregator.h"

#include <gtest/gtest.h>

#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Event times in seconds after an arbitrary epoch minute.
constexpr int64_t kEpochMs = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
Timestamp At(double second) { return TimestampFromMillis(kEpochMs + static_cast<int64_t>(second * 1000)); }

CreatedUser User(double second, std::string country, std::string gender, int age) {
  CreatedUser u;
  u.event_time = At(second);
  u.country = std::move(country);
  u.gender = std::move(gender);
  u.age = age;
  u.nat = "XX";
  u.email_domain = "example.com";
  return u;
}

WindowConfig Tumbling(int size_s, int lateness_s, bool early = false) {
  WindowConfig c;
  c.size = seconds(size_s);
  c.slide = seconds(size_s);
  c.lateness = seconds(lateness_s);
  c.idle_timeout = seconds(5);
  c.early_updates = early;
  return c;
}

// Only the users_by_country_gender aggregate, to keep expectations short.
WindowAggregator OneAggregate(const WindowConfig& c) {
  auto defs = AggregateDefinitions(c);
  defs.resize(1);
  return WindowAggregator(defs, c);
}

const PartitionId kP0(0), kP1(1);

TEST(WindowAggregator, OutOfOrderWithinLatenessIsCountedAndClosesWithFullValue) {
  auto agg = OneAggregate(Tumbling(60, 10));
  EXPECT_TRUE(agg.Add(kP0, User(5, "France", "female", 30)));
  EXPECT_TRUE(agg.Add(kP0, User(50, "France", "female", 40)));
  EXPECT_TRUE(agg.Add(kP0, User(45, "France", "female", 20)));  // out of order, but not behind the watermark (40)
  EXPECT_TRUE(agg.TakeUpdates().empty()) << "no window closed and early updates are off";
  EXPECT_TRUE(agg.Add(kP0, User(70, "France", "male", 50)));  // watermark 60: [0,60) closes
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_TRUE(rows[0].final);
  EXPECT_EQ(rows[0].window_start, At(0));
  EXPECT_EQ(rows[0].window_end, At(60));
  EXPECT_EQ(rows[0].dimensions, (std::vector<std::string>{"France", "female"}));
  EXPECT_EQ(rows[0].users, 3);
  EXPECT_DOUBLE_EQ(rows[0].AverageAge(), 30.0);
  EXPECT_EQ(rows[0].min_age, 20);
  EXPECT_EQ(rows[0].max_age, 40);
  EXPECT_EQ(agg.open_windows(), 1u) << "the closed window's state is dropped";
}

TEST(WindowAggregator, LateRecordIsRejectedAndCountedNowhere) {
  auto agg = OneAggregate(Tumbling(60, 10));
  ASSERT_TRUE(agg.Add(kP0, User(100, "Spain", "male", 30)));  // watermark 90
  EXPECT_FALSE(agg.Add(kP0, User(89, "Spain", "male", 30)));
  EXPECT_TRUE(agg.Add(kP0, User(90, "Spain", "male", 30)));  // exactly at the watermark: on time
  agg.Add(kP0, User(200, "Spain", "male", 30));
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 1u);  // [60,120)
  EXPECT_EQ(rows[0].users, 2);
}

TEST(WindowAggregator, APartitionWithoutDataYetHoldsTheWatermark) {
  auto agg = OneAggregate(Tumbling(60, 0));
  MonoTime t0{};
  for (auto p : {kP0, kP1}) ASSERT_TRUE(agg.AddPartition(p, "").ok());
  agg.Add(kP0, User(130, "Spain", "male", 30));
  EXPECT_FALSE(agg.Watermark().has_value());
  EXPECT_TRUE(agg.Add(kP1, User(10, "Spain", "male", 30))) << "partition 1's first record is not late";
}

TEST(WindowAggregator, WatermarkIsTheMinimumOverPartitions) {
  auto agg = OneAggregate(Tumbling(60, 0));
  MonoTime t0{};
  for (auto p : {kP0, kP1}) ASSERT_TRUE(agg.AddPartition(p, "").ok());
  agg.Add(kP0, User(130, "Spain", "male", 30));
  ASSERT_TRUE(agg.Add(kP1, User(10, "Spain", "male", 30)));
  EXPECT_EQ(*agg.Watermark(), At(10)) << "partition 1 holds the watermark back";
  EXPECT_TRUE(agg.TakeUpdates().empty());
  agg.Add(kP1, User(125, "Spain", "male", 30));
  EXPECT_EQ(*agg.Watermark(), At(125));
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].window_start, At(0));
  EXPECT_EQ(rows[0].users, 1);
}

TEST(WindowAggregator, IdlePartitionStopsHoldingTheWatermark) {
  auto agg = OneAggregate(Tumbling(60, 0));
  MonoTime t0{};
  for (auto p : {kP0, kP1}) ASSERT_TRUE(agg.AddPartition(p, "").ok());
  agg.Add(kP0, User(130, "Spain", "male", 30));
  agg.Add(kP1, User(10, "Spain", "male", 30));
  agg.SetCaughtUp(kP1, true, t0);
  EXPECT_EQ(*agg.Watermark(), At(10)) << "caught up, but not yet for idle_timeout";
  agg.SetCaughtUp(kP1, true, t0 + seconds(5));
  EXPECT_EQ(*agg.Watermark(), At(130));
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 1u);  // [0,60) closed although partition 1 is behind
  // New data for partition 1 makes it active again.
  agg.Add(kP1, User(131, "Spain", "male", 30));
  EXPECT_EQ(*agg.Watermark(), At(130));
}

TEST(WindowAggregator, AllPartitionsIdleUsesTheNewestEventTime) {
  auto agg = OneAggregate(Tumbling(60, 5));
  agg.Add(kP0, User(100, "Spain", "male", 30));
  agg.Add(kP1, User(70, "Spain", "male", 30));
  MonoTime t0{};
  for (auto p : {kP0, kP1}) agg.SetCaughtUp(p, true, t0);
  for (auto p : {kP0, kP1}) agg.SetCaughtUp(p, true, t0 + seconds(6));
  EXPECT_EQ(*agg.Watermark(), At(95));
}

TEST(WindowAggregator, EarlyUpdatesEmitChangedOpenWindowsThenTheFinalValue) {
  auto agg = OneAggregate(Tumbling(60, 0, /*early=*/true));
  agg.Add(kP0, User(1, "Spain", "male", 30));
  agg.Add(kP0, User(2, "Spain", "female", 40));
  auto first = agg.TakeUpdates();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_FALSE(first[0].final);
  EXPECT_TRUE(agg.TakeUpdates().empty()) << "nothing changed since";
  agg.Add(kP0, User(3, "Spain", "male", 50));
  auto second = agg.TakeUpdates();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].dimensions[1], "male");
  EXPECT_EQ(second[0].users, 2);
  agg.Add(kP0, User(61, "Spain", "male", 50));
  auto third = agg.TakeUpdates();
  ASSERT_EQ(third.size(), 3u);  // two finals for [0,60), one early row for [60,120)
  EXPECT_TRUE(third[0].final && third[1].final);
  EXPECT_FALSE(third[2].final);
}

TEST(WindowAggregator, HoppingWindowsCountARecordInEachWindowItFallsIn) {
  WindowConfig c = Tumbling(60, 0);
  c.slide = seconds(20);
  auto agg = OneAggregate(c);
  agg.Add(kP0, User(45, "Spain", "male", 30));   // in [0,60), [20,80), [40,100)
  agg.Add(kP0, User(100, "Spain", "male", 30));  // watermark 100 closes all three; opens [60,120), [80,140), [100,160)
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].window_start, At(0));
  EXPECT_EQ(rows[1].window_start, At(20));
  EXPECT_EQ(rows[2].window_start, At(40));
  for (const auto& r : rows) EXPECT_EQ(r.users, 1);
  EXPECT_EQ(agg.open_windows(), 3u);
}

TEST(WindowAggregator, RestoredStateContinuesExactly) {
  WindowConfig c = Tumbling(60, 10);
  auto a = OneAggregate(c);
  a.Add(kP0, User(5, "Spain", "male", 30));
  a.Add(kP1, User(7, "Spain", "male", 50));
  // Partition 1 moves to another processor with its state; partition 0 stays.
  auto b = OneAggregate(c);
  ASSERT_TRUE(b.AddPartition(kP0, a.Serialize(kP0)).ok());
  ASSERT_TRUE(b.AddPartition(kP1, a.Serialize(kP1)).ok());
  for (auto* agg : {&a, &b}) {
    agg->Add(kP0, User(80, "Spain", "male", 40));
    agg->Add(kP1, User(80, "Spain", "male", 40));
  }
  EXPECT_EQ(a.TakeUpdates(), b.TakeUpdates());
  EXPECT_EQ(a.Serialize(kP1), b.Serialize(kP1));
  EXPECT_FALSE(b.AddPartition(kP1, "{not json").ok());
}

TEST(WindowAggregator, RowsArePerPartitionValues) {
  auto agg = OneAggregate(Tumbling(60, 0));
  for (auto p : {kP0, kP1}) ASSERT_TRUE(agg.AddPartition(p, "").ok());
  agg.Add(kP0, User(1, "Spain", "male", 30));
  agg.Add(kP1, User(2, "Spain", "male", 40));
  agg.Add(kP1, User(3, "Spain", "male", 50));
  agg.Add(kP0, User(61, "Spain", "male", 30));
  agg.Add(kP1, User(62, "Spain", "male", 30));
  auto rows = agg.TakeUpdates();
  ASSERT_EQ(rows.size(), 2u);  // [0,60) closed: one row per partition, the store adds them up
  EXPECT_EQ(rows[0].partition, 0);
  EXPECT_EQ(rows[0].users, 1);
  EXPECT_EQ(rows[1].partition, 1);
  EXPECT_EQ(rows[1].users, 2);
  EXPECT_EQ(rows[1].sum_age, 90);
  agg.RemovePartition(kP1);
  EXPECT_EQ(agg.Serialize(kP1), "");
  EXPECT_EQ(*agg.Watermark(), At(61));
}

TEST(WindowAggregator, ShippedAggregates) {
  WindowConfig c;
  auto defs = AggregateDefinitions(c);
  ASSERT_EQ(defs.size(), 3u);
  EXPECT_EQ(defs[0].table, "users_by_country_gender");
  EXPECT_EQ(defs[1].table, "new_users_per_minute_by_nat");
  EXPECT_EQ(defs[2].table, "users_by_email_domain");
  WindowAggregator agg(defs, c);
  agg.Add(kP0, User(1, "Spain", "male", 30));
  EXPECT_EQ(agg.open_windows(), 3u);
}

}  // namespace
}  // namespace rtpipe
