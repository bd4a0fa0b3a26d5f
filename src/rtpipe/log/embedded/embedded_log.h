#pragma once
// The embedded log: rtpipe's own durable, partitioned log in Kafka's on-disk batch format.
// `file:DIR` URLs open it (log_factory.h). docs/formats/log.md documents every file it writes.
//
// Processes: exactly one writer per directory (it holds `<dir>/.lock`; a second writer gets an
// error naming the holder's PID) and any number of read-only openers alongside it. A read-only
// log never writes a segment; it may commit consumer-group offsets.

#include <memory>
#include <string>
#include <vector>

#include "rtpipe/log/embedded/log_core.h"
#include "rtpipe/log/log.h"
#include "rtpipe/log/log_factory.h"

namespace rtpipe::embedded {

class EmbeddedLog final : public Log {
 public:
  explicit EmbeddedLog(std::shared_ptr<LogCore> core) : core_(std::move(core)) {}
  ~EmbeddedLog() override;
  EmbeddedLog(const EmbeddedLog&) = delete;
  EmbeddedLog& operator=(const EmbeddedLog&) = delete;

  Status CreateTopic(const TopicSpec& spec) override;
  Status EnsureTopic(const TopicSpec& spec) override;
  Status DeleteTopic(const std::string& name) override;
  Result<std::vector<std::string>> ListTopics() override;
  Result<TopicInfo> DescribeTopic(const std::string& name) override;
  Result<Offset> OffsetForTime(const TopicPartition& tp, Timestamp time) override;
  Status CommitOffsets(const std::string& group, const std::map<TopicPartition, Offset>& offsets) override;
  Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string& group,
                                                            const std::string& topic) override;
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Result<std::unique_ptr<Consumer>> NewConsumer() override;
  /// One member per group (embedded/group_consumer.h).
  Result<std::unique_ptr<GroupConsumer>> NewGroupConsumer(const std::string& group,
                                                          const std::vector<std::string>& topics,
                                                          RebalanceListener& listener) override;

  // Beyond the Log interface (tests, tools, the benchmark).

  /// Closes the log now (as the destructor does) and reports how that went.
  Status Close();
  /// Runs one maintenance pass (interval sync, rolls, retention, checkpoints) now.
  Status RunMaintenance(bool force_checkpoint = true) { return core_->RunMaintenance(force_checkpoint); }
  const RecoveryStats& recovery_stats() const { return core_->recovery_stats(); }
  /// The offset after the last record readers can see.
  Result<Offset> EndOffset(const TopicPartition& tp);
  /// Group-commit syncs run so far on one partition.
  Result<uint64_t> SyncRounds(const TopicPartition& tp);

 private:
  std::shared_ptr<LogCore> core_;
};

/// Opens (and, for a writer, recovers) the embedded log in `dir`.
Result<std::unique_ptr<EmbeddedLog>> OpenEmbeddedLog(const std::string& dir, const LogConfig& config, LogAccess access,
                                                     const EmbeddedLogOptions& options = {});

}  // namespace rtpipe::embedded
