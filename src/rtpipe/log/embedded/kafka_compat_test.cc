// Known answers from Kafka itself: batches built by Apache Kafka 4.3.1's MemoryRecordsBuilder
// (kafka-clients, magic 2), which rtpipe must read, and which its encoder must reproduce byte for
// byte (up to partitionLeaderEpoch, which Kafka's producer leaves at -1 for the broker to set).
// The reverse direction (Kafka reading rtpipe's segments) was verified with Kafka 4.3.1's
// MemoryRecords.readableRecords, ensureValid and record iteration on rtpipe's none/lz4/zstd
// segments (fuzz/corpus/record_batch/segment-*.log); it needs a JVM, so it is not in this suite.

#include <gtest/gtest.h>

#include "rtpipe/log/embedded/record_batch.h"
#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::ReadAll;
using rtpipe::testing::TestConfig;

// Three batches (codec none, lz4, zstd), offsets 0-11, each with: ("k1", "value-<codec>") at
// 1700000000000, (null key, "no-key") at +5, ("tomb", null value) at +10, ("h", "with headers",
// headers a="1" and nullv=null) at +20.
const std::string kKafkaSegment(
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7b\xff\xff\xff\xff"
    "\x02\xf6\xe8\x9f\x24\x00\x00\x00\x00\x00\x03\x00\x00\x01\x8b\xcf"
    "\xe5\x68\x00\x00\x00\x01\x8b\xcf\xe5\x68\x14\xff\xff\xff\xff\xff"
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x04\x24\x00\x00"
    "\x00\x04\x6b\x31\x14\x76\x61\x6c\x75\x65\x2d\x6e\x6f\x6e\x65\x00"
    "\x18\x00\x0a\x02\x01\x0c\x6e\x6f\x2d\x6b\x65\x79\x00\x14\x00\x14"
    "\x04\x08\x74\x6f\x6d\x62\x01\x00\x3c\x00\x28\x06\x02\x68\x18\x77"
    "\x69\x74\x68\x20\x68\x65\x61\x64\x65\x72\x73\x04\x02\x61\x02\x31"
    "\x0a\x6e\x75\x6c\x6c\x76\x01\x00\x00\x00\x00\x00\x00\x00\x04\x00"
    "\x00\x00\x89\xff\xff\xff\xff\x02\x94\x83\xa5\x42\x00\x03\x00\x00"
    "\x00\x03\x00\x00\x01\x8b\xcf\xe5\x68\x00\x00\x00\x01\x8b\xcf\xe5"
    "\x68\x14\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    "\x00\x00\x00\x04\x04\x22\x4d\x18\x60\x40\x82\x49\x00\x00\x80\x22"
    "\x00\x00\x00\x04\x6b\x31\x12\x76\x61\x6c\x75\x65\x2d\x6c\x7a\x34"
    "\x00\x18\x00\x0a\x02\x01\x0c\x6e\x6f\x2d\x6b\x65\x79\x00\x14\x00"
    "\x14\x04\x08\x74\x6f\x6d\x62\x01\x00\x3c\x00\x28\x06\x02\x68\x18"
    "\x77\x69\x74\x68\x20\x68\x65\x61\x64\x65\x72\x73\x04\x02\x61\x02"
    "\x31\x0a\x6e\x75\x6c\x6c\x76\x01\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x08\x00\x00\x00\x87\xff\xff\xff\xff\x02\xe4\xf8\x7d"
    "\x32\x00\x04\x00\x00\x00\x03\x00\x00\x01\x8b\xcf\xe5\x68\x00\x00"
    "\x00\x01\x8b\xcf\xe5\x68\x14\xff\xff\xff\xff\xff\xff\xff\xff\xff"
    "\xff\xff\xff\xff\xff\x00\x00\x00\x04\x28\xb5\x2f\xfd\x00\x58\x50"
    "\x02\x00\x24\x00\x00\x00\x04\x6b\x31\x14\x76\x61\x6c\x75\x65\x2d"
    "\x7a\x73\x74\x64\x00\x18\x00\x0a\x02\x01\x0c\x6e\x6f\x2d\x6b\x65"
    "\x79\x00\x14\x00\x14\x04\x08\x74\x6f\x6d\x62\x01\x00\x3c\x00\x28"
    "\x06\x02\x68\x18\x77\x69\x74\x68\x20\x68\x65\x61\x64\x65\x72\x73"
    "\x04\x02\x61\x02\x31\x0a\x6e\x75\x6c\x6c\x76\x01\x01\x00\x00",
    431);

