#pragma once
// The IO seam: every file the durable parts of rtpipe touch goes through a FileSystem, so tests can
// substitute one that injects faults (EIO, ENOSPC, torn writes, power loss). The POSIX
// implementation is FileSystem::Default().
//
// Durability model (what callers must do, and what the fault-injecting implementation enforces):
//  - bytes written to a file are durable only after File::Sync() of that file;
//  - a created, renamed or removed directory entry is durable only after SyncDir() of its parent.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// An open file. Thread-safety: ReadAt and Size may run concurrently with anything; Append,
/// Truncate and Sync of one File must be serialized by the caller (Sync may run concurrently
/// with ReadAt and with Append of later bytes).
class File {
 public:
  virtual ~File() = default;
  File() = default;
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  /// Reads up to out.size() bytes at `offset`; fewer only at the end of the file.
  virtual Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const = 0;
  /// Writes all of `data` at the end of the file. On failure a prefix may have been written.
  virtual Status Append(std::span<const char> data) = 0;
  /// Flushes the file's data (and the size) to stable storage: fdatasync.
  virtual Status Sync() = 0;
  /// Cuts (or extends with zeros) the file to `size` bytes.
  virtual Status Truncate(uint64_t size) = 0;
  /// The current size of the file (as this process sees it; another process may be appending).
  virtual Result<uint64_t> Size() const = 0;
  /// Hints that the kernel may start writing back this range now (sync_file_range); no durability.
  virtual void StartWriteback(uint64_t /*offset*/, uint64_t /*length*/) {}

  virtual const std::string& path() const = 0;
};

/// A held advisory lock; released when destroyed (and by the kernel when the process dies).
class FileLock {
 public:
  virtual ~FileLock() = default;
};

enum class OpenMode : uint8_t {
  kReadOnly,      // must exist
  kReadWrite,     // created if missing; writes append at the end
  kCreateNew,     // must not exist; created empty
  kCreateOrTrunc  // created if missing, emptied if present
};

struct FileInfo {
  bool is_dir = false;
  uint64_t size = 0;
};

/// Thread-safe.
class FileSystem {
 public:
  virtual ~FileSystem() = default;
  FileSystem() = default;
  FileSystem(const FileSystem&) = delete;
  FileSystem& operator=(const FileSystem&) = delete;

  virtual Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) = 0;
  /// NotFound when there is nothing at `path`.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  /// Entry names (not paths) of a directory, without "." and "..", in no particular order.
  virtual Result<std::vector<std::string>> ListDir(const std::string& path) = 0;
  /// Creates one directory; OK when it exists already.
  virtual Status CreateDir(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  /// Removes an empty directory.
  virtual Status RemoveDir(const std::string& path) = 0;
  /// Atomically replaces `to` with `from` (rename(2)).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  /// Makes the directory's entries (creates, renames, removes) durable: fsync of the directory.
  virtual Status SyncDir(const std::string& path) = 0;
  /// Takes an exclusive advisory lock on `path` (created if missing) without waiting:
  /// FailedPrecondition when another holder has it (flock(2) semantics: a second open in the same
  /// process conflicts too).
  virtual Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) = 0;

  /// Creates `path` and any missing parents (not synced).
  Status CreateDirs(const std::string& path);
  /// Removes a file or a directory tree; OK when nothing is there.
  Status RemoveAll(const std::string& path);
  /// True when something exists at `path`.
  Result<bool> Exists(const std::string& path);

  /// The real file system (POSIX calls).
  static FileSystem& Default();
};

/// Reads a whole (small) file.
Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path);

/// Replaces `path` with `data` atomically and durably: write `path`.tmp, sync it, rename it over
/// `path`, sync the directory. A crash leaves either the old or the new content, never a mix.
Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data);

/// "dir/name" (no doubled slash).
std::string JoinPath(std::string_view dir, std::string_view name);
/// The directory part of `path` ("." when there is none).
std::string DirName(std::string_view path);

}  // namespace rtpipe
