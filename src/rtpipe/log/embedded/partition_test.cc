// Segments: rolling by size and age, retention by size and time, index seeks, OffsetForTime,
// group commit, and bounded reopening.

#include "rtpipe/log/embedded/partition.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "rtpipe/log/embedded/embedded_log.h"
#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::ReadAll;
using rtpipe::testing::TestConfig;

constexpr int64_t kT0 = 1'700'000'000'000;

class PartitionTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmbeddedLog> Open(const LogConfig& config) {
    auto log = OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs_, &clock_));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }
  std::vector<std::string> SegmentFiles(const std::string& topic, int partition) {
    std::vector<std::string> out;
    auto names = *fs_.ListDir(std::string(kMemRoot) + "/topics/" + topic + "/" + std::to_string(partition));
    for (const auto& name : names) {
      if (name.ends_with(".log")) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  FaultInjectionFileSystem fs_;
  ManualClock clock_{TimestampFromMillis(kT0)};
};

TEST_F(PartitionTest, RollsBySizeAndReadsAcrossSegments) {
  auto log = Open(TestConfig(4096));
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", i * 5, 5, false, 100)).ok());
  auto files = SegmentFiles("t", 0);
  EXPECT_GT(files.size(), 10u);
  EXPECT_EQ(files[0], "00000000000000000000.log");
  for (const auto& f : files) EXPECT_LE(fs_.Contents(std::string(kMemRoot) + "/topics/t/0/" + f)->size(), 4096u);
  auto info = *log->DescribeTopic("t");
  EXPECT_EQ(info.partitions[0].segments, static_cast<int>(files.size()));
  EXPECT_EQ(info.partitions[0].end_offset, Offset(500));
  auto all = *ReadAll(*log, "t", 1, 7);
  ASSERT_EQ(all.size(), 500u);
  for (int i = 0; i < 500; ++i) ASSERT_EQ(all[i].offset, Offset(i));
  // A segment is named by the offset of its first batch.
  for (const auto& f : files) {
    int64_t base = *ParseSegmentFileName(f, ".log");
    EXPECT_EQ(base % 5, 0) << f;
  }
}

TEST_F(PartitionTest, SeeksToAnyOffsetThroughTheIndex) {
  auto log = Open(TestConfig(64 * 1024));
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", i * 3, 3, false, 50)).ok());
  auto consumer = *log->NewConsumer();
  for (int target : {0, 1, 2, 3, 100, 101, 449, 450, 451, 777, 898, 899}) {
    ASSERT_TRUE(consumer->Assign({{{"t", PartitionId(0)}, Offset(target)}}).ok());
    auto got = *consumer->Poll(2, std::chrono::milliseconds(0), {});
    ASSERT_FALSE(got.empty()) << target;
    EXPECT_EQ(got[0].offset, Offset(target));
    EXPECT_EQ(got[0].value->substr(0, got[0].value->find('.')), "v" + std::to_string(target));
    EXPECT_EQ(consumer->Positions().at({"t", PartitionId(0)}), Offset(target + static_cast<int>(got.size())));
  }
  ASSERT_TRUE(consumer->Assign({{{"t", PartitionId(0)}, Offset(900)}}).ok());
  EXPECT_TRUE(consumer->Poll(10, std::chrono::milliseconds(0), {})->empty());
}

TEST_F(PartitionTest, RollsByAge) {
  LogConfig config = TestConfig(1 << 20);
  config.segment_age = std::chrono::milliseconds(60'000);
  auto log = Open(config);
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 0, 3)).ok());
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_EQ(SegmentFiles("t", 0).size(), 1u);
  clock_.Advance(std::chrono::milliseconds(61'000));
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_EQ(SegmentFiles("t", 0), (std::vector<std::string>{"00000000000000000000.log", "00000000000000000003.log"}));
  // An empty active segment never rolls.
  clock_.Advance(std::chrono::milliseconds(61'000));
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_EQ(SegmentFiles("t", 0).size(), 2u);
  // An append to an aged segment rolls first.
  ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 3, 1)).ok());
  clock_.Advance(std::chrono::milliseconds(61'000));
  ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 4, 1)).ok());
  EXPECT_EQ(SegmentFiles("t", 0).back(), "00000000000000000004.log");
  EXPECT_EQ(ReadAll(*log, "t", 1)->size(), 5u);
}

