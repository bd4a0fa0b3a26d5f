// Topics, producing and consuming, partitioning, compression, group offsets, the writer lock.

#include "rtpipe/log/embedded/embedded_log.h"

#include <gtest/gtest.h>

#include <set>

#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::ReadAll;
using rtpipe::testing::TestConfig;
using rtpipe::testing::Values;

class EmbeddedLogTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmbeddedLog> Open(const LogConfig& config, LogAccess access = LogAccess::kReadWrite) {
    auto log = OpenEmbeddedLog(kMemRoot, config, access, MemOptions(&fs_, &clock_));
    EXPECT_TRUE(log.ok()) << log.status();
    return log.ok() ? std::move(*log) : nullptr;
  }

  FaultInjectionFileSystem fs_;
  ManualClock clock_{TimestampFromMillis(1'700'000'000'000)};
};

TEST_F(EmbeddedLogTest, TopicLifecycle) {
  auto log = Open(TestConfig());
  ASSERT_TRUE(log->CreateTopic({"orders", 3}).ok());
  EXPECT_EQ(log->CreateTopic({"orders", 3}).code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(log->EnsureTopic({"orders", 5}).ok());  // exists: left as it is
  EXPECT_TRUE(log->EnsureTopic({"users_created", 4}).ok());
  EXPECT_EQ(log->CreateTopic({"bad/name", 1}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CreateTopic({"zero", 0}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*log->ListTopics(), (std::vector<std::string>{"orders", "users_created"}));
  auto info = log->DescribeTopic("orders");
  ASSERT_TRUE(info.ok());
  ASSERT_EQ(info->partitions.size(), 3u);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(info->partitions[p].partition, PartitionId(p));
    EXPECT_EQ(info->partitions[p].start_offset, Offset(0));
    EXPECT_EQ(info->partitions[p].end_offset, Offset(0));
    EXPECT_EQ(info->partitions[p].segments, 1);
  }
  ASSERT_TRUE(log->DeleteTopic("orders").ok());
  EXPECT_EQ(log->DescribeTopic("orders").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log->DeleteTopic("orders").code(), StatusCode::kNotFound);
  EXPECT_FALSE(*fs_.Exists(std::string(kMemRoot) + "/topics/orders"));
  log.reset();
  log = Open(TestConfig());
  EXPECT_EQ(*log->ListTopics(), std::vector<std::string>{"users_created"});
  EXPECT_EQ(log->DescribeTopic("users_created")->partitions.size(), 4u);
}

TEST_F(EmbeddedLogTest, AppendReturnsOffsetsAndReadsBackInOrder) {
  auto log = Open(TestConfig(1 << 20));
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  EXPECT_EQ(*producer->Append("t", PartitionId(0), Numbered("a", 0, 10)), Offset(0));
  EXPECT_EQ(*producer->Append("t", PartitionId(0), Numbered("a", 10, 5)), Offset(10));
  EXPECT_EQ(producer->Append("t", PartitionId(1), Numbered("a", 0, 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(producer->Append("nope", PartitionId(0), Numbered("a", 0, 1)).status().code(), StatusCode::kNotFound);
  auto all = ReadAll(*log, "t", 1);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 15u);
  for (int i = 0; i < 15; ++i) {
    EXPECT_EQ((*all)[i].offset, Offset(i));
    EXPECT_EQ((*all)[i].value, "a" + std::to_string(i));
    EXPECT_EQ((*all)[i].timestamp, TimestampFromMillis(1'700'000'000'000 + i));
    EXPECT_EQ((*all)[i].topic, "t");
  }
  EXPECT_EQ(*log->EndOffset({"t", PartitionId(0)}), Offset(15));
}

TEST_F(EmbeddedLogTest, AppendEachReturnsEachBatchsFirstOffset) {
  auto log = Open(TestConfig(1 << 20));
  ASSERT_TRUE(log->CreateTopic({"t", 3}).ok());
  ASSERT_TRUE(log->CreateTopic({"u", 1}).ok());
  auto producer = *log->NewProducer();
  ASSERT_TRUE(producer->Append("t", PartitionId(1), Numbered("before", 0, 7)).ok());
  auto to_t0 = Numbered("t0-", 0, 4), to_t1 = Numbered("t1-", 0, 3), to_u0 = Numbered("u0-", 0, 2);
  std::vector<PartitionBatch> batches = {{{"t", PartitionId(0)}, to_t0},
                                         {{"t", PartitionId(1)}, to_t1},
                                         {{"t", PartitionId(2)}, {}},
                                         {{"u", PartitionId(0)}, to_u0}};
  auto firsts = producer->AppendEach(batches);
  ASSERT_TRUE(firsts.ok()) << firsts.status();
  // An empty batch gives the partition's end, as Append does.
  EXPECT_EQ(*firsts, (std::vector<Offset>{Offset(0), Offset(7), Offset(0), Offset(0)}));
  auto t = *ReadAll(*log, "t", 3);
  std::map<int, std::vector<std::string>> values;
  for (const auto& r : t) values[r.partition.value()].push_back(*r.value);
  EXPECT_EQ(values[0], (std::vector<std::string>{"t0-0", "t0-1", "t0-2", "t0-3"}));
  ASSERT_EQ(values[1].size(), 10u);
  EXPECT_EQ(values[1][7], "t1-0");
  EXPECT_EQ(values[1][9], "t1-2");
  EXPECT_TRUE(values[2].empty());
  EXPECT_EQ(*log->EndOffset({"u", PartitionId(0)}), Offset(2));

  std::vector<PartitionBatch> missing = {{{"t", PartitionId(0)}, to_t0}, {{"t", PartitionId(3)}, to_t1}};
  EXPECT_EQ(producer->AppendEach(missing).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(*log->EndOffset({"t", PartitionId(0)}), Offset(4)) << "nothing is written when a partition is missing";
}

TEST_F(EmbeddedLogTest, SendHashesKeysAndSpreadsNullKeysOneBatchAtATime) {
  auto log = Open(TestConfig(1 << 20));
  ASSERT_TRUE(log->CreateTopic({"t", 4}).ok());
  auto producer = *log->NewProducer();
  ASSERT_TRUE(producer->Send("t", Numbered("keyed", 0, 200, true)).ok());
  auto all = ReadAll(*log, "t", 4);
  ASSERT_EQ(all->size(), 200u);
  std::set<int> used;
  for (const auto& r : *all) {
    EXPECT_EQ(r.partition, PartitionFor(*r.key, 4)) << *r.key;
    used.insert(r.partition.value());
  }
  EXPECT_EQ(used.size(), 4u);

  ASSERT_TRUE(log->CreateTopic({"n", 4}).ok());
  for (int call = 0; call < 8; ++call)
    ASSERT_TRUE(producer->Send("n", Numbered("c" + std::to_string(call) + "-", 0, 10)).ok());
  auto info = *log->DescribeTopic("n");
  for (const auto& p : info.partitions) EXPECT_EQ(p.end_offset, Offset(20)) << p.partition.value();  // 2 calls each
  auto nulls = *ReadAll(*log, "n", 4);
  std::map<std::string, std::set<int>> partitions_of_call;
  for (const auto& r : nulls) partitions_of_call[r.value->substr(0, r.value->find('-'))].insert(r.partition.value());
  ASSERT_EQ(partitions_of_call.size(), 8u);
  for (const auto& [call, parts] : partitions_of_call) EXPECT_EQ(parts.size(), 1u) << call;
}

TEST_F(EmbeddedLogTest, CompressedTopicsRoundTrip) {
  for (Compression c : {Compression::kLz4, Compression::kZstd}) {
    FaultInjectionFileSystem fs;
    LogConfig config = TestConfig(1 << 20);
    config.compression = c;
    auto log = *OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs));
    ASSERT_TRUE(log->CreateTopic({"z", 1}).ok());
    auto producer = *log->NewProducer();
    ASSERT_TRUE(producer->Append("z", PartitionId(0), Numbered("compressible-value-", 0, 500, true, 200)).ok());
    auto all = *ReadAll(*log, "z", 1);
    ASSERT_EQ(all.size(), 500u);
    EXPECT_EQ(*all[499].key, "k499");
    auto info = *log->DescribeTopic("z");
    EXPECT_LT(info.partitions[0].size_bytes, 500 * 200 / 4);  // well compressed
  }
}

TEST_F(EmbeddedLogTest, GroupOffsetsAreDurableMergedAndPerTopic) {
  auto log = Open(TestConfig());
  ASSERT_TRUE(log->CreateTopic({"a", 2}).ok());
  EXPECT_TRUE(log->CommittedOffsets("g", "a")->empty());
  ASSERT_TRUE(log->CommitOffsets("g", {{{"a", PartitionId(0)}, Offset(5)}, {{"b", PartitionId(0)}, Offset(9)}}).ok());
  ASSERT_TRUE(log->CommitOffsets("g", {{{"a", PartitionId(1)}, Offset(7)}}).ok());
  ASSERT_TRUE(log->CommitOffsets("g", {{{"a", PartitionId(0)}, Offset(6)}}).ok());
  ASSERT_TRUE(log->CommitOffsets("other", {{{"a", PartitionId(0)}, Offset(1)}}).ok());
  auto a = *log->CommittedOffsets("g", "a");
  EXPECT_EQ(a,
            (std::map<TopicPartition, Offset>{{{"a", PartitionId(0)}, Offset(6)}, {{"a", PartitionId(1)}, Offset(7)}}));
  EXPECT_EQ(log->CommitOffsets("bad group", {}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log->CommitOffsets("g", {{{"a", PartitionId(0)}, Offset(-1)}}).code(), StatusCode::kInvalidArgument);

  // Durable: survives a power loss right after the commit returned.
  log.reset();
  fs_.Crash(rtpipe::testing::CrashMode::kDropUnsynced);
  fs_.Restart();
  log = Open(TestConfig());
  EXPECT_EQ(*log->CommittedOffsets("g", "a"), a);
  EXPECT_EQ(log->CommittedOffsets("g", "b")->at({"b", PartitionId(0)}), Offset(9));
  EXPECT_FALSE(*fs_.Exists(std::string(kMemRoot) + "/groups/g.offsets.tmp"));

  // A damaged offsets file is an error, never a silent reset to "no offsets".
  ASSERT_TRUE(fs_.FlipBit(std::string(kMemRoot) + "/groups/g.offsets", 10, 3).ok());
  EXPECT_EQ(log->CommittedOffsets("g", "a").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(log->CommitOffsets("g", {{{"a", PartitionId(0)}, Offset(8)}}).code(), StatusCode::kCorruption);
}

TEST_F(EmbeddedLogTest, OneWriterPerDirectory) {
  auto log = Open(TestConfig());
  auto second = OpenEmbeddedLog(kMemRoot, TestConfig(), LogAccess::kReadWrite, MemOptions(&fs_, &clock_));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("pid " + std::to_string(::getpid())), std::string::npos) << second.status();
  auto reader = OpenEmbeddedLog(kMemRoot, TestConfig(), LogAccess::kReadOnly, MemOptions(&fs_, &clock_));
  EXPECT_TRUE(reader.ok()) << reader.status();
  log.reset();
  EXPECT_TRUE(OpenEmbeddedLog(kMemRoot, TestConfig(), LogAccess::kReadWrite, MemOptions(&fs_, &clock_)).ok());
}

TEST_F(EmbeddedLogTest, ReadOnlyLogRefusesWrites) {
  {
    auto log = Open(TestConfig());
    ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  }
  auto reader = Open(TestConfig(), LogAccess::kReadOnly);
  EXPECT_EQ(reader->CreateTopic({"u", 1}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->DeleteTopic("t").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(reader->NewProducer().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(*reader->ListTopics(), std::vector<std::string>{"t"});
  EXPECT_TRUE(reader->CommitOffsets("g", {{{"t", PartitionId(0)}, Offset(0)}}).ok());
}

TEST_F(EmbeddedLogTest, ClosedLogFailsCleanly) {
  auto log = Open(TestConfig());
  ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
  auto producer = *log->NewProducer();
  auto consumer = *log->NewConsumer();
  ASSERT_TRUE(consumer->Assign({{{"t", PartitionId(0)}, Offset(0)}}).ok());
  ASSERT_TRUE(log->Close().ok());
  EXPECT_EQ(producer->Append("t", PartitionId(0), Numbered("x", 0, 1)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(consumer->Poll(10, std::chrono::milliseconds(0), {}).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(*fs_.Exists(std::string(kMemRoot) + "/.clean-shutdown"));
}

}  // namespace
}  // namespace rtpipe::embedded
