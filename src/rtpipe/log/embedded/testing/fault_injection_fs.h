#pragma once
// An in-memory FileSystem for crash and fault tests. It keeps, for every file, the bytes written
// and the bytes synced, and for every directory the entries that are durable (made so by SyncDir
// of their parent), so it can:
//   - crash like a killed process (Crash(kKeepAll): every handle and lock dies, data stays);
//   - lose power (Crash(kDropUnsynced): files go back to their synced bytes, directories to their
//     synced entries; kRandomUnsynced: a random prefix / random 4 KiB pages of the unsynced bytes
//     survive, as a kernel's partial writeback would leave them);
//   - fail chosen calls with any Status (EIO, ENOSPC...), with a partial write for appends;
//   - flip bits or cut files behind the log's back.
// Paths are absolute ("/log/topics/..."); "/" always exists. Thread-safe.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "rtpipe/base/file_system.h"

namespace rtpipe::testing {

enum class FsOp : uint8_t {
  kOpen,
  kRead,
  kAppend,
  kSync,
  kTruncate,
  kSize,
  kStat,
  kListDir,
  kCreateDir,
  kRemoveFile,
  kRemoveDir,
  kRename,
  kSyncDir,
  kLock,
};

enum class CrashMode : uint8_t {
  kKeepAll,         // process crash (kill -9): the page cache survives
  kDropUnsynced,    // power loss: only synced bytes and synced directory entries survive
  kRandomUnsynced,  // power loss after a partial writeback of unsynced pages
};

class FaultInjectionFileSystem final : public FileSystem {
 public:
  FaultInjectionFileSystem();
  ~FaultInjectionFileSystem() override;

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<std::string>> ListDir(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) override;

  /// Consulted before every call; a non-OK result makes the call fail with it. An append that
  /// fails this way first writes `partial_append_bytes` of its data (a short write).
  using FaultFn = std::function<Status(FsOp op, const std::string& path)>;
  void SetFault(FaultFn fault, size_t partial_append_bytes = 0);
  void ClearFault();
  /// Every File::Sync first sleeps this long (outside any lock), as a disk flush takes time.
  void SetSyncDelay(std::chrono::microseconds delay);

  /// The machine stops: every open handle and lock becomes dead (calls on them fail), the files
  /// take their post-crash contents, and every call fails until Restart().
  void Crash(CrashMode mode, uint64_t seed = 0);
  void Restart();

  // Inspection and damage, behind the back of whoever uses the file system.
  Result<std::string> Contents(const std::string& path) const;
  Result<uint64_t> SyncedSize(const std::string& path) const;
  /// Flips one bit of the file, in the written and the synced bytes alike (bit rot).
  Status FlipBit(const std::string& path, uint64_t byte, int bit);
  /// Cuts the file (written and synced bytes alike).
  Status CutFile(const std::string& path, uint64_t size);
  /// Overwrites bytes of the file (written and synced alike).
  Status Overwrite(const std::string& path, uint64_t offset, const std::string& bytes);
  uint64_t sync_count() const;

 private:
  struct Node {
    std::string data;    // what reads see
    std::string synced;  // what survives a power loss
  };
  class MemFile;
  class MemLock;

  Status CheckLocked(FsOp op, const std::string& path);
  bool DirExistsLocked(const std::string& path) const;

  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Node>> files_;          // guarded by mu_: the live namespace
  std::map<std::string, std::shared_ptr<Node>> durable_files_;  // guarded by mu_: entries as synced
  std::set<std::string> dirs_;                                  // guarded by mu_
  std::set<std::string> durable_dirs_;                          // guarded by mu_
  std::set<std::string> locks_;                                 // guarded by mu_
  FaultFn fault_;                                               // guarded by mu_
  size_t partial_append_bytes_ = 0;                             // guarded by mu_
  bool dead_ = false;                                           // guarded by mu_
  uint64_t generation_ = 0;                                     // guarded by mu_: bumped by Crash
  uint64_t sync_count_ = 0;                                     // guarded by mu_
  std::atomic<int64_t> sync_delay_us_{0};
};

}  // namespace rtpipe::testing
