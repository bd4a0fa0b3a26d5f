// A read-only opener of the same directory (as `rtpipe consume` in another process is) while the
// writer appends: it sees every record, in order, never a torn one, and writes nothing. Runs on
// the real file system, with two independent opens of the directory.

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "rtpipe/log/embedded/embedded_log.h"
#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::Numbered;
using namespace std::chrono_literals;

class ReadOnlyOpenerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rtpipe-log-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    config_.url = "file:" + dir_;
    config_.segment_bytes = 16 * 1024;                  // many rolls while the reader reads
    config_.retention = std::chrono::milliseconds(-1);  // the records' timestamps are in 2023
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> Snapshot() {
    std::map<std::string, std::pair<uintmax_t, std::filesystem::file_time_type>> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_)) {
      if (e.is_regular_file()) out[e.path().string()] = {e.file_size(), e.last_write_time()};
    }
    return out;
  }

  std::string dir_;
  LogConfig config_;
};

TEST_F(ReadOnlyOpenerTest, FollowsTheWriterAcrossSegmentsWithoutWriting) {
  auto writer = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadWrite);
  ASSERT_TRUE(writer->CreateTopic({"t", 2}).ok());
  auto producer = *writer->NewProducer();
  ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", 0, 10)).ok());

  auto reader = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadOnly);
  auto consumer = *reader->NewConsumer();
  ASSERT_TRUE(consumer->Assign({{{"t", PartitionId(0)}, Offset(0)}, {{"t", PartitionId(1)}, Offset(0)}}).ok());

  constexpr int kRecords = 3000;
  std::thread appender([&] {
    for (int i = 10; i < kRecords; i += 10) {
      ASSERT_TRUE(producer->Append("t", PartitionId(0), Numbered("v", i, 10, false, 100)).ok());
      if (i % 500 == 0) std::this_thread::sleep_for(2ms);
    }
  });
  std::vector<std::string> got;
  std::vector<int64_t> offsets;
  Status poll_status;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (got.size() < kRecords && std::chrono::steady_clock::now() < deadline && poll_status.ok()) {
    auto polled = consumer->Poll(500, 100ms, {});
    poll_status = polled.status();
    if (!polled.ok()) break;
    for (const auto& r : *polled) {
      EXPECT_EQ(r.partition, PartitionId(0));
      offsets.push_back(r.offset.value());
      got.push_back(*r.value);
    }
  }
  appender.join();
  ASSERT_TRUE(poll_status.ok()) << poll_status;
  for (size_t i = 0; i < offsets.size(); ++i) ASSERT_EQ(offsets[i], static_cast<int64_t>(i));
  ASSERT_EQ(got.size(), size_t{kRecords});
  for (int i = 0; i < kRecords; ++i) ASSERT_EQ(got[i].substr(0, got[i].find('.')), "v" + std::to_string(i));
  EXPECT_GT(reader->DescribeTopic("t")->partitions[0].segments, 10);
  EXPECT_EQ(reader->DescribeTopic("t")->partitions[0].end_offset, Offset(kRecords));

  // The reader changes nothing, while the writer is idle.
  ASSERT_TRUE(writer->RunMaintenance().ok());
  auto before = Snapshot();
  auto again = *reader->NewConsumer();
  ASSERT_TRUE(again->Assign({{{"t", PartitionId(0)}, Offset(0)}}).ok());
  while (!again->Poll(1000, 0ms, {})->empty()) {
  }
  ASSERT_TRUE(reader->OffsetForTime({"t", PartitionId(0)}, TimestampFromMillis(0)).ok());
  ASSERT_TRUE(reader->Close().ok());
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(ReadOnlyOpenerTest, SeesTopicsCreatedLaterAndCommitsGroupOffsets) {
  auto writer = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadWrite);
  auto reader = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadOnly);
  EXPECT_EQ(reader->DescribeTopic("late").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(writer->CreateTopic({"late", 1}).ok());
  auto producer = *writer->NewProducer();
  ASSERT_TRUE(producer->Append("late", PartitionId(0), Numbered("x", 0, 3)).ok());
  EXPECT_EQ(reader->DescribeTopic("late")->partitions[0].end_offset, Offset(3));
  ASSERT_TRUE(reader->CommitOffsets("g", {{{"late", PartitionId(0)}, Offset(2)}}).ok());
  EXPECT_EQ(writer->CommittedOffsets("g", "late")->at({"late", PartitionId(0)}), Offset(2));
}

TEST_F(ReadOnlyOpenerTest, StopsBeforeATornTailAndPicksUpWhatFollows) {
  {
    auto writer = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadWrite);
    ASSERT_TRUE(writer->CreateTopic({"t", 1}).ok());
    ASSERT_TRUE((*writer->NewProducer())->Append("t", PartitionId(0), Numbered("v", 0, 5)).ok());
  }
  // A batch that is still being written (or was torn by a crash): half of a valid batch.
  std::string segment = dir_ + "/topics/t/0/00000000000000000000.log";
  auto size = std::filesystem::file_size(segment);
  {
    FILE* f = std::fopen(segment.c_str(), "ab");
    ASSERT_NE(f, nullptr);
    std::string half(30, '\0');
    half[11] = 100;  // batchLength 100: longer than what is there
    half[16] = 2;    // magic
    std::fwrite(half.data(), 1, half.size(), f);
    std::fclose(f);
  }
  auto reader = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadOnly);
  auto consumer = *reader->NewConsumer();
  ASSERT_TRUE(consumer->Assign({{{"t", PartitionId(0)}, Offset(0)}}).ok());
  auto got = *consumer->Poll(100, 20ms, {});
  EXPECT_EQ(got.size(), 5u);
  EXPECT_TRUE(consumer->Poll(100, 20ms, {})->empty());
  EXPECT_EQ(std::filesystem::file_size(segment), size + 30);  // the reader did not cut it
  // The writer reopens: it cuts the torn tail and appends; the reader picks that up.
  auto writer = *OpenEmbeddedLog(dir_, config_, LogAccess::kReadWrite);
  EXPECT_EQ(std::filesystem::file_size(segment), size);
  ASSERT_TRUE((*writer->NewProducer())->Append("t", PartitionId(0), Numbered("v", 5, 5)).ok());
  std::vector<int64_t> offsets;
  for (int i = 0; i < 50 && offsets.size() < 5; ++i) {
    auto got_now = *consumer->Poll(100, 20ms, {});
    for (const auto& r : got_now) offsets.push_back(r.offset.value());
  }
  EXPECT_EQ(offsets, (std::vector<int64_t>{5, 6, 7, 8, 9}));
}

}  // namespace
}  // namespace rtpipe::embedded
