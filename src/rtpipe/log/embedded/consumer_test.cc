// Consumer: long-poll wake-up, stop requests, max_records, positions, fairness.

#include "rtpipe/log/embedded/consumer.h"

#include <gtest/gtest.h>

#include <thread>

#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::TestConfig;
using namespace std::chrono_literals;

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *OpenEmbeddedLog(kMemRoot, TestConfig(1 << 20), LogAccess::kReadWrite, MemOptions(&fs_));
    ASSERT_TRUE(log_->CreateTopic({"t", 2}).ok());
    producer_ = *log_->NewProducer();
    consumer_ = *log_->NewConsumer();
  }
  FaultInjectionFileSystem fs_;
  std::unique_ptr<EmbeddedLog> log_;
  std::unique_ptr<Producer> producer_;
  std::unique_ptr<Consumer> consumer_;
};

TEST_F(ConsumerTest, LongPollIsWokenByAnAppend) {
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(1)}, Offset(0)}}).ok());
  std::thread appender([&] {
    std::this_thread::sleep_for(100ms);
    ASSERT_TRUE(producer_->Append("t", PartitionId(1), Numbered("late", 0, 1)).ok());
  });
  auto start = std::chrono::steady_clock::now();
  auto got = consumer_->Poll(10, 20s, {});
  auto waited = std::chrono::steady_clock::now() - start;
  appender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 1u);
  EXPECT_EQ((*got)[0].value, "late0");
  EXPECT_GE(waited, 90ms);  // it did wait for the append...
  EXPECT_LT(waited, 10s);   // ...and was woken by it, long before the timeout
}

TEST_F(ConsumerTest, AWriteToSeveralPartitionsWakesAWaitingReaderOnceAllAreDurable) {
  // Each partition is synced in turn, 50 ms apart: a reader woken by the first would read it alone.
  fs_.SetSyncDelay(50ms);
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(0)}, Offset(0)}, {{"t", PartitionId(1)}, Offset(0)}}).ok());
  auto first = Numbered("first", 0, 3);
  auto second = Numbered("second", 0, 2);
  std::thread appender([&] {
    std::this_thread::sleep_for(20ms);
    std::vector<PartitionBatch> batches = {{{"t", PartitionId(0)}, first}, {{"t", PartitionId(1)}, second}};
    ASSERT_TRUE(producer_->AppendEach(batches).ok());
  });
  auto got = consumer_->Poll(100, 20s, {});
  appender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->size(), first.size() + second.size());
}

TEST_F(ConsumerTest, PollTimesOutEmptyAndStopsOnRequest) {
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(0)}, Offset(0)}}).ok());
  auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(consumer_->Poll(10, 50ms, {})->empty());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 45ms);

  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  start = std::chrono::steady_clock::now();
  auto got = consumer_->Poll(10, 30s, stop.get_token());
  stopper.join();
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST_F(ConsumerTest, MaxRecordsSplitsABatchAndResumesInsideIt) {
  ASSERT_TRUE(producer_->Append("t", PartitionId(0), Numbered("v", 0, 10)).ok());  // one batch
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(0)}, Offset(0)}}).ok());
  std::vector<int64_t> offsets;
  for (int i = 0; i < 4; ++i) {
    auto got = *consumer_->Poll(3, 0ms, {});
    for (const auto& r : got) offsets.push_back(r.offset.value());
  }
  EXPECT_EQ(offsets, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(consumer_->Positions().at({"t", PartitionId(0)}), Offset(10));
}

TEST_F(ConsumerTest, ReadsEveryAssignedPartitionAndReassigns) {
  ASSERT_TRUE(producer_->Append("t", PartitionId(0), Numbered("a", 0, 5)).ok());
  ASSERT_TRUE(producer_->Append("t", PartitionId(1), Numbered("b", 0, 5)).ok());
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(0)}, Offset(2)}, {{"t", PartitionId(1)}, Offset(4)}}).ok());
  auto got = *consumer_->Poll(100, 0ms, {});
  ASSERT_EQ(got.size(), 4u);
  std::map<int, std::vector<int64_t>> by_partition;
  for (const auto& r : got) by_partition[r.partition.value()].push_back(r.offset.value());
  EXPECT_EQ(by_partition[0], (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(by_partition[1], (std::vector<int64_t>{4}));
  auto positions = consumer_->Positions();
  EXPECT_EQ(positions.at({"t", PartitionId(0)}), Offset(5));
  EXPECT_EQ(positions.at({"t", PartitionId(1)}), Offset(5));
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(1)}, Offset(0)}}).ok());
  EXPECT_EQ(consumer_->Positions().size(), 1u);
  EXPECT_EQ(consumer_->Poll(100, 0ms, {})->size(), 5u);
  EXPECT_EQ(consumer_->Assign({{{"missing", PartitionId(0)}, Offset(0)}}).code(), StatusCode::kNotFound);
  EXPECT_EQ(consumer_->Assign({{{"t", PartitionId(9)}, Offset(0)}}).code(), StatusCode::kInvalidArgument);
}

TEST_F(ConsumerTest, SmallPollsDoNotStarveAPartition) {
  ASSERT_TRUE(producer_->Append("t", PartitionId(0), Numbered("a", 0, 100)).ok());
  ASSERT_TRUE(producer_->Append("t", PartitionId(1), Numbered("b", 0, 100)).ok());
  ASSERT_TRUE(consumer_->Assign({{{"t", PartitionId(0)}, Offset(0)}, {{"t", PartitionId(1)}, Offset(0)}}).ok());
  std::set<int> seen;
  for (int i = 0; i < 2; ++i) {
    auto got = *consumer_->Poll(10, 0ms, {});
    for (const auto& r : got) seen.insert(r.partition.value());
  }
  EXPECT_EQ(seen, (std::set<int>{0, 1}));
}

}  // namespace
}  // namespace rtpipe::embedded
