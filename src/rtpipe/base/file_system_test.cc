#include "rtpipe/base/file_system.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace rtpipe {
namespace {

class PosixFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rtpipe-fs-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  FileSystem& fs_ = FileSystem::Default();
  std::string dir_;
};

TEST_F(PosixFileSystemTest, AppendReadSizeTruncate) {
  std::string path = JoinPath(dir_, "a");
  auto file = fs_.OpenFile(path, OpenMode::kCreateNew);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE((*file)->Append(std::string_view("hello ")).ok());
  ASSERT_TRUE((*file)->Append(std::string_view("world")).ok());
  ASSERT_TRUE((*file)->Sync().ok());
  EXPECT_EQ(*(*file)->Size(), 11u);
  std::string buf(20, '\0');
  auto n = (*file)->ReadAt(6, std::span<char>(buf.data(), buf.size()));
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(buf.substr(0, *n), "world");
  ASSERT_TRUE((*file)->Truncate(5).ok());
  ASSERT_TRUE((*file)->Append(std::string_view("!")).ok());  // appends at the new end
  EXPECT_EQ(*ReadWholeFile(fs_, path), "hello!");
  EXPECT_EQ(fs_.OpenFile(path, OpenMode::kCreateNew).status().code(), StatusCode::kAlreadyExists);
}

TEST_F(PosixFileSystemTest, MissingFilesAreNotFound) {
  EXPECT_EQ(fs_.OpenFile(JoinPath(dir_, "nope"), OpenMode::kReadOnly).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_.Stat(JoinPath(dir_, "nope")).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(*fs_.Exists(JoinPath(dir_, "nope")));
  EXPECT_EQ(fs_.RemoveFile(JoinPath(dir_, "nope")).code(), StatusCode::kNotFound);
}

TEST_F(PosixFileSystemTest, DirectoriesListRenameRemoveAll) {
  std::string deep = JoinPath(dir_, "x/y/z");
  ASSERT_TRUE(fs_.CreateDirs(deep).ok());
  ASSERT_TRUE(fs_.CreateDirs(deep).ok());  // idempotent
  ASSERT_TRUE(WriteFileAtomically(fs_, JoinPath(deep, "f"), "data").ok());
  EXPECT_EQ(*ReadWholeFile(fs_, JoinPath(deep, "f")), "data");
  EXPECT_FALSE(*fs_.Exists(JoinPath(deep, "f.tmp")));
  auto names = fs_.ListDir(deep);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"f"});
  ASSERT_TRUE(fs_.Rename(JoinPath(dir_, "x"), JoinPath(dir_, "w")).ok());
  ASSERT_TRUE(fs_.SyncDir(dir_).ok());
  EXPECT_TRUE(fs_.Stat(JoinPath(dir_, "w/y/z"))->is_dir);
  ASSERT_TRUE(fs_.RemoveAll(JoinPath(dir_, "w")).ok());
  EXPECT_FALSE(*fs_.Exists(JoinPath(dir_, "w")));
  EXPECT_TRUE(fs_.RemoveAll(JoinPath(dir_, "w")).ok());
}

TEST_F(PosixFileSystemTest, LockIsExclusiveUntilReleased) {
  std::string path = JoinPath(dir_, ".lock");
  auto first = fs_.TryLock(path);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = fs_.TryLock(path);
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  first->reset();
  EXPECT_TRUE(fs_.TryLock(path).ok());
}

TEST(PathTest, JoinAndDirName) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(DirName("a/b/c"), "a/b");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("a"), ".");
  EXPECT_EQ(DirName("a/b/"), "a");
}

}  // namespace
}  // namespace rtpipe
