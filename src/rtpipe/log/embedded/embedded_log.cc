#include "rtpipe/log/embedded/embedded_log.h"

#include "rtpipe/base/logging.h"
#include "rtpipe/log/embedded/consumer.h"
#include "rtpipe/log/embedded/group_consumer.h"
#include "rtpipe/log/embedded/producer.h"

namespace rtpipe::embedded {

EmbeddedLog::~EmbeddedLog() {
  Status s = core_->Close();
  if (!s.ok()) GetLogger("log")->error("closing the log: {}", s.message());
}

Status EmbeddedLog::Close() { return core_->Close(); }

Status EmbeddedLog::CreateTopic(const TopicSpec& spec) { return core_->CreateTopic(spec.name, spec.partitions); }

Status EmbeddedLog::EnsureTopic(const TopicSpec& spec) {
  auto topic = core_->GetTopic(spec.name);
  if (topic.ok()) return Status::OK();
  if (topic.status().code() != StatusCode::kNotFound) return topic.status();
  Status s = core_->CreateTopic(spec.name, spec.partitions);
  return s.code() == StatusCode::kAlreadyExists ? Status::OK() : s;
}

Status EmbeddedLog::DeleteTopic(const std::string& name) { return core_->DeleteTopic(name); }

Result<std::vector<std::string>> EmbeddedLog::ListTopics() { return core_->ListTopics(); }

Result<TopicInfo> EmbeddedLog::DescribeTopic(const std::string& name) {
  RTPIPE_ASSIGN_OR_RETURN(auto topic, core_->GetTopic(name));
  TopicInfo info;
  info.name = name;
  for (size_t p = 0; p < topic->partitions.size(); ++p) {
    RTPIPE_ASSIGN_OR_RETURN(PartitionInfo pi, topic->partitions[p]->Info());
    pi.partition = PartitionId(static_cast<int32_t>(p));
    info.partitions.push_back(pi);
  }
  return info;
}

Result<Offset> EmbeddedLog::OffsetForTime(const TopicPartition& tp, Timestamp time) {
  RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition(tp));
  RTPIPE_ASSIGN_OR_RETURN(int64_t offset, p->OffsetForTime(ToMillis(time)));
  return Offset(offset);
}

Status EmbeddedLog::CommitOffsets(const std::string& group, const std::map<TopicPartition, Offset>& offsets) {
  RTPIPE_RETURN_IF_ERROR(core_->CheckOpen());
  for (const auto& [tp, offset] : offsets) {
    RTPIPE_RETURN_IF_ERROR(CheckEntityName("topic", tp.topic));
    if (tp.partition.value() < 0 || offset.value() < 0) {
      return Status::InvalidArgument("cannot commit offset {} for {}-{}", offset.value(), tp.topic,
                                     tp.partition.value());
    }
  }
  return core_->groups().Commit(group, offsets);
}

Result<std::map<TopicPartition, Offset>> EmbeddedLog::CommittedOffsets(const std::string& group,
                                                                       const std::string& topic) {
  RTPIPE_RETURN_IF_ERROR(core_->CheckOpen());
  RTPIPE_ASSIGN_OR_RETURN(GroupOffsets all, core_->groups().Load(group));
  std::map<TopicPartition, Offset> out;
  for (const auto& [tp, offset] : all) {
    if (tp.topic == topic) out[tp] = offset;
  }
  return out;
}

Result<std::unique_ptr<Producer>> EmbeddedLog::NewProducer() {
  RTPIPE_RETURN_IF_ERROR(core_->CheckOpen());
  if (!core_->writable()) return Status::FailedPrecondition("the log is open read-only: no producer");
  return std::unique_ptr<Producer>(std::make_unique<EmbeddedProducer>(core_));
}

Result<std::unique_ptr<Consumer>> EmbeddedLog::NewConsumer() {
  RTPIPE_RETURN_IF_ERROR(core_->CheckOpen());
  return std::unique_ptr<Consumer>(std::make_unique<EmbeddedConsumer>(core_));
}

Result<std::unique_ptr<GroupConsumer>> EmbeddedLog::NewGroupConsumer(const std::string& group,
                                                                     const std::vector<std::string>& topics,
                                                                     RebalanceListener& listener) {
  RTPIPE_ASSIGN_OR_RETURN(auto consumer, EmbeddedGroupConsumer::Create(core_, group, topics, listener));
  return std::unique_ptr<GroupConsumer>(std::move(consumer));
}

Result<Offset> EmbeddedLog::EndOffset(const TopicPartition& tp) {
  RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition(tp));
  RTPIPE_ASSIGN_OR_RETURN(int64_t end, p->EndOffset());
  return Offset(end);
}

Result<uint64_t> EmbeddedLog::SyncRounds(const TopicPartition& tp) {
  RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition(tp));
  return p->sync_rounds();
}

Result<std::unique_ptr<EmbeddedLog>> OpenEmbeddedLog(const std::string& dir, const LogConfig& config, LogAccess access,
                                                     const EmbeddedLogOptions& options) {
  RTPIPE_ASSIGN_OR_RETURN(auto core, LogCore::Open(dir, config, access, options));
  return std::make_unique<EmbeddedLog>(std::move(core));
}

}  // namespace rtpipe::embedded
