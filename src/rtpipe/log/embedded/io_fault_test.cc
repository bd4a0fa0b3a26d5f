// Failing IO (EIO, ENOSPC) while appending: the append fails, nothing of it is half visible, and
// the log recovers (at once for a failed write, after a reopen for a failed fsync).

#include <gtest/gtest.h>

#include "rtpipe/log/embedded/embedded_log.h"
#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::FsOp;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::QuietLogs;
using rtpipe::testing::ReadAll;
using rtpipe::testing::TestConfig;
using rtpipe::testing::Values;

class IoFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = *OpenEmbeddedLog(kMemRoot, TestConfig(64 * 1024), LogAccess::kReadWrite, MemOptions(&fs_));
    ASSERT_TRUE(log_->CreateTopic({"t", 1}).ok());
    producer_ = *log_->NewProducer();
    ASSERT_TRUE(producer_->Append("t", PartitionId(0), Numbered("ok", 0, 3)).ok());
  }
  // Fails the next call of `op` on a segment file with `status`.
  void FailNext(FsOp op, Status status, size_t partial_bytes = 0) {
    auto armed = std::make_shared<bool>(true);
    fs_.SetFault(
        [=](FsOp o, const std::string& path) {
          if (o == op && *armed && path.ends_with(".log")) {
            *armed = false;
            return status;
          }
          return Status::OK();
        },
        partial_bytes);
  }

  QuietLogs quiet_;
  FaultInjectionFileSystem fs_;
  std::unique_ptr<EmbeddedLog> log_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(IoFaultTest, DiskFullOnAppendFailsCleanlyAndTheNextAppendWorks) {
  // ENOSPC after a short write: half a batch reached the file.
  FailNext(FsOp::kAppend, Status::ResourceExhausted("writing: No space left on device"), 25);
  auto failed = producer_->Append("t", PartitionId(0), Numbered("lost", 0, 3));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Values(*ReadAll(*log_, "t", 1)), (std::vector<std::string>{"ok0", "ok1", "ok2"}));
  // Space is back: the next append gets the next offset, with no gap and no garbage before it.
  EXPECT_EQ(*producer_->Append("t", PartitionId(0), Numbered("ok", 3, 2)), Offset(3));
  EXPECT_EQ(ReadAll(*log_, "t", 1)->size(), 5u);
  log_.reset();
  auto log = *OpenEmbeddedLog(kMemRoot, TestConfig(64 * 1024), LogAccess::kReadWrite, MemOptions(&fs_));
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 0u);
  EXPECT_EQ(Values(*ReadAll(*log, "t", 1)), (std::vector<std::string>{"ok0", "ok1", "ok2", "ok3", "ok4"}));
}

TEST_F(IoFaultTest, EioOnAppendFailsCleanly) {
  FailNext(FsOp::kAppend, Status::IoError("writing: Input/output error"));
  EXPECT_EQ(producer_->Append("t", PartitionId(0), Numbered("lost", 0, 1)).status().code(), StatusCode::kIoError);
  EXPECT_EQ(*producer_->Append("t", PartitionId(0), Numbered("ok", 3, 1)), Offset(3));
}

TEST_F(IoFaultTest, FailedSyncStopsTheAppendsUntilTheLogIsReopened) {
  FailNext(FsOp::kSync, Status::IoError("syncing: Input/output error"));
  auto failed = producer_->Append("t", PartitionId(0), Numbered("unsure", 0, 2));
  ASSERT_FALSE(failed.ok());
  // After a failed fsync the kernel may have dropped the dirty pages: nothing more is acknowledged.
  auto next = producer_->Append("t", PartitionId(0), Numbered("refused", 0, 1));
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("reopen"), std::string::npos) << next.status();
  // Readers still see the acknowledged records, and not the unsure ones.
  EXPECT_EQ(Values(*ReadAll(*log_, "t", 1)), (std::vector<std::string>{"ok0", "ok1", "ok2"}));
  producer_.reset();
  log_.reset();
  auto log = *OpenEmbeddedLog(kMemRoot, TestConfig(64 * 1024), LogAccess::kReadWrite, MemOptions(&fs_));
  auto values = Values(*ReadAll(*log, "t", 1));
  ASSERT_GE(values.size(), 3u);  // the unsure batch may or may not have made it, whole
  EXPECT_TRUE(values.size() == 3u || values.size() == 5u);
  auto producer = *log->NewProducer();
  EXPECT_EQ(*producer->Append("t", PartitionId(0), Numbered("ok", 9, 1)), Offset(static_cast<int64_t>(values.size())));
}

TEST_F(IoFaultTest, FailedTruncateAfterAFailedWritePoisonsThePartition) {
  auto armed = std::make_shared<int>(2);
  fs_.SetFault(
      [=](FsOp o, const std::string& path) {
        if ((o == FsOp::kAppend || o == FsOp::kTruncate) && path.ends_with(".log") && *armed > 0) {
          --*armed;
          return Status::IoError("Input/output error");
        }
        return Status::OK();
      },
      10);
  EXPECT_FALSE(producer_->Append("t", PartitionId(0), Numbered("x", 0, 1)).ok());
  // The file now holds 10 stray bytes the log could not remove: it must not append after them.
  EXPECT_FALSE(producer_->Append("t", PartitionId(0), Numbered("y", 0, 1)).ok());
  EXPECT_EQ(ReadAll(*log_, "t", 1)->size(), 3u);
  producer_.reset();
  log_.reset();
  auto log = *OpenEmbeddedLog(kMemRoot, TestConfig(64 * 1024), LogAccess::kReadWrite, MemOptions(&fs_));
  EXPECT_EQ(log->recovery_stats().bytes_truncated, 10u);
  EXPECT_EQ(*(*log->NewProducer())->Append("t", PartitionId(0), Numbered("z", 0, 1)), Offset(3));
}

TEST_F(IoFaultTest, FailureToCreateTheNextSegmentFailsTheAppendOnly) {
  LogConfig config = TestConfig(4096);
  producer_.reset();
  log_.reset();
  log_ = *OpenEmbeddedLog(kMemRoot, config, LogAccess::kReadWrite, MemOptions(&fs_));
  producer_ = *log_->NewProducer();
  fs_.SetFault([](FsOp o, const std::string& path) {
    if (o == FsOp::kOpen && path.ends_with(".log")) return Status::ResourceExhausted("No space left on device");
    return Status::OK();
  });
  int failures = 0;
  for (int i = 0; i < 40; ++i) {
    if (!producer_->Append("t", PartitionId(0), Numbered("big", i, 1, false, 500)).ok()) ++failures;
  }
  EXPECT_GT(failures, 0);
  fs_.ClearFault();
  auto before = ReadAll(*log_, "t", 1)->size();
  EXPECT_TRUE(producer_->Append("t", PartitionId(0), Numbered("after", 0, 1, false, 500)).ok());
  EXPECT_EQ(ReadAll(*log_, "t", 1)->size(), before + 1);
}

}  // namespace
}  // namespace rtpipe::embedded