TEST_F(PartitionTest, RetentionBySizeKeepsTheActiveSegmentAndMovesTheStart) {
  LogConfig config = TestConfig(4096);
  config.retention_bytes = 3 * 4096;
  auto log = Open(config);
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", i, 1, false, 200)).ok());
  ASSERT_TRUE(log->RunMaintenance().ok());
  auto info = *log->DescribeTopic("t");
  const auto& p = info.partitions[0];
  EXPECT_LE(p.size_bytes, 4 * 4096);
  EXPECT_GE(p.size_bytes, 2 * 4096);
  EXPECT_GT(p.start_offset, Offset(100));
  EXPECT_EQ(p.end_offset, Offset(200));
  auto files = SegmentFiles("t", 0);
  EXPECT_EQ(*ParseSegmentFileName(files.front(), ".log"), p.start_offset.value());
  // Reading from 0 starts at the new start.
  auto all = *ReadAll(*log, "t", 1);
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.front().offset, p.start_offset);
  EXPECT_EQ(all.back().offset, Offset(199));

  // Even a tiny limit never deletes the active segment.
  log.reset();
  config.retention_bytes = 0;
  log = Open(config);
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_EQ(SegmentFiles("t", 0).size(), 1u);
  EXPECT_EQ(log->DescribeTopic("t")->partitions[0].end_offset, Offset(200));
}

