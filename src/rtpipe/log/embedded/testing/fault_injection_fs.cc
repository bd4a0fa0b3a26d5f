#include "rtpipe/log/embedded/testing/fault_injection_fs.h"

#include <algorithm>
#include <random>
#include <thread>

namespace rtpipe::testing {
namespace {

bool IsDirectChild(const std::string& path, const std::string& dir) { return DirName(path) == dir; }

bool UnderDir(const std::string& path, const std::string& dir) {
  std::string prefix = dir == "/" ? "/" : dir + "/";
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0;
}

Status Dead() { return Status::IoError("simulated crash: the machine is down"); }

}  // namespace

class FaultInjectionFileSystem::MemFile final : public File {
 public:
  MemFile(FaultInjectionFileSystem* fs, std::shared_ptr<Node> node, std::string path, uint64_t generation,
          bool writable)
      : fs_(fs), node_(std::move(node)), path_(std::move(path)), generation_(generation), writable_(writable) {}

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    std::lock_guard lock(fs_->mu_);
    RTPIPE_RETURN_IF_ERROR(Check(FsOp::kRead));
    const std::string& data = node_->data;
    if (offset >= data.size()) return size_t{0};
    size_t n = std::min<size_t>(out.size(), data.size() - offset);
    std::copy_n(data.data() + offset, n, out.data());
    return n;
  }

  Status Append(std::span<const char> data) override {
    std::lock_guard lock(fs_->mu_);
    if (!writable_) return Status::IoError("writing {}: Bad file descriptor", path_);
    Status s = Check(FsOp::kAppend);
    if (!s.ok()) {
      if (fs_->generation_ == generation_ && !fs_->dead_) {
        node_->data.append(data.data(), std::min(data.size(), fs_->partial_append_bytes_));
      }
      return s;
    }
    node_->data.append(data.data(), data.size());
    return Status::OK();
  }

  Status Sync() override {
    if (int64_t us = fs_->sync_delay_us_.load(); us > 0) std::this_thread::sleep_for(std::chrono::microseconds(us));
    std::lock_guard lock(fs_->mu_);
    RTPIPE_RETURN_IF_ERROR(Check(FsOp::kSync));
    node_->synced = node_->data;
    ++fs_->sync_count_;
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard lock(fs_->mu_);
    if (!writable_) return Status::IoError("truncating {}: Bad file descriptor", path_);
    RTPIPE_RETURN_IF_ERROR(Check(FsOp::kTruncate));
    node_->data.resize(size, '\0');
    return Status::OK();
  }

  Result<uint64_t> Size() const override {
    std::lock_guard lock(fs_->mu_);
    RTPIPE_RETURN_IF_ERROR(Check(FsOp::kSize));
    return static_cast<uint64_t>(node_->data.size());
  }

  const std::string& path() const override { return path_; }

 private:
  Status Check(FsOp op) const {
    if (fs_->dead_ || fs_->generation_ != generation_) return Dead();
    return fs_->CheckLocked(op, path_);
  }

  FaultInjectionFileSystem* fs_;
  std::shared_ptr<Node> node_;
  std::string path_;
  uint64_t generation_;
  bool writable_;
};

class FaultInjectionFileSystem::MemLock final : public FileLock {
 public:
  MemLock(FaultInjectionFileSystem* fs, std::string path, uint64_t generation)
      : fs_(fs), path_(std::move(path)), generation_(generation) {}
  ~MemLock() override {
    std::lock_guard lock(fs_->mu_);
    if (fs_->generation_ == generation_) fs_->locks_.erase(path_);
  }

 private:
  FaultInjectionFileSystem* fs_;
  std::string path_;
  uint64_t generation_;
};

FaultInjectionFileSystem::FaultInjectionFileSystem() {
  dirs_.insert("/");
  durable_dirs_.insert("/");
}

FaultInjectionFileSystem::~FaultInjectionFileSystem() = default;

Status FaultInjectionFileSystem::CheckLocked(FsOp op, const std::string& path) {
  if (dead_) return Dead();
  if (fault_) return fault_(op, path);
  return Status::OK();
}

bool FaultInjectionFileSystem::DirExistsLocked(const std::string& path) const { return dirs_.count(path) != 0; }

Result<std::unique_ptr<File>> FaultInjectionFileSystem::OpenFile(const std::string& path, OpenMode mode) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kOpen, path));
  if (!DirExistsLocked(DirName(path))) return Status::NotFound("opening {}: No such file or directory", path);
  if (DirExistsLocked(path)) return Status::IoError("opening {}: Is a directory", path);
  auto it = files_.find(path);
  std::shared_ptr<Node> node;
  switch (mode) {
    case OpenMode::kReadOnly:
      if (it == files_.end()) return Status::NotFound("opening {}: No such file or directory", path);
      node = it->second;
      break;
    case OpenMode::kCreateNew:
      if (it != files_.end()) return Status::AlreadyExists("opening {}: File exists", path);
      node = std::make_shared<Node>();
      files_[path] = node;
      break;
    case OpenMode::kReadWrite:
    case OpenMode::kCreateOrTrunc:
      if (it == files_.end()) {
        node = std::make_shared<Node>();
        files_[path] = node;
      } else {
        node = it->second;
        if (mode == OpenMode::kCreateOrTrunc) node->data.clear();
      }
      break;
  }
  return std::unique_ptr<File>(
      std::make_unique<MemFile>(this, std::move(node), path, generation_, mode != OpenMode::kReadOnly));
}

