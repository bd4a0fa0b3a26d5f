#include "rtpipe/log/embedded/log_core.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/thread_name.h"

namespace rtpipe::embedded {
namespace {

constexpr std::string_view kLockFile = ".lock";
constexpr std::string_view kCleanShutdownFile = ".clean-shutdown";
constexpr std::string_view kTopicMetaFile = "topic.meta";
constexpr std::string_view kCreatingPrefix = ".creating.";
constexpr std::string_view kDeletingPrefix = ".deleting.";
constexpr int kMaxPartitions = 10000;

std::string PartitionDir(const std::string& topic_dir, int partition) {
  return JoinPath(topic_dir, std::to_string(partition));
}

}  // namespace

LogCore::LogCore(std::string root, const LogConfig& config, bool writable, const EmbeddedLogOptions& options)
    : root_(std::move(root)),
      config_(config),
      writable_(writable),
      options_(options),
      fs_(*options.fs),
      groups_(*options.fs, JoinPath(root_, "groups")) {}

LogCore::~LogCore() {
  if (!closed_) {
    Status s = Close();
    if (!s.ok()) GetLogger("log")->error("closing the log at {}: {}", root_, s.message());
  }
}

Result<std::shared_ptr<LogCore>> LogCore::Open(const std::string& root, const LogConfig& config, LogAccess access,
                                               const EmbeddedLogOptions& options) {
  std::shared_ptr<LogCore> core(new LogCore(root, config, access == LogAccess::kReadWrite, options));
  if (core->writable_) {
    Status s = core->OpenWriter();
    if (!s.ok()) {
      core->closed_ = true;  // nothing to flush: do not write a clean-shutdown marker
      core->maintenance_ = {};
      return s;
    }
  } else {
    auto info = core->fs_.Stat(root);
    if (!info.ok()) {
      core->closed_ = true;
      if (info.status().code() == StatusCode::kNotFound) {
        return Status::NotFound("there is no log at {} (nothing was written there yet)", root);
      }
      return info.status();
    }
  }
  return core;
}

Status LogCore::OpenWriter() {
  auto log = GetLogger("log");
  RTPIPE_ASSIGN_OR_RETURN(bool existed, fs_.Exists(root_));
  if (!existed) {
    RTPIPE_RETURN_IF_ERROR(fs_.CreateDirs(root_));
    RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(DirName(root_)));
  }
  std::string lock_path = JoinPath(root_, kLockFile);
  auto locked = fs_.TryLock(lock_path);
  if (!locked.ok()) {
    if (locked.status().code() != StatusCode::kFailedPrecondition) return locked.status();
    auto holder = ReadWholeFile(fs_, lock_path);
    std::string pid = holder.ok() ? std::string(holder->substr(0, holder->find('\n'))) : "";
    if (pid.empty()) pid = "unknown";
    return Status::FailedPrecondition(
        "the log at {} is in use by another writer process (pid {}); only one process may write a log directory "
        "(read-only commands such as `rtpipe consume` may run alongside it)",
        root_, pid);
  }
  lock_ = std::move(*locked);
  {
    RTPIPE_ASSIGN_OR_RETURN(auto pid_file, fs_.OpenFile(lock_path, OpenMode::kReadWrite));
    RTPIPE_RETURN_IF_ERROR(pid_file->Truncate(0));
    RTPIPE_RETURN_IF_ERROR(pid_file->Append(fmt::format("{}\n", ::getpid())));
  }
  for (const auto& dir : {TopicsDir(), JoinPath(root_, "groups")}) {
    RTPIPE_ASSIGN_OR_RETURN(bool dir_existed, fs_.Exists(dir));
    if (!dir_existed) {
      RTPIPE_RETURN_IF_ERROR(fs_.CreateDir(dir));
      RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(root_));
    }
  }
  std::string marker = JoinPath(root_, kCleanShutdownFile);
  RTPIPE_ASSIGN_OR_RETURN(bool clean, fs_.Exists(marker));
  auto started = std::chrono::steady_clock::now();
  RTPIPE_ASSIGN_OR_RETURN(auto names, fs_.ListDir(TopicsDir()));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    if (name.starts_with(kCreatingPrefix) || name.starts_with(kDeletingPrefix)) {
      RTPIPE_RETURN_IF_ERROR(fs_.RemoveAll(JoinPath(TopicsDir(), name)));  // an interrupted create/delete
      continue;
    }
    if (name.starts_with('.')) continue;
    auto topic = LoadTopic(name);
    if (!topic.ok() && topic.status().code() == StatusCode::kNotFound) {
      log->warn("{}: ignoring {}, which has no {}", root_, JoinPath(TopicsDir(), name), kTopicMetaFile);
      continue;
    }
    RTPIPE_RETURN_IF_ERROR(topic.status());
    topics_[name] = std::move(*topic);
  }
  if (clean) {
    // From here on the directory may change again: the marker must not outlive this moment.
    RTPIPE_RETURN_IF_ERROR(fs_.RemoveFile(marker));
    RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(root_));
  }
  for (const auto& [name, topic] : topics_) {
    for (auto& p : topic->partitions) RTPIPE_RETURN_IF_ERROR(p->Checkpoint());
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  const RecoveryStats& st = recovery_stats_;
  if (clean && st.bytes_truncated == 0) {
    log->debug("opened {} after a clean shutdown: {} topics, checked {} bytes in {:.1f} ms", root_, topics_.size(),
               st.bytes_scanned, ms);
  } else if (!topics_.empty()) {
    log->info(
        "recovered {} after {}: scanned {} bytes ({} batches) in {:.1f} ms, cut {} bytes, dropped {} "
        "segments, rebuilt {} indexes",
        root_, clean ? "a clean shutdown" : "an unclean shutdown", st.bytes_scanned, st.batches_scanned, ms,
        st.bytes_truncated, st.segments_dropped, st.indexes_rebuilt);
  }
  auto now = std::chrono::steady_clock::now();
  last_sync_ = now;
  last_checkpoint_ = now;
  if (options_.background_maintenance) {
    maintenance_ = std::jthread([this](std::stop_token stop) {
      SetThreadName("log-maintain");
      MaintenanceLoop(stop);
    });
  }
  return Status::OK();
}

