#include "rtpipe/log/embedded/testing/fault_injection_fs.h"

#include <gtest/gtest.h>

namespace rtpipe::testing {
namespace {

std::unique_ptr<File> Create(FaultInjectionFileSystem& fs, const std::string& path) {
  auto f = fs.OpenFile(path, OpenMode::kCreateNew);
  EXPECT_TRUE(f.ok()) << f.status();
  return std::move(*f);
}

TEST(FaultInjectionFsTest, PowerLossKeepsOnlySyncedBytesAndEntries) {
  FaultInjectionFileSystem fs;
  ASSERT_TRUE(fs.CreateDir("/d").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  auto a = Create(fs, "/d/a");
  ASSERT_TRUE(a->Append(std::string_view("synced")).ok());
  ASSERT_TRUE(a->Sync().ok());
  ASSERT_TRUE(a->Append(std::string_view("+unsynced")).ok());
  ASSERT_TRUE(fs.SyncDir("/d").ok());
  auto b = Create(fs, "/d/b");  // synced data, but its directory entry never was
  ASSERT_TRUE(b->Append(std::string_view("b")).ok());
  ASSERT_TRUE(b->Sync().ok());
  fs.Crash(CrashMode::kDropUnsynced);
  EXPECT_FALSE(a->Append(std::string_view("x")).ok());  // handles die with the machine
  EXPECT_FALSE(fs.Stat("/d/a").ok());                   // and nothing works until restart
  fs.Restart();
  EXPECT_EQ(*fs.Contents("/d/a"), "synced");
  EXPECT_FALSE(*fs.Exists("/d/b"));
}

TEST(FaultInjectionFsTest, RemovalsAndRenamesNeedADirectorySync) {
  FaultInjectionFileSystem fs;
  auto a = Create(fs, "/a");
  ASSERT_TRUE(a->Sync().ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  ASSERT_TRUE(fs.Rename("/a", "/b").ok());
  fs.Crash(CrashMode::kDropUnsynced);
  fs.Restart();
  EXPECT_TRUE(*fs.Exists("/a"));
  EXPECT_FALSE(*fs.Exists("/b"));
  ASSERT_TRUE(fs.Rename("/a", "/b").ok());
  ASSERT_TRUE(fs.SyncDir("/").ok());
  ASSERT_TRUE(fs.RemoveFile("/b").ok());
  fs.Crash(CrashMode::kDropUnsynced);
  fs.Restart();
  EXPECT_TRUE(*fs.Exists("/b"));
  EXPECT_FALSE(*fs.Exists("/a"));
}

TEST(FaultInjectionFsTest, ProcessCrashKeepsUnsyncedData) {
  FaultInjectionFileSystem fs;
  auto a = Create(fs, "/a");
  ASSERT_TRUE(a->Append(std::string_view("page cache")).ok());
  fs.Crash(CrashMode::kKeepAll);
  fs.Restart();
  EXPECT_EQ(*fs.Contents("/a"), "page cache");
}

TEST(FaultInjectionFsTest, RandomWritebackLandsBetweenSyncedAndWritten) {
  for (uint64_t seed = 0; seed < 50; ++seed) {
    FaultInjectionFileSystem fs;
    auto a = Create(fs, "/a");
    ASSERT_TRUE(a->Append(std::string(5000, 's')).ok());
    ASSERT_TRUE(a->Sync().ok());
    ASSERT_TRUE(fs.SyncDir("/").ok());
    ASSERT_TRUE(a->Append(std::string(9000, 'u')).ok());
    fs.Crash(CrashMode::kRandomUnsynced, seed);
    fs.Restart();
    std::string after = *fs.Contents("/a");
    ASSERT_GE(after.size(), 5000u);
    ASSERT_LE(after.size(), 14000u);
    EXPECT_EQ(after.substr(0, 4096), std::string(4096, 's'));  // synced bytes never change
    for (size_t i = 5000; i < after.size(); ++i) ASSERT_TRUE(after[i] == 'u' || after[i] == '\0') << i;
  }
}

TEST(FaultInjectionFsTest, FaultsFailCallsAndLocksAreExclusive) {
  FaultInjectionFileSystem fs;
  fs.SetFault(
      [](FsOp op, const std::string&) {
        return op == FsOp::kAppend ? Status::ResourceExhausted("No space left on device") : Status::OK();
      },
      3);
  auto a = Create(fs, "/a");
  EXPECT_EQ(a->Append(std::string_view("abcdef")).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(*fs.Contents("/a"), "abc");  // the short write happened
  fs.ClearFault();
  auto lock = fs.TryLock("/lock");
  ASSERT_TRUE(lock.ok());
  EXPECT_EQ(fs.TryLock("/lock").status().code(), StatusCode::kFailedPrecondition);
  lock->reset();
  EXPECT_TRUE(fs.TryLock("/lock").ok());
  ASSERT_TRUE(fs.FlipBit("/a", 0, 0).ok());
  EXPECT_EQ(*fs.Contents("/a"), "`bc");
}

}  // namespace
}  // namespace rtpipe::testing
