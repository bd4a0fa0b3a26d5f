#pragma once
// The state of one open embedded log directory, shared by the Log handle and the producers and
// consumers made from it (they hold it by shared_ptr, so a producer that outlives the handle gets
// a clean "log closed" error instead of a dangling pointer).
//
// Directory layout (docs/formats/log.md):
//   <root>/.lock                  flock'ed by the writer process; holds its PID
//   <root>/.clean-shutdown        present only after a clean close of the writer
//   <root>/topics/<topic>/topic.meta and /<partition>/ (partition.h)
//   <root>/groups/<group>.offsets (group_offsets.h)
//
// Threads: the writer runs one maintenance thread (interval syncs, checkpoints, age rolls,
// retention); appends and group-commit syncs run on the callers' threads.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "rtpipe/base/file_system.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/embedded/group_offsets.h"
#include "rtpipe/log/embedded/partition.h"
#include "rtpipe/log/log_factory.h"

namespace rtpipe::embedded {

struct EmbeddedLogOptions {
  FileSystem* fs = &FileSystem::Default();
  const Clock* clock = &Clock::System();
  /// Run the maintenance thread (tests turn it off and call RunMaintenance themselves).
  bool background_maintenance = true;
  std::chrono::milliseconds maintenance_tick{100};
  /// A partition checkpoints when this many durable bytes are past its recovery point...
  uint64_t checkpoint_bytes = uint64_t{64} << 20;
  /// ...or when this much time passed and anything changed.
  std::chrono::milliseconds checkpoint_interval{1000};
};

struct Topic {
  std::string name;
  std::string dir;
  TopicMeta meta;
  std::vector<std::unique_ptr<Partition>> partitions;
};

/// A partition with the topic that owns it (kept alive while the reference lives).
struct PartitionRef {
  std::shared_ptr<Topic> topic;
  Partition* partition = nullptr;
  Partition* operator->() const { return partition; }
};

class LogCore {
 public:
  static Result<std::shared_ptr<LogCore>> Open(const std::string& root, const LogConfig& config, LogAccess access,
                                               const EmbeddedLogOptions& options);
  ~LogCore();
  LogCore(const LogCore&) = delete;
  LogCore& operator=(const LogCore&) = delete;

  /// Stops the maintenance thread, syncs and checkpoints every partition, writes the clean-shutdown
  /// marker and releases the lock. Later calls on the core fail with FailedPrecondition.
  Status Close();

  bool writable() const { return writable_; }
  const LogConfig& config() const { return config_; }
  const Clock& clock() const { return *options_.clock; }
  const RecoveryStats& recovery_stats() const { return recovery_stats_; }

  /// The topic (loaded from disk on first use in read-only mode); NotFound when missing.
  Result<std::shared_ptr<Topic>> GetTopic(const std::string& name);
  /// InvalidArgument when the topic has no such partition.
  Result<PartitionRef> GetPartition(const TopicPartition& tp);
  Status CreateTopic(const std::string& name, int partitions);
  Status DeleteTopic(const std::string& name);
  Result<std::vector<std::string>> ListTopics();
  Status CheckOpen() const;

  GroupOffsetStore& groups() { return groups_; }

  /// Long-poll support: a counter bumped whenever new records become visible in this process.
  uint64_t data_version() const;
  /// Waits until data_version() != `seen`, `deadline` or a stop request.
  void WaitForData(uint64_t seen, std::chrono::steady_clock::time_point deadline, std::stop_token stop);
  /// While one is held, records that become visible do not wake the waiting readers; the last one
  /// released wakes them once. A write to several partitions, durable one partition after another,
  /// then reaches a waiting reader as a whole rather than a partition at a time.
  class HeldWakeUps {
   public:
    explicit HeldWakeUps(LogCore& core);
    ~HeldWakeUps();
    HeldWakeUps(const HeldWakeUps&) = delete;
    HeldWakeUps& operator=(const HeldWakeUps&) = delete;

   private:
    LogCore& core_;
  };

  /// One pass of the maintenance work (interval sync, checkpoints, rolls, retention).
  Status RunMaintenance(bool force_checkpoint);

 private:
  LogCore(std::string root, const LogConfig& config, bool writable, const EmbeddedLogOptions& options);
  Status OpenWriter();
  Result<std::shared_ptr<Topic>> LoadTopic(const std::string& name);
  PartitionOptions MakePartitionOptions();
  void NotifyData();
  void MaintenanceLoop(std::stop_token stop);
  std::vector<std::shared_ptr<Topic>> SnapshotTopics();
  std::string TopicsDir() const { return JoinPath(root_, "topics"); }

  const std::string root_;
  const LogConfig config_;
  const bool writable_;
  const EmbeddedLogOptions options_;
  FileSystem& fs_;
  std::unique_ptr<FileLock> lock_;
  RecoveryStats recovery_stats_;
  GroupOffsetStore groups_;

  mutable std::shared_mutex topics_mu_;
  std::map<std::string, std::shared_ptr<Topic>> topics_;  // guarded by topics_mu_
  std::atomic<bool> closed_{false};

  mutable std::mutex notify_mu_;
  std::condition_variable_any notify_cv_;
  uint64_t data_version_ = 0;  // guarded by notify_mu_
  int wake_up_holds_ = 0;      // guarded by notify_mu_: HeldWakeUps alive
  bool wake_up_held_ = false;  // guarded by notify_mu_: records became visible while held

  std::mutex maintenance_mu_;                              // serializes RunMaintenance passes
  std::chrono::steady_clock::time_point last_sync_;        // guarded by maintenance_mu_
  std::chrono::steady_clock::time_point last_checkpoint_;  // guarded by maintenance_mu_
  std::jthread maintenance_;
};

}  // namespace rtpipe::embedded