PartitionOptions LogCore::MakePartitionOptions() {
  PartitionOptions o;
  o.fs = &fs_;
  o.clock = options_.clock;
  o.writable = writable_;
  o.fsync = config_.fsync;
  o.segment_bytes = config_.segment_bytes;
  o.segment_age_ms = config_.segment_age.count();
  o.retention_bytes = config_.retention_bytes;
  o.retention_ms = config_.retention.count();
  o.on_visible = [this] { NotifyData(); };
  return o;
}

Result<std::shared_ptr<Topic>> LogCore::LoadTopic(const std::string& name) {
  auto topic = std::make_shared<Topic>();
  topic->name = name;
  topic->dir = JoinPath(TopicsDir(), name);
  auto bytes = ReadWholeFile(fs_, JoinPath(topic->dir, kTopicMetaFile));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return Status::NotFound("topic \"{}\" does not exist", name);
    return bytes.status();
  }
  RTPIPE_ASSIGN_OR_RETURN(topic->meta, DecodeTopicMeta(*bytes));
  PartitionOptions options = MakePartitionOptions();
  for (int p = 0; p < topic->meta.partitions; ++p) {
    RecoveryStats stats;
    RTPIPE_ASSIGN_OR_RETURN(auto partition, Partition::Open(PartitionDir(topic->dir, p), options, &stats));
    recovery_stats_.bytes_scanned += stats.bytes_scanned;
    recovery_stats_.batches_scanned += stats.batches_scanned;
    recovery_stats_.bytes_truncated += stats.bytes_truncated;
    recovery_stats_.segments_dropped += stats.segments_dropped;
    recovery_stats_.indexes_rebuilt += stats.indexes_rebuilt;
    topic->partitions.push_back(std::move(partition));
  }
  return topic;
}

Status LogCore::CheckOpen() const {
  if (closed_) return Status::FailedPrecondition("the log at {} is closed", root_);
  return Status::OK();
}