Result<FileInfo> FaultInjectionFileSystem::Stat(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kStat, path));
  if (DirExistsLocked(path)) return FileInfo{true, 0};
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("stat of {}: No such file or directory", path);
  return FileInfo{false, it->second->data.size()};
}

Result<std::vector<std::string>> FaultInjectionFileSystem::ListDir(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kListDir, path));
  if (!DirExistsLocked(path)) return Status::NotFound("listing {}: No such file or directory", path);
  std::vector<std::string> names;
  for (const auto& [p, node] : files_) {
    if (IsDirectChild(p, path)) names.push_back(p.substr(p.rfind('/') + 1));
  }
  for (const auto& d : dirs_) {
    if (d != "/" && IsDirectChild(d, path)) names.push_back(d.substr(d.rfind('/') + 1));
  }
  return names;
}

Status FaultInjectionFileSystem::CreateDir(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kCreateDir, path));
  if (DirExistsLocked(path)) return Status::OK();
  if (!DirExistsLocked(DirName(path)))
    return Status::NotFound("creating directory {}: No such file or directory", path);
  if (files_.count(path) != 0) return Status::AlreadyExists("creating directory {}: File exists", path);
  dirs_.insert(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::RemoveFile(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kRemoveFile, path));
  if (files_.erase(path) == 0) return Status::NotFound("removing {}: No such file or directory", path);
  return Status::OK();
}

Status FaultInjectionFileSystem::RemoveDir(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kRemoveDir, path));
  if (!DirExistsLocked(path)) return Status::NotFound("removing directory {}: No such file or directory", path);
  for (const auto& [p, node] : files_) {
    if (UnderDir(p, path)) return Status::IoError("removing directory {}: Directory not empty", path);
  }
  for (const auto& d : dirs_) {
    if (UnderDir(d, path)) return Status::IoError("removing directory {}: Directory not empty", path);
  }
  dirs_.erase(path);
  return Status::OK();
}

Status FaultInjectionFileSystem::Rename(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kRename, from));
  if (!DirExistsLocked(DirName(to))) return Status::NotFound("renaming {}: No such file or directory", to);
  auto it = files_.find(from);
  if (it != files_.end()) {
    auto node = it->second;
    files_.erase(it);
    files_[to] = std::move(node);
    return Status::OK();
  }
  if (!DirExistsLocked(from)) return Status::NotFound("renaming {}: No such file or directory", from);
  if (DirExistsLocked(to)) return Status::IoError("renaming {} to {}: Directory not empty", from, to);
  // Move the directory and everything below it, in the live namespace.
  std::map<std::string, std::shared_ptr<Node>> moved_files;
  for (auto f = files_.begin(); f != files_.end();) {
    if (UnderDir(f->first, from)) {
      moved_files[to + f->first.substr(from.size())] = f->second;
      f = files_.erase(f);
    } else {
      ++f;
    }
  }
  std::set<std::string> moved_dirs;
  for (auto d = dirs_.begin(); d != dirs_.end();) {
    if (*d == from || UnderDir(*d, from)) {
      moved_dirs.insert(to + d->substr(from.size()));
      d = dirs_.erase(d);
    } else {
      ++d;
    }
  }
  files_.insert(moved_files.begin(), moved_files.end());
  dirs_.insert(moved_dirs.begin(), moved_dirs.end());
  // Entries inside a renamed directory keep their durability: the durable namespace follows the
  // rename of their parent once that is synced, so record them under the new name too.
  std::map<std::string, std::shared_ptr<Node>> durable_moved;
  for (const auto& [p, node] : durable_files_) {
    if (UnderDir(p, from)) durable_moved[to + p.substr(from.size())] = node;
  }
  for (const auto& d : std::set<std::string>(durable_dirs_)) {
    if (UnderDir(d, from)) durable_dirs_.insert(to + d.substr(from.size()));
  }
  durable_files_.insert(durable_moved.begin(), durable_moved.end());
  return Status::OK();
}

