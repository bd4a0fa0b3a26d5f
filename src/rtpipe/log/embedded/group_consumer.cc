#include "rtpipe/log/embedded/group_consumer.h"

#include <algorithm>

#include "rtpipe/base/logging.h"

namespace rtpipe::embedded {

Result<std::unique_ptr<EmbeddedGroupConsumer>> EmbeddedGroupConsumer::Create(std::shared_ptr<LogCore> core,
                                                                             const std::string& group,
                                                                             const std::vector<std::string>& topics,
                                                                             RebalanceListener& listener) {
  RTPIPE_RETURN_IF_ERROR(core->CheckOpen());
  if (topics.empty()) return Status::InvalidArgument("group {}: no topics to read", group);
  std::vector<TopicPartition> partitions;
  for (const auto& name : topics) {
    RTPIPE_ASSIGN_OR_RETURN(auto topic, core->GetTopic(name));
    for (size_t p = 0; p < topic->partitions.size(); ++p) {
      partitions.push_back({name, PartitionId(static_cast<int32_t>(p))});
    }
  }
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  RTPIPE_ASSIGN_OR_RETURN(auto membership, core->groups().LockMembership(group));
  return std::unique_ptr<EmbeddedGroupConsumer>(
      new EmbeddedGroupConsumer(std::move(core), group, std::move(partitions), listener, std::move(membership)));
}

EmbeddedGroupConsumer::~EmbeddedGroupConsumer() {
  Status s = Close();
  if (!s.ok()) GetLogger("log")->warn("closing the member of group {}: {}", group_, s.ToString());
}

Status EmbeddedGroupConsumer::Start() {
  RTPIPE_ASSIGN_OR_RETURN(auto starts, listener_.OnAssigned(partitions_));
  std::erase_if(starts,
                [&](const auto& e) { return !std::binary_search(partitions_.begin(), partitions_.end(), e.first); });
  if (starts.size() < partitions_.size()) {
    RTPIPE_ASSIGN_OR_RETURN(GroupOffsets committed, core_->groups().Load(group_));
    for (const auto& tp : partitions_) {
      if (starts.contains(tp)) continue;
      if (auto it = committed.find(tp); it != committed.end()) {
        starts[tp] = it->second;
        continue;
      }
      RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition(tp));
      RTPIPE_ASSIGN_OR_RETURN(PartitionInfo info, p->Info());
      starts[tp] = info.start_offset;
    }
  }
  RTPIPE_RETURN_IF_ERROR(consumer_.Assign(starts));
  started_ = true;
  return Status::OK();
}

Result<std::vector<ConsumedRecord>> EmbeddedGroupConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                                std::stop_token stop) {
  if (closed_) return Status::FailedPrecondition("group {}: the consumer is closed", group_);
  if (!started_) RTPIPE_RETURN_IF_ERROR(Start().WithContext("group " + group_ + ": starting its partitions"));
  return consumer_.Poll(max_records, timeout, stop);
}

std::map<TopicPartition, Offset> EmbeddedGroupConsumer::Positions() const {
  return started_ ? consumer_.Positions() : std::map<TopicPartition, Offset>();
}

Status EmbeddedGroupConsumer::Commit(const std::map<TopicPartition, Offset>& offsets) {
  if (closed_) return Status::FailedPrecondition("group {}: the consumer is closed", group_);
  for (const auto& [tp, offset] : offsets) {
    if (!started_ || !std::binary_search(partitions_.begin(), partitions_.end(), tp)) {
      return Status::FailedPrecondition("group {}: {}-{} is not this member's", group_, tp.topic, tp.partition);
    }
    if (offset.value() < 0) {
      return Status::InvalidArgument("cannot commit offset {} for {}-{}", offset.value(), tp.topic, tp.partition);
    }
  }
  return core_->groups().Commit(group_, offsets);
}

Status EmbeddedGroupConsumer::Close() {
  if (closed_) return Status::OK();
  if (started_) listener_.OnRevoked(partitions_, false);  // it may still Commit
  closed_ = true;
  membership_.reset();
  return Status::OK();
}

}  // namespace rtpipe::embedded