Result<std::shared_ptr<Topic>> LogCore::GetTopic(const std::string& name) {
  RTPIPE_RETURN_IF_ERROR(CheckOpen());
  {
    std::shared_lock lock(topics_mu_);
    auto it = topics_.find(name);
    if (it != topics_.end()) return it->second;
    if (writable_) return Status::NotFound("topic \"{}\" does not exist", name);
  }
  RTPIPE_RETURN_IF_ERROR(CheckEntityName("topic", name));
  std::unique_lock lock(topics_mu_);
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second;
  RTPIPE_ASSIGN_OR_RETURN(auto topic, LoadTopic(name));
  topics_[name] = topic;
  return topic;
}

Result<PartitionRef> LogCore::GetPartition(const TopicPartition& tp) {
  RTPIPE_ASSIGN_OR_RETURN(auto topic, GetTopic(tp.topic));
  int p = tp.partition.value();
  if (p < 0 || p >= static_cast<int>(topic->partitions.size())) {
    return Status::InvalidArgument("topic \"{}\" has {} partitions; there is no partition {}", tp.topic,
                                   topic->partitions.size(), p);
  }
  Partition* partition = topic->partitions[static_cast<size_t>(p)].get();
  return PartitionRef{std::move(topic), partition};
}

Status LogCore::CreateTopic(const std::string& name, int partitions) {
  RTPIPE_RETURN_IF_ERROR(CheckOpen());
  RTPIPE_RETURN_IF_ERROR(CheckEntityName("topic", name));
  if (!writable_) return Status::FailedPrecondition("the log at {} is open read-only", root_);
  if (partitions < 1 || partitions > kMaxPartitions) {
    return Status::InvalidArgument("a topic needs 1 to {} partitions, not {}", kMaxPartitions, partitions);
  }
  std::unique_lock lock(topics_mu_);
  if (topics_.count(name) != 0) return Status::AlreadyExists("topic \"{}\" already exists", name);
  // Built under a temporary name and renamed into place: a crash leaves no half-made topic.
  std::string tmp = JoinPath(TopicsDir(), std::string(kCreatingPrefix) + name);
  RTPIPE_RETURN_IF_ERROR(fs_.RemoveAll(tmp));
  RTPIPE_RETURN_IF_ERROR(fs_.CreateDir(tmp));
  for (int p = 0; p < partitions; ++p) RTPIPE_RETURN_IF_ERROR(Partition::Create(fs_, PartitionDir(tmp, p)));
  TopicMeta meta{partitions, ToMillis(options_.clock->Now())};
  RTPIPE_RETURN_IF_ERROR(WriteFileAtomically(fs_, JoinPath(tmp, kTopicMetaFile), EncodeTopicMeta(meta)));
  std::string dir = JoinPath(TopicsDir(), name);
  RTPIPE_RETURN_IF_ERROR(fs_.Rename(tmp, dir));
  RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(TopicsDir()));
  RTPIPE_ASSIGN_OR_RETURN(auto topic, LoadTopic(name));
  topics_[name] = std::move(topic);
  GetLogger("log")->info("created topic {} with {} partitions", name, partitions);
  return Status::OK();
}

Status LogCore::DeleteTopic(const std::string& name) {
  RTPIPE_RETURN_IF_ERROR(CheckOpen());
  if (!writable_) return Status::FailedPrecondition("the log at {} is open read-only", root_);
  std::unique_lock lock(topics_mu_);
  auto it = topics_.find(name);
  if (it == topics_.end()) return Status::NotFound("topic \"{}\" does not exist", name);
  std::string doomed = JoinPath(TopicsDir(), std::string(kDeletingPrefix) + name);
  RTPIPE_RETURN_IF_ERROR(fs_.RemoveAll(doomed));
  RTPIPE_RETURN_IF_ERROR(fs_.Rename(it->second->dir, doomed));
  RTPIPE_RETURN_IF_ERROR(fs_.SyncDir(TopicsDir()));
  topics_.erase(it);
  GetLogger("log")->info("deleted topic {}", name);
  return fs_.RemoveAll(doomed);
}

