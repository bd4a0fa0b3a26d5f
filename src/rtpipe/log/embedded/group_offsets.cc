#include "rtpipe/log/embedded/group_offsets.h"

#include <chrono>
#include <thread>

namespace rtpipe::embedded {
namespace {

constexpr auto kLockWait = std::chrono::seconds(10);

}  // namespace

Result<GroupOffsets> GroupOffsetStore::LoadLocked(const std::string& path) {
  auto bytes = ReadWholeFile(fs_, path);
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return GroupOffsets{};
    return bytes.status();
  }
  auto offsets = DecodeGroupOffsets(*bytes);
  if (!offsets.ok()) return offsets.status().WithContext(path);
  return offsets;
}

Status GroupOffsetStore::Commit(const std::string& group, const GroupOffsets& offsets) {
  RTPIPE_RETURN_IF_ERROR(CheckEntityName("group", group));
  std::lock_guard lock(mu_);
  RTPIPE_ASSIGN_OR_RETURN(bool existed, fs_.Exists(dir_));
  if (!existed) {
    RTPIPE_RETURN_IF_ERROR(fs_.CreateDirs(dir_));
    RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(DirName(dir_)));
  }
  std::unique_ptr<FileLock> file_lock;
  auto deadline = std::chrono::steady_clock::now() + kLockWait;
  while (true) {
    auto locked = fs_.TryLock(JoinPath(dir_, group + ".lock"));
    if (locked.ok()) {
      file_lock = std::move(*locked);
      break;
    }
    if (locked.status().code() != StatusCode::kFailedPrecondition || std::chrono::steady_clock::now() > deadline) {
      return locked.status().WithContext("committing offsets of group " + group);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::string path = JoinPath(dir_, group + ".offsets");
  RTPIPE_ASSIGN_OR_RETURN(GroupOffsets merged, LoadLocked(path));
  for (const auto& [tp, offset] : offsets) merged[tp] = offset;
  return WriteFileAtomically(fs_, path, EncodeGroupOffsets(merged));
}

Result<std::unique_ptr<FileLock>> GroupOffsetStore::LockMembership(const std::string& group) {
  RTPIPE_RETURN_IF_ERROR(CheckEntityName("group", group));
  RTPIPE_RETURN_IF_ERROR(fs_.CreateDirs(dir_));
  std::string path = JoinPath(dir_, group + ".member");
  auto lock = fs_.TryLock(path);
  if (!lock.ok() && lock.status().code() == StatusCode::kFailedPrecondition) {
    return Status::FailedPrecondition(
        "consumer group {} already has a member ({} is locked): the embedded log serves one member per group; "
        "use Kafka (log.url: kafka://...) to spread a group over several consumers",
        group, path);
  }
  return lock;
}

Result<GroupOffsets> GroupOffsetStore::Load(const std::string& group) {
  RTPIPE_RETURN_IF_ERROR(CheckEntityName("group", group));
  return LoadLocked(JoinPath(dir_, group + ".offsets"));
}

}  // namespace rtpipe::embedded