Status FaultInjectionFileSystem::SyncDir(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kSyncDir, path));
  if (!DirExistsLocked(path)) return Status::NotFound("opening directory {}: No such file or directory", path);
  ++sync_count_;
  for (auto it = durable_files_.begin(); it != durable_files_.end();) {
    if (IsDirectChild(it->first, path) && files_.count(it->first) == 0) {
      it = durable_files_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [p, node] : files_) {
    if (IsDirectChild(p, path)) durable_files_[p] = node;
  }
  for (auto it = durable_dirs_.begin(); it != durable_dirs_.end();) {
    if (*it != "/" && IsDirectChild(*it, path) && dirs_.count(*it) == 0) {
      it = durable_dirs_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& d : dirs_) {
    if (d != "/" && IsDirectChild(d, path)) durable_dirs_.insert(d);
  }
  return Status::OK();
}

Result<std::unique_ptr<FileLock>> FaultInjectionFileSystem::TryLock(const std::string& path) {
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(CheckLocked(FsOp::kLock, path));
  if (!DirExistsLocked(DirName(path))) return Status::NotFound("opening lock file {}: No such file or directory", path);
  if (files_.count(path) == 0) files_[path] = std::make_shared<Node>();
  if (locks_.count(path) != 0) return Status::FailedPrecondition("{} is locked by another holder", path);
  locks_.insert(path);
  return std::unique_ptr<FileLock>(std::make_unique<MemLock>(this, path, generation_));
}

void FaultInjectionFileSystem::SetFault(FaultFn fault, size_t partial_append_bytes) {
  std::lock_guard lock(mu_);
  fault_ = std::move(fault);
  partial_append_bytes_ = partial_append_bytes;
}

void FaultInjectionFileSystem::ClearFault() { SetFault(nullptr, 0); }

void FaultInjectionFileSystem::SetSyncDelay(std::chrono::microseconds delay) { sync_delay_us_ = delay.count(); }

void FaultInjectionFileSystem::Crash(CrashMode mode, uint64_t seed) {
  std::lock_guard lock(mu_);
  dead_ = true;
  ++generation_;
  locks_.clear();
  if (mode == CrashMode::kKeepAll) return;
  std::mt19937_64 rng(seed);
  // Directories: only durable ones whose parents are durable survive.
  std::set<std::string> dirs;
  for (const auto& d : durable_dirs_) {
    bool reachable = true;
    for (std::string p = d; p != "/"; p = DirName(p)) reachable = reachable && durable_dirs_.count(p) != 0;
    if (reachable) dirs.insert(d);
  }
  std::map<std::string, std::shared_ptr<Node>> files;
  for (const auto& [p, node] : durable_files_) {
    if (dirs.count(DirName(p)) == 0) continue;
    std::string& data = node->data;
    const std::string& synced = node->synced;
    if (mode == CrashMode::kDropUnsynced || data == synced) {
      data = synced;
    } else {
      // A random size between the synced and the written one, and for each 4 KiB page either the
      // written or the old (synced, else zero) bytes.
      size_t lo = std::min(data.size(), synced.size());
      size_t hi = std::max(data.size(), synced.size());
      size_t size = lo + static_cast<size_t>(rng() % (hi - lo + 1));
      std::string result(size, '\0');
      for (size_t page = 0; page < size; page += 4096) {
        size_t n = std::min<size_t>(4096, size - page);
        bool take_new = (rng() & 1) != 0;
        const std::string& src = take_new ? data : synced;
        for (size_t i = 0; i < n; ++i) {
          size_t at = page + i;
          if (at < src.size()) result[at] = src[at];
        }
      }
      data = std::move(result);
    }
    node->synced = data;
    files[p] = node;
  }
  files_ = files;
  durable_files_ = std::move(files);
  dirs_ = dirs;
  durable_dirs_ = std::move(dirs);
}

void FaultInjectionFileSystem::Restart() {
  std::lock_guard lock(mu_);
  dead_ = false;
}

Result<std::string> FaultInjectionFileSystem::Contents(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("{}: no such file", path);
  return it->second->data;
}

Result<uint64_t> FaultInjectionFileSystem::SyncedSize(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("{}: no such file", path);
  return static_cast<uint64_t>(it->second->synced.size());
}

Status FaultInjectionFileSystem::FlipBit(const std::string& path, uint64_t byte, int bit) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("{}: no such file", path);
  for (std::string* s : {&it->second->data, &it->second->synced}) {
    if (byte < s->size()) (*s)[byte] = static_cast<char>((*s)[byte] ^ (1 << bit));
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::CutFile(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("{}: no such file", path);
  for (std::string* s : {&it->second->data, &it->second->synced}) {
    if (size < s->size()) s->resize(size);
  }
  return Status::OK();
}

Status FaultInjectionFileSystem::Overwrite(const std::string& path, uint64_t offset, const std::string& bytes) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) return Status::NotFound("{}: no such file", path);
  for (std::string* s : {&it->second->data, &it->second->synced}) {
    for (size_t i = 0; i < bytes.size() && offset + i < s->size(); ++i) (*s)[offset + i] = bytes[i];
  }
  return Status::OK();
}

uint64_t FaultInjectionFileSystem::sync_count() const {
  std::lock_guard lock(mu_);
  return sync_count_;
}

}  // namespace rtpipe::testing
