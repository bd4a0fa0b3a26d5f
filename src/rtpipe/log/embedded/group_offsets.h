#pragma once
// Consumer-group offsets: one file per group, `groups/<group>.offsets` (format in metadata.h),
// replaced atomically on every commit. Commits may come from the writer process or from read-only
// processes (e.g. `rtpipe consume --group`); a per-group lock file (`groups/<group>.lock`, flock)
// serializes their read-merge-write across processes.
//
// Thread-safe.

#include <mutex>
#include <string>

#include "rtpipe/base/file_system.h"
#include "rtpipe/log/embedded/metadata.h"

namespace rtpipe::embedded {

class GroupOffsetStore {
 public:
  GroupOffsetStore(FileSystem& fs, std::string dir) : fs_(fs), dir_(std::move(dir)) {}

  /// Merges `offsets` into the group's committed offsets, durably.
  Status Commit(const std::string& group, const GroupOffsets& offsets);
  /// The group's committed offsets (empty when it never committed).
  Result<GroupOffsets> Load(const std::string& group);
  /// Membership of the group's one consumer (GroupConsumer): an flock on `groups/<group>.member`,
  /// held while the returned lock lives. FailedPrecondition when another consumer (in this or
  /// another process) holds it.
  Result<std::unique_ptr<FileLock>> LockMembership(const std::string& group);

 private:
  Result<GroupOffsets> LoadLocked(const std::string& path);

  FileSystem& fs_;
  const std::string dir_;
  std::mutex mu_;  // serializes this process's commits (flock does not order threads of one process)
};

}  // namespace rtpipe::embedded