TEST_F(PartitionTest, RetentionByTimeUsesTheNewestRecordOfEachSegment) {
  LogConfig config = TestConfig(2048);
  config.retention = std::chrono::milliseconds(3'600'000);
  auto log = Open(config);
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  std::vector<Record> records = Numbered("v", 0, 60, false, 200);
  for (int i = 0; i < 60; ++i) {
    records[i].timestamp = TimestampFromMillis(kT0 + i * 60'000);  // one a minute
    ASSERT_TRUE(producer->Append("t", PartitionId(0), std::span<const Record>(&records[i], 1)).ok());
  }
  size_t before = SegmentFiles("t", 0).size();
  ASSERT_GT(before, 4u);
  clock_.Advance(std::chrono::milliseconds(60 * 60'000 + 30 * 60'000));  // now = kT0 + 90 min
  ASSERT_TRUE(log->RunMaintenance().ok());
  auto all = *ReadAll(*log, "t", 1);
  ASSERT_FALSE(all.empty());
  // Records newer than now - 60 min (kT0 + 30 min) all stay; whole older segments went.
  EXPECT_LE(all.front().offset, Offset(30));
  EXPECT_GT(all.front().offset, Offset(0));
  EXPECT_EQ(all.back().offset, Offset(59));
  clock_.Advance(std::chrono::milliseconds(24 * 3'600'000));
  ASSERT_TRUE(log->RunMaintenance().ok());
  EXPECT_EQ(SegmentFiles("t", 0).size(), 1u);  // only the active one
}

TEST_F(PartitionTest, OffsetForTimeFindsTheFirstRecordAtOrAfter) {
  auto log = Open(TestConfig(2048));
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  // Timestamps 0, 10, 20, ... with a step back every 7th record (out of order events).
  std::vector<int64_t> ts;
  for (int i = 0; i < 400; ++i) ts.push_back(i % 7 == 6 ? (i - 3) * 10 : i * 10);
  for (int i = 0; i < 400; i += 4) {
    auto records = Numbered("v", i, 4, false, 30);
    for (int k = 0; k < 4; ++k) records[k].timestamp = TimestampFromMillis(kT0 + ts[i + k]);
    ASSERT_TRUE(producer->Append("t", PartitionId(0), records).ok());
  }
  TopicPartition tp{"t", PartitionId(0)};
  for (int64_t q = -50; q <= 4100; q += 13) {
    int64_t expected = 400;
    for (int i = 0; i < 400; ++i) {
      if (ts[i] >= q) {
        expected = i;
        break;
      }
    }
    auto got = log->OffsetForTime(tp, TimestampFromMillis(kT0 + q));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, Offset(expected)) << "time " << q;
  }
  // The same answers after reopening (indexes loaded from files).
  log.reset();
  log = Open(TestConfig(2048));
  EXPECT_EQ(*log->OffsetForTime(tp, TimestampFromMillis(kT0 + 2000)), Offset(200));
  EXPECT_EQ(*log->OffsetForTime(tp, TimestampFromMillis(kT0 + 999'999)), Offset(400));
}

TEST_F(PartitionTest, ConcurrentAppendersShareSyncs) {
  auto log = Open(TestConfig(1 << 20));
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  // Make each fdatasync take a while, as on a disk, so that appenders pile up behind it: long
  // enough that they do so even when other processes keep the cores busy (at 0.5 ms, a loaded
  // 2-core machine ran the appenders one after the other often enough to fail the test).
  fs_.SetSyncDelay(std::chrono::milliseconds(5));
  constexpr int kThreads = 8;
  constexpr int kAppends = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        if (!producer->Append("t", PartitionId(0), Numbered("t" + std::to_string(t) + "-", i, 1)).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  fs_.SetSyncDelay(std::chrono::microseconds(0));
  EXPECT_EQ(failures.load(), 0);
  uint64_t rounds = *log->SyncRounds({"t", PartitionId(0)});
  EXPECT_LT(rounds, uint64_t{kThreads * kAppends / 2}) << "appenders did not share syncs";
  EXPECT_GE(rounds, uint64_t{kAppends});
  auto all = *ReadAll(*log, "t", 1);
  ASSERT_EQ(all.size(), size_t{kThreads * kAppends});
  // Each appender's records are in its own order.
  std::map<std::string, int> next;
  for (const auto& r : all) {
    std::string thread = r.value->substr(0, r.value->find('-'));
    int n = std::stoi(r.value->substr(r.value->find('-') + 1));
    EXPECT_EQ(n, next[thread]++);
  }
}

TEST_F(PartitionTest, CleanReopenScansNothingAndKeepsEverything) {
  auto log = Open(TestConfig(8192));
  ASSERT_TRUE(log->CreateTopic({"t", 2}).ok());
  auto producer = *log->NewProducer();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(producer->Send("t", Numbered("v", i * 10, 10, true, 50)).ok());
  producer.reset();
  log.reset();
  log = Open(TestConfig(8192));
  EXPECT_EQ(log->recovery_stats().bytes_scanned, 0u);
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 0u);
  EXPECT_EQ(ReadAll(*log, "t", 2)->size(), 500u);
  // And appends continue at the right offsets.
  producer = *log->NewProducer();
  auto end = *log->EndOffset({"t", PartitionId(1)});
  EXPECT_EQ(*producer->Append("t", PartitionId(1), Numbered("w", 0, 1)), end);
}

TEST_F(PartitionTest, FsyncNeverAndIntervalStillAcknowledgeAndRecover) {
  for (FsyncPolicy policy : {FsyncPolicy::kNever, FsyncPolicy::kInterval}) {
    FaultInjectionFileSystem fs;
    LogConfig config = TestConfig(4096);
    config.fsync = policy;
    config.fsync_interval = std::chrono::milliseconds(1);
    auto log = *OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs));
    ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
    auto producer = *log->NewProducer();
    uint64_t syncs_before = fs.sync_count();
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", i, 1)).ok());
    EXPECT_LT(fs.sync_count() - syncs_before, 20u);  // appends did not each sync
    EXPECT_EQ(ReadAll(*log, "t", 1)->size(), 20u);   // but are visible at once
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_TRUE(log->RunMaintenance().ok());  // the interval flush (and checkpoint) runs here
    producer.reset();
    log.reset();
    log = *OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs));
    EXPECT_EQ(ReadAll(*log, "t", 1)->size(), 20u);
  }
}

}  // namespace
}  // namespace rtpipe::embedded
