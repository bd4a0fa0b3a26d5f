#include "rtpipe/log/kafka/kafka_group_consumer.h"

#include <fmt/format.h>

#include <algorithm>

#include "rtpipe/base/logging.h"
#include "rtpipe/log/kafka/kafka_consumer.h"

namespace rtpipe::kafka {
namespace {

using std::chrono::milliseconds;

void RebalanceCallback(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions,
                       void* opaque) {
  static_cast<KafkaGroupConsumer*>(opaque)->OnRebalance(err, partitions);
}

std::vector<TopicPartition> ToPartitions(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  for (int i = 0; list != nullptr && i < list->cnt; ++i) {
    out.push_back({list->elems[i].topic, PartitionId(list->elems[i].partition)});
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Describe(const std::vector<TopicPartition>& partitions) {
  std::string out;
  for (const auto& tp : partitions) out += fmt::format("{}{}-{}", out.empty() ? "" : " ", tp.topic, tp.partition);
  return out.empty() ? "none" : out;
}

}  // namespace

Result<std::unique_ptr<KafkaGroupConsumer>> KafkaGroupConsumer::Create(const ClientSettings& settings,
                                                                       const std::string& group,
                                                                       const std::vector<std::string>& topics,
                                                                       RebalanceListener& listener) {
  if (group.empty()) return Status::InvalidArgument("a consumer group needs a name");
  if (topics.empty()) return Status::InvalidArgument("group {}: no topics to read", group);
  std::unique_ptr<KafkaGroupConsumer> consumer(new KafkaGroupConsumer(settings, group, listener));
  RTPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(settings, ClientRole::kConsumer,
                                                 {{"group.id", group},
                                                  // Eager: a rebalance revokes everything before it assigns anything.
                                                  {"partition.assignment.strategy", "roundrobin"}}));
  rd_kafka_conf_set_opaque(conf.get(), consumer.get());
  rd_kafka_conf_set_rebalance_cb(conf.get(), RebalanceCallback);
  RTPIPE_ASSIGN_OR_RETURN(consumer->rk_, NewClient(std::move(conf), RD_KAFKA_CONSUMER, settings));
  rd_kafka_poll_set_consumer(consumer->rk_.get());
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(topics.size())));
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer->rk_.get(), list.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, "joining group " + group, settings);
  }
  return consumer;
}

KafkaGroupConsumer::~KafkaGroupConsumer() {
  Status s = Close();
  if (!s.ok()) GetLogger("kafka")->warn("leaving group {}: {}", group_, s.ToString());
}

void KafkaGroupConsumer::OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
      Assigned(partitions);
      break;
    case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
      Revoked(partitions);
      break;
    default:
      // librdkafka's rule for an unexpected rebalance error: drop the assignment to resync.
      GetLogger("kafka")->warn("group {}: rebalance failed: {}", group_, rd_kafka_err2str(err));
      Revoked(nullptr);
      break;
  }
}

Status KafkaGroupConsumer::FillStartOffsets(const std::vector<TopicPartition>& missing,
                                            std::map<TopicPartition, Offset>* starts) {
  if (missing.empty()) return Status::OK();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(missing.size())));
  for (const auto& tp : missing) rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value());
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    rd_kafka_resp_err_t err =
        rd_kafka_committed(rk_.get(), list.get(), static_cast<int>(std::min(left, kMetadataAttempt).count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "reading the offsets of group " + group_, settings_);
    return Status::OK();
  }));
  std::map<std::string, std::vector<int32_t>> uncommitted;  // by topic
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& e = list->elems[i];
    if (e.offset >= 0) {
      (*starts)[{e.topic, PartitionId(e.partition)}] = Offset(e.offset);
    } else {
      uncommitted[e.topic].push_back(e.partition);
    }
  }
  for (const auto& entry : uncommitted) {
    const std::string& topic = entry.first;  // a plain reference: lambdas capture it (clang 14)
    const std::vector<int32_t>& ids = entry.second;
    std::vector<int64_t> low;
    RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
      RTPIPE_ASSIGN_OR_RETURN(
          low, ListOffsets(rk_.get(), topic, ids, kEarliest, settings_, std::min(left, kMetadataAttempt)));
      return Status::OK();
    }));
    for (size_t i = 0; i < ids.size(); ++i)
      (*starts)[{topic, PartitionId(ids[i])}] = Offset(std::max<int64_t>(low[i], 0));
  }
  return Status::OK();
}