// One uncompressed batch at offset 0: ("k1", "v1") at 1700000000000, (null, "no-key") at +5,
// ("h", "with headers", headers a="1", b="") at +20.
const std::string kKafkaPlainBatch(
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x64\xff\xff\xff\xff"
    "\x02\xf6\x6d\x27\xee\x00\x00\x00\x00\x00\x02\x00\x00\x01\x8b\xcf"
    "\xe5\x68\x00\x00\x00\x01\x8b\xcf\xe5\x68\x14\xff\xff\xff\xff\xff"
    "\xff\xff\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x03\x14\x00\x00"
    "\x00\x04\x6b\x31\x04\x76\x31\x00\x18\x00\x0a\x02\x01\x0c\x6e\x6f"
    "\x2d\x6b\x65\x79\x00\x34\x00\x28\x04\x02\x68\x18\x77\x69\x74\x68"
    "\x20\x68\x65\x61\x64\x65\x72\x73\x04\x02\x61\x02\x31\x02\x62\x00",
    112);

TEST(KafkaCompatTest, ReadsBatchesKafkaWrote) {
  std::string scratch;
  size_t at = 0;
  int64_t next = 0;
  for (Codec codec : {Codec::kNone, Codec::kLz4, Codec::kZstd}) {
    BatchHeader h;
    ASSERT_EQ(PeekBatch(std::string_view(kKafkaSegment).substr(at), &h), BatchCheck::kOk);
    std::string_view batch = std::string_view(kKafkaSegment).substr(at, h.total_size());
    EXPECT_TRUE(BatchCrcOk(batch));
    EXPECT_EQ(h.codec(), codec);
    EXPECT_EQ(h.base_offset, next);
    EXPECT_EQ(h.leader_epoch, -1);
    std::vector<std::string> seen;
    ASSERT_TRUE(ForEachRecord(batch, h, &scratch, [&](const RecordView& r) {
                  std::string text = std::to_string(r.offset) + " " + std::to_string(r.timestamp - 1700000000000) +
                                     " " + (r.key ? std::string(*r.key) : "null") + "=" +
                                     (r.value ? std::string(*r.value) : "null");
                  for (const auto& hv : r.headers) {
                    text += " [" + std::string(hv.key) + ":" + (hv.value ? std::string(*hv.value) : "null") + "]";
                  }
                  seen.push_back(text);
                  return Status::OK();
                }).ok());
    std::string n0 = std::to_string(next);
    EXPECT_EQ(seen, (std::vector<std::string>{n0 + " 0 k1=value-" + std::string(CodecName(codec)),
                                              std::to_string(next + 1) + " 5 null=no-key",
                                              std::to_string(next + 2) + " 10 tomb=null",
                                              std::to_string(next + 3) + " 20 h=with headers [a:1] [nullv:null]"}));
    at += h.total_size();
    next += 4;
  }
  EXPECT_EQ(at, kKafkaSegment.size());
}

TEST(KafkaCompatTest, EncodesUncompressedBatchesByteForByteAsKafka) {
  std::vector<Record> records{
      {std::string("k1"), "v1", TimestampFromMillis(1700000000000), {}},
      {std::nullopt, "no-key", TimestampFromMillis(1700000000005), {}},
      {std::string("h"), "with headers", TimestampFromMillis(1700000000020), {{"a", "1"}, {"b", ""}}},
  };
  std::string ours;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, Codec::kNone, 0, &ours, &scratch).ok());
  std::string theirs = kKafkaPlainBatch;
  ASSERT_EQ(ours.size(), theirs.size());
  theirs.replace(12, 4, std::string(4, '\0'));  // partitionLeaderEpoch: -1 from a client, 0 from rtpipe
  EXPECT_EQ(ours, theirs);
}

TEST(KafkaCompatTest, TheLogServesASegmentKafkaWrote) {
  FaultInjectionFileSystem fs;
  {
    auto log = *OpenEmbeddedLog(kMemRoot, TestConfig(1 << 20), LogAccess::kReadWrite, MemOptions(&fs));
    ASSERT_TRUE(log->CreateTopic({"k", 1}).ok());
  }
  std::string segment = std::string(kMemRoot) + "/topics/k/0/00000000000000000000.log";
  (void)fs.RemoveFile(std::string(kMemRoot) + "/topics/k/0/recovery-point");  // none for an empty topic
  {
    auto file = *fs.OpenFile(segment, OpenMode::kCreateOrTrunc);
    ASSERT_TRUE(file->Append(kKafkaSegment).ok());
    ASSERT_TRUE(file->Sync().ok());
  }
  auto log = *OpenEmbeddedLog(kMemRoot, TestConfig(1 << 20), LogAccess::kReadWrite, MemOptions(&fs));
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 0u);
  auto all = *ReadAll(*log, "k", 1);
  ASSERT_EQ(all.size(), 12u);
  EXPECT_FALSE(all[2].value.has_value());  // the tombstone
  EXPECT_EQ(all[7].HeaderValue("a"), "1");
  EXPECT_EQ(*log->EndOffset({"k", PartitionId(0)}), Offset(12));
}

}  // namespace
}  // namespace rtpipe::embedded
