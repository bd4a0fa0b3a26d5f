#include "rtpipe/base/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace rtpipe {
namespace {

Status ErrnoStatus(int errnum, std::string_view what, std::string_view path) {
  std::string text = fmt::format("{} {}: {}", what, path, std::strerror(errnum));
  switch (errnum) {
    case ENOENT:
      return {StatusCode::kNotFound, std::move(text)};
    case EEXIST:
      return {StatusCode::kAlreadyExists, std::move(text)};
    case ENOSPC:
    case EDQUOT:
    case EFBIG:
      return {StatusCode::kResourceExhausted, std::move(text)};
    case EACCES:
    case EPERM:
      return {StatusCode::kPermissionDenied, std::move(text)};
    default:
      return {StatusCode::kIoError, std::move(text)};
  }
}

class PosixFile final : public File {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "reading", path_);
      }
      if (n == 0) break;
      done += static_cast<size_t>(n);
    }
    return done;
  }

  Status Append(std::span<const char> data) override {
    size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd_, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return ErrnoStatus(errno, "writing", path_);
      }
      done += static_cast<size_t>(n);
    }
    return Status::OK();
  }

  Status Sync() override {
    while (::fdatasync(fd_) != 0) {
      if (errno != EINTR) return ErrnoStatus(errno, "syncing", path_);
    }
    return Status::OK();
  }

  Status Truncate(uint64_t size) override {
    while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      if (errno != EINTR) return ErrnoStatus(errno, "truncating", path_);
    }
    return Status::OK();
  }

  Result<uint64_t> Size() const override {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return ErrnoStatus(errno, "stat of", path_);
    return static_cast<uint64_t>(st.st_size);
  }

  void StartWriteback(uint64_t offset, uint64_t length) override {
    ::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), SYNC_FILE_RANGE_WRITE);
  }

  const std::string& path() const override { return path_; }

 private:
  int fd_;
  std::string path_;
};

class PosixLock final : public FileLock {
 public:
  explicit PosixLock(int fd) : fd_(fd) {}
  ~PosixLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixFileSystem final : public FileSystem {
 public:
  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case OpenMode::kReadOnly:
        flags |= O_RDONLY;
        break;
      case OpenMode::kReadWrite:
        flags |= O_RDWR | O_CREAT | O_APPEND;
        break;
      case OpenMode::kCreateNew:
        flags |= O_RDWR | O_CREAT | O_EXCL | O_APPEND;
        break;
      case OpenMode::kCreateOrTrunc:
        flags |= O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
        break;
    }
    int fd = -1;
    do {
      fd = ::open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return ErrnoStatus(errno, "opening", path);
    return std::unique_ptr<File>(std::make_unique<PosixFile>(fd, path));
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, "stat of", path);
    return FileInfo{S_ISDIR(st.st_mode), static_cast<uint64_t>(st.st_size)};
  }

  Result<std::vector<std::string>> ListDir(const std::string& path) override {
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return ErrnoStatus(errno, "listing", path);
    std::vector<std::string> names;
    errno = 0;
    while (struct dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
    }
    int err = errno;
    ::closedir(dir);
    if (err != 0) return ErrnoStatus(err, "listing", path);
    return names;
  }

  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0) return Status::OK();
    if (errno == EEXIST) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Status::OK();
    }
    return ErrnoStatus(errno, "creating directory", path);
  }

  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return ErrnoStatus(errno, "removing", path);
    return Status::OK();
  }

  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return ErrnoStatus(errno, "removing directory", path);
    return Status::OK();
  }

  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) return ErrnoStatus(errno, "renaming to " + to, from);
    return Status::OK();
  }

  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ErrnoStatus(errno, "opening directory", path);
    Status status;
    while (::fsync(fd) != 0) {
      if (errno != EINTR) {
        status = ErrnoStatus(errno, "syncing directory", path);
        break;
      }
    }
    ::close(fd);
    return status;
  }

  Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return ErrnoStatus(errno, "opening lock file", path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return Status::FailedPrecondition("{} is locked by another holder", path);
      return ErrnoStatus(err, "locking", path);
    }
    return std::unique_ptr<FileLock>(std::make_unique<PosixLock>(fd));
  }
};

}  // namespace

Status FileSystem::CreateDirs(const std::string& path) {
  if (path.empty()) return Status::OK();
  auto info = Stat(path);
  if (info.ok()) {
    return info->is_dir ? Status::OK() : Status::FailedPrecondition("{} exists and is not a directory", path);
  }
  std::string parent = DirName(path);
  if (parent != path && parent != "." && parent != "/") RTPIPE_RETURN_IF_ERROR(CreateDirs(parent));
  return CreateDir(path);
}

Status FileSystem::RemoveAll(const std::string& path) {
  auto info = Stat(path);
  if (!info.ok()) return info.status().code() == StatusCode::kNotFound ? Status::OK() : info.status();
  if (!info->is_dir) return RemoveFile(path);
  RTPIPE_ASSIGN_OR_RETURN(auto names, ListDir(path));
  for (const auto& name : names) RTPIPE_RETURN_IF_ERROR(RemoveAll(JoinPath(path, name)));
  return RemoveDir(path);
}

Result<bool> FileSystem::Exists(const std::string& path) {
  auto info = Stat(path);
  if (info.ok()) return true;
  if (info.status().code() == StatusCode::kNotFound) return false;
  return info.status();
}

FileSystem& FileSystem::Default() {
  static PosixFileSystem fs;
  return fs;
}

Result<std::string> ReadWholeFile(FileSystem& fs, const std::string& path) {
  RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(path, OpenMode::kReadOnly));
  RTPIPE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::string data(size, '\0');
  RTPIPE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, std::span<char>(data.data(), data.size())));
  data.resize(n);
  return data;
}

Status WriteFileAtomically(FileSystem& fs, const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp";
  {
    RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(tmp, OpenMode::kCreateOrTrunc));
    RTPIPE_RETURN_IF_ERROR(file->Append(std::span<const char>(data.data(), data.size())));
    RTPIPE_RETURN_IF_ERROR(file->Sync());
  }
  RTPIPE_RETURN_IF_ERROR(fs.Rename(tmp, path));
  return fs.SyncDir(DirName(path));
}

std::string JoinPath(std::string_view dir, std::string_view name) {
  if (dir.empty()) return std::string(name);
  std::string out(dir);
  if (out.back() != '/') out.push_back('/');
  out.append(name);
  return out;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

}  // namespace rtpipe
