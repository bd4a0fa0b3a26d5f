#include "rtpipe/log/embedded/dump.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::TestConfig;

std::string Dump(FileSystem& fs, const std::string& path, bool records) {
  char* buf = nullptr;
  size_t len = 0;
  FILE* out = ::open_memstream(&buf, &len);
  Status s = DumpLogPath(fs, path, {records}, out);
  std::fclose(out);
  std::string text(buf, len);
  std::free(buf);
  EXPECT_TRUE(s.ok()) << s;
  return text;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(DumpTest, ListsBatchesRecordsAndDamage) {
  FaultInjectionFileSystem fs;
  {
    LogConfig config = TestConfig(1 << 20);
    config.compression = Compression::kZstd;
    auto log = *OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs));
    ASSERT_TRUE(log->CreateTopic({"t", 1}).ok());
    auto producer = *log->NewProducer();
    ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 0, 3, true)).ok());
    ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 3, 2)).ok());
  }
  std::string dir = std::string(kMemRoot) + "/topics/t/0";
  std::string segment = dir + "/00000000000000000000.log";
  std::string text = Dump(fs, dir, true);
  EXPECT_EQ(Count(text, "crc: ok"), 2u) << text;
  EXPECT_EQ(Count(text, "codec: zstd"), 2u);
  EXPECT_NE(text.find("baseOffset: 3 lastOffset: 4 count: 2"), std::string::npos) << text;
  EXPECT_NE(text.find("key: k1 value: v1"), std::string::npos) << text;
  EXPECT_NE(text.find("key: null value: v4"), std::string::npos) << text;
  EXPECT_NE(text.find("2 batches, 5 records"), std::string::npos) << text;

  uint64_t size = fs.Contents(segment)->size();
  ASSERT_TRUE(fs.FlipBit(segment, size - 3, 0).ok());
  text = Dump(fs, segment, false);
  EXPECT_EQ(Count(text, "crc: ok"), 1u) << text;
  EXPECT_EQ(Count(text, "crc: BAD"), 1u) << text;
  ASSERT_TRUE(fs.CutFile(segment, size - 1).ok());
  text = Dump(fs, segment, false);
  EXPECT_EQ(Count(text, "crc: ok"), 1u) << text;
  EXPECT_NE(text.find("incomplete batch"), std::string::npos) << text;
  // The time index lists its entries.
  EXPECT_NE(Dump(fs, dir + "/00000000000000000000.timeindex", false).find("offset: 4"), std::string::npos);
}

}  // namespace
}  // namespace rtpipe::embedded