Result<std::vector<std::string>> LogCore::ListTopics() {
  RTPIPE_RETURN_IF_ERROR(CheckOpen());
  std::vector<std::string> names;
  if (writable_) {
    std::shared_lock lock(topics_mu_);
    for (const auto& [name, topic] : topics_) names.push_back(name);
    return names;
  }
  auto listed = fs_.ListDir(TopicsDir());
  if (!listed.ok()) {
    if (listed.status().code() == StatusCode::kNotFound) return names;
    return listed.status();
  }
  for (auto& name : *listed) {
    if (!name.starts_with('.')) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

uint64_t LogCore::data_version() const {
  std::lock_guard lock(notify_mu_);
  return data_version_;
}

void LogCore::NotifyData() {
  {
    std::lock_guard lock(notify_mu_);
    if (wake_up_holds_ > 0) {
      wake_up_held_ = true;
      return;
    }
    ++data_version_;
  }
  notify_cv_.notify_all();
}

LogCore::HeldWakeUps::HeldWakeUps(LogCore& core) : core_(core) {
  std::lock_guard lock(core_.notify_mu_);
  ++core_.wake_up_holds_;
}

LogCore::HeldWakeUps::~HeldWakeUps() {
  {
    std::lock_guard lock(core_.notify_mu_);
    if (--core_.wake_up_holds_ > 0 || !core_.wake_up_held_) return;
    core_.wake_up_held_ = false;
  }
  core_.NotifyData();
}

void LogCore::WaitForData(uint64_t seen, std::chrono::steady_clock::time_point deadline, std::stop_token stop) {
  std::unique_lock lock(notify_mu_);
  notify_cv_.wait_until(lock, stop, deadline, [&] { return data_version_ != seen; });
}

std::vector<std::shared_ptr<Topic>> LogCore::SnapshotTopics() {
  std::shared_lock lock(topics_mu_);
  std::vector<std::shared_ptr<Topic>> out;
  for (const auto& [name, topic] : topics_) out.push_back(topic);
  return out;
}

Status LogCore::RunMaintenance(bool force_checkpoint) {
  if (!writable_ || closed_) return Status::OK();
  std::lock_guard lock(maintenance_mu_);
  auto now = std::chrono::steady_clock::now();
  bool sync_due = config_.fsync == FsyncPolicy::kInterval && now - last_sync_ >= config_.fsync_interval;
  bool checkpoint_due = force_checkpoint || now - last_checkpoint_ >= options_.checkpoint_interval;
  if (sync_due) last_sync_ = now;
  if (checkpoint_due) last_checkpoint_ = now;
  Status first_error;
  for (const auto& topic : SnapshotTopics()) {
    for (auto& p : topic->partitions) {
      Status s;
      if (sync_due) s = p->Sync();
      if (s.ok()) s = p->Maintain();
      if (s.ok()) s = p->Checkpoint(checkpoint_due ? 0 : options_.checkpoint_bytes);
      if (!s.ok() && first_error.ok()) first_error = s;
    }
  }
  return first_error;
}

void LogCore::MaintenanceLoop(std::stop_token stop) {
  auto log = GetLogger("log");
  std::mutex mu;
  std::condition_variable_any cv;
  auto last_warning = std::chrono::steady_clock::time_point{};
  // Under fsync=interval the tick must be at least as fine as the interval.
  std::chrono::milliseconds tick = options_.maintenance_tick;
  if (config_.fsync == FsyncPolicy::kInterval) tick = std::min(tick, config_.fsync_interval);
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mu);
      cv.wait_for(lock, stop, tick, [] { return false; });
    }
    if (stop.stop_requested()) break;
    Status s = RunMaintenance(false);
    auto now = std::chrono::steady_clock::now();
    if (!s.ok() && now - last_warning > std::chrono::seconds(10)) {
      log->warn("log maintenance: {}", s.message());
      last_warning = now;
    }
  }
}

Status LogCore::Close() {
  if (closed_.exchange(true)) return Status::OK();
  if (maintenance_.joinable()) {
    maintenance_.request_stop();
    maintenance_.join();
  }
  NotifyData();  // wake long-polls so they see the log closed
  if (!writable_) return Status::OK();
  Status first_error;
  for (const auto& topic : SnapshotTopics()) {
    for (auto& p : topic->partitions) {
      Status s = p->Close();
      if (!s.ok() && first_error.ok()) first_error = s;
    }
  }
  if (first_error.ok()) {
    // Only a fully closed log may claim a clean shutdown.
    Status s = WriteFileAtomically(fs_, JoinPath(root_, kCleanShutdownFile), "clean\n");
    if (!s.ok()) first_error = s;
  }
  lock_.reset();
  return first_error;
}

}  // namespace rtpipe::embedded