void KafkaGroupConsumer::Assigned(rd_kafka_topic_partition_list_t* partitions) {
  auto log = GetLogger("kafka");
  std::vector<TopicPartition> tps = ToPartitions(partitions);
  auto starts = listener_.OnAssigned(tps);
  Status s = starts.status();
  if (starts.ok()) {
    std::vector<TopicPartition> missing;
    for (const auto& tp : tps) {
      if (!starts->contains(tp)) missing.push_back(tp);
    }
    std::erase_if(*starts, [&](const auto& entry) { return !std::binary_search(tps.begin(), tps.end(), entry.first); });
    s = FillStartOffsets(missing, &*starts);
  }
  if (!s.ok()) {
    // Own them (the group says so) but read nothing: the owner is told by Poll and should Close.
    failure_ = s.WithContext(fmt::format("group {}: starting partitions {}", group_, Describe(tps)));
    PartitionListPtr empty(rd_kafka_topic_partition_list_new(0));
    rd_kafka_assign(rk_.get(), empty.get());
    log->error("{}", failure_.ToString());
    return;
  }
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(starts->size())));
  for (const auto& [tp, offset] : *starts) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset = offset.value();
  }
  if (rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure_ = KafkaStatus(err, fmt::format("group {}: assigning {}", group_, Describe(tps)), settings_);
    return;
  }
  for (const auto& [tp, offset] : *starts) {
    positions_[tp] = offset;
    next_[tp] = offset;
  }
  log->info("group {}: now reading {}", group_, Describe(tps));
}

void KafkaGroupConsumer::Revoked(rd_kafka_topic_partition_list_t* partitions) {
  std::vector<TopicPartition> tps = partitions != nullptr ? ToPartitions(partitions) : std::vector<TopicPartition>();
  if (partitions == nullptr) {
    for (const auto& [tp, offset] : positions_) tps.push_back(tp);
  }
  bool lost = rd_kafka_assignment_lost(rk_.get()) != 0;
  // Records gathered by the running Poll but not returned yet: the next owner reads them.
  if (gathering_ != nullptr) {
    std::erase_if(*gathering_, [&](const ConsumedRecord& r) {
      return std::binary_search(tps.begin(), tps.end(), TopicPartition{r.topic, r.partition});
    });
  }
  // The listener hears about the partitions it started (not those whose OnAssigned failed).
  std::vector<TopicPartition> owned;
  for (const auto& tp : tps) {
    if (positions_.contains(tp)) owned.push_back(tp);
  }
  if (!owned.empty()) listener_.OnRevoked(owned, lost);
  rd_kafka_assign(rk_.get(), nullptr);  // eager: the whole assignment goes
  for (const auto& tp : tps) {
    positions_.erase(tp);
    next_.erase(tp);
  }
  GetLogger("kafka")->info("group {}: {} {}", group_, lost ? "lost" : "gave up", Describe(tps));
}

Result<std::vector<ConsumedRecord>> KafkaGroupConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                             std::stop_token stop) {
  if (closed_) return Status::FailedPrecondition("group {}: the consumer is closed", group_);
  if (!failure_.ok()) return failure_;
  std::vector<ConsumedRecord> out;
  gathering_ = &out;
  next_ = positions_;
  auto accept = [&](const rd_kafka_message_t& m) {
    auto it = next_.find({rd_kafka_topic_name(m.rkt), PartitionId(m.partition)});
    if (it == next_.end() || m.offset < it->second.value()) return false;  // not owned, or stale
    out.push_back(ToRecord(m));
    it->second = Offset(m.offset + 1);
    return true;
  };
  Status s = ReadMessages(rk_.get(), std::max<size_t>(max_records, 1), timeout, stop, settings_, accept,
                          [&] { return out.size(); });
  gathering_ = nullptr;
  if (!failure_.ok()) return failure_;
  RTPIPE_RETURN_IF_ERROR(s);
  positions_ = next_;  // what was revoked during the poll is gone from both
  return out;
}

Status KafkaGroupConsumer::Commit(const std::map<TopicPartition, Offset>& offsets) {
  if (closed_) return Status::FailedPrecondition("group {}: the consumer is closed", group_);
  if (offsets.empty()) return Status::OK();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets) {
    if (!positions_.contains(tp)) {
      return Status::FailedPrecondition("group {}: {}-{} is not this member's", group_, tp.topic, tp.partition);
    }
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset = offset.value();
  }
  std::string what = "committing offsets of group " + group_;
  QueuePtr queue(rd_kafka_queue_new(rk_.get()));
  if (rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk_.get(), list.get(), queue.get(), nullptr, nullptr);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, what, settings_);
  }
  EventPtr event(rd_kafka_queue_poll(queue.get(), static_cast<int>(settings_.request_timeout.count())));
  if (!event) return KafkaStatus(RD_KAFKA_RESP_ERR__TIMED_OUT, what, settings_);
  if (rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, what, settings_, rd_kafka_event_error_string(event.get()));
  }
  if (const rd_kafka_topic_partition_list_t* parts = rd_kafka_event_topic_partition_list(event.get())) {
    for (int i = 0; i < parts->cnt; ++i) {
      if (parts->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return KafkaStatus(parts->elems[i].err,
                           fmt::format("{} ({}-{})", what, parts->elems[i].topic, parts->elems[i].partition),
                           settings_);
      }
    }
  }
  return Status::OK();
}

Status KafkaGroupConsumer::Close() {
  if (closed_ || rk_.get() == nullptr) return Status::OK();
  // Runs the revoke callback (our listener, which may still Commit) for what is owned, then
  // leaves the group.
  rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_.get());
  closed_ = true;
  rk_.Reset();
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "leaving group " + group_, settings_);
  return Status::OK();
}

}  // namespace rtpipe::kafka
