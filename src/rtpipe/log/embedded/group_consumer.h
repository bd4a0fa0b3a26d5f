#pragma once
// The embedded log's GroupConsumer: one member per group at a time (it holds the group's
// membership lock, groups/<group>.member), owning every partition of its topics. A second member
// of the same group, in this process or another, fails with FailedPrecondition. There are no
// rebalances: the listener hears OnAssigned (every partition) on the first Poll and OnRevoked
// (every partition) on Close.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rtpipe/log/embedded/consumer.h"
#include "rtpipe/log/embedded/log_core.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

/// Not thread-safe (GroupConsumer's contract).
class EmbeddedGroupConsumer final : public GroupConsumer {
 public:
  static Result<std::unique_ptr<EmbeddedGroupConsumer>> Create(std::shared_ptr<LogCore> core, const std::string& group,
                                                               const std::vector<std::string>& topics,
                                                               RebalanceListener& listener);
  ~EmbeddedGroupConsumer() override;
  EmbeddedGroupConsumer(const EmbeddedGroupConsumer&) = delete;
  EmbeddedGroupConsumer& operator=(const EmbeddedGroupConsumer&) = delete;

  Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                           std::stop_token stop) override;
  std::map<TopicPartition, Offset> Positions() const override;
  Status Commit(const std::map<TopicPartition, Offset>& offsets) override;
  Status Close() override;

 private:
  EmbeddedGroupConsumer(std::shared_ptr<LogCore> core, std::string group, std::vector<TopicPartition> partitions,
                        RebalanceListener& listener, std::unique_ptr<FileLock> membership)
      : core_(std::move(core)),
        group_(std::move(group)),
        partitions_(std::move(partitions)),
        listener_(listener),
        membership_(std::move(membership)),
        consumer_(core_) {}
  /// Asks the listener where to start, fills in the rest from the group's committed offsets (or
  /// the partitions' starts), and assigns.
  Status Start();

  std::shared_ptr<LogCore> core_;
  const std::string group_;
  const std::vector<TopicPartition> partitions_;  // every partition of the topics
  RebalanceListener& listener_;
  std::unique_ptr<FileLock> membership_;  // held from Create to Close
  EmbeddedConsumer consumer_;
  bool started_ = false;
  bool closed_ = false;
};

}  // namespace rtpipe::embedded
