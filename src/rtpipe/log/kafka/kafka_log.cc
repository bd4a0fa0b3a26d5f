#include "rtpipe/log/kafka/kafka_log.h"

#include <fmt/format.h>

#include <algorithm>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/log/kafka/kafka_consumer.h"
#include "rtpipe/log/kafka/kafka_group_consumer.h"
#include "rtpipe/log/kafka/kafka_producer.h"

namespace rtpipe::kafka {
namespace {

using std::chrono::milliseconds;

struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
};
struct DeleteTopicDeleter {
  void operator()(rd_kafka_DeleteTopic_t* t) const { rd_kafka_DeleteTopic_destroy(t); }
};
struct AlterOffsetsDeleter {
  void operator()(rd_kafka_AlterConsumerGroupOffsets_t* a) const { rd_kafka_AlterConsumerGroupOffsets_destroy(a); }
};
struct ListOffsetsDeleter {
  void operator()(rd_kafka_ListConsumerGroupOffsets_t* l) const { rd_kafka_ListConsumerGroupOffsets_destroy(l); }
};

milliseconds Attempt(milliseconds left) { return std::min(left, kMetadataAttempt); }

// Admin options with both timeouts set to `timeout` (the operation timeout only where it applies).
Result<AdminOptionsPtr> MakeOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op, milliseconds timeout,
                                    bool operation_timeout) {
  AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, op));
  char err[256];
  int ms = static_cast<int>(std::max<int64_t>(timeout.count(), 1));
  if (rd_kafka_AdminOptions_set_request_timeout(options.get(), ms, err, sizeof(err)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Internal("admin request timeout: {}", err);
  }
  if (operation_timeout &&
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), ms, err, sizeof(err)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Internal("admin operation timeout: {}", err);
  }
  return options;
}

// Waits for the result of an admin request on `queue`: Unavailable when none came in time, the
// request-level error otherwise.
Result<EventPtr> AwaitResult(rd_kafka_queue_t* queue, milliseconds timeout, std::string_view what,
                             const ClientSettings& settings) {
  EventPtr event(rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000));
  if (!event) return KafkaStatus(RD_KAFKA_RESP_ERR__TIMED_OUT, what, settings);
  if (rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, what, settings, rd_kafka_event_error_string(event.get()));
  }
  return event;
}

Status TopicResultStatus(const rd_kafka_topic_result_t* result, std::string_view what, const ClientSettings& settings) {
  rd_kafka_resp_err_t err = rd_kafka_topic_result_error(result);
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();
  const char* detail = rd_kafka_topic_result_error_string(result);
  return KafkaStatus(err, what, settings, detail != nullptr ? detail : "");
}

}  // namespace

KafkaLog::KafkaLog(ClientSettings settings, Handle admin) : settings_(std::move(settings)), admin_(std::move(admin)) {
  poller_ = std::jthread([rk = admin_.get()](std::stop_token stop) {
    SetThreadName("kafka-admin");
    while (!stop.stop_requested()) rd_kafka_poll(rk, 100);
  });
}

KafkaLog::~KafkaLog() {
  poller_.request_stop();
  if (poller_.joinable()) poller_.join();
}

Status KafkaLog::CreateTopicOnce(const TopicSpec& spec, milliseconds timeout) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> topic(
      rd_kafka_NewTopic_new(spec.name.c_str(), spec.partitions, settings_.replication_factor, err, sizeof(err)));
  if (!topic) return Status::InvalidArgument("topic {}: {}", spec.name, err);
  RTPIPE_ASSIGN_OR_RETURN(AdminOptionsPtr options,
                          MakeOptions(admin_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS, timeout, true));
  QueuePtr queue(rd_kafka_queue_new(admin_.get()));
  rd_kafka_NewTopic_t* topics[] = {topic.get()};
  rd_kafka_CreateTopics(admin_.get(), topics, 1, options.get(), queue.get());
  std::string what = fmt::format("creating topic {} ({} partitions, replication factor {})", spec.name, spec.partitions,
                                 settings_.replication_factor);
  RTPIPE_ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, what, settings_));
  size_t count = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
  for (size_t i = 0; i < count; ++i) {
    Status s = TopicResultStatus(results[i], what, settings_);
    if (s.code() == StatusCode::kAlreadyExists) return Status::AlreadyExists("topic {} already exists", spec.name);
    if (s.code() == StatusCode::kInvalidArgument) return s.WithContext("log.replication_factor / log.partitions");
    RTPIPE_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status KafkaLog::WaitForTopic(const std::string& name, bool gone) {
  return RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    auto md = TopicMetadata(admin_.get(), name, settings_, Attempt(left));
    if (gone) {
      if (md.ok()) return Status::Unavailable("topic {} is still being deleted", name);
      return md.status().code() == StatusCode::kNotFound ? Status::OK() : md.status();
    }
    if (!md.ok() && md.status().code() == StatusCode::kNotFound) {
      return Status::Unavailable("topic {} is created but not served yet", name);
    }
    return md.status();
  });
}

Status KafkaLog::CreateTopic(const TopicSpec& spec) {
  if (spec.partitions < 1) return Status::InvalidArgument("topic {}: {} partitions", spec.name, spec.partitions);
  bool retried = false;
  Status s = RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    Status once = CreateTopicOnce(spec, std::min(left, milliseconds(30'000)));
    // A retry after a request whose answer was lost may find the topic made by that request.
    if (retried && once.code() == StatusCode::kAlreadyExists) return Status::OK();
    retried = true;
    return once;
  });
  RTPIPE_RETURN_IF_ERROR(s);
  return WaitForTopic(spec.name, false);
}

Status KafkaLog::EnsureTopic(const TopicSpec& spec) {
  Status exists = RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    return TopicMetadata(admin_.get(), spec.name, settings_, Attempt(left)).status();
  });
  if (exists.ok()) return Status::OK();
  if (exists.code() != StatusCode::kNotFound) return exists;
  Status s = CreateTopic(spec);
  if (s.code() == StatusCode::kAlreadyExists) return WaitForTopic(spec.name, false);  // another process made it
  return s;
}

Status KafkaLog::DeleteTopic(const std::string& name) {
  Status s = RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    milliseconds timeout = std::min(left, milliseconds(30'000));
    std::unique_ptr<rd_kafka_DeleteTopic_t, DeleteTopicDeleter> topic(rd_kafka_DeleteTopic_new(name.c_str()));
    RTPIPE_ASSIGN_OR_RETURN(AdminOptionsPtr options,
                            MakeOptions(admin_.get(), RD_KAFKA_ADMIN_OP_DELETETOPICS, timeout, true));
    QueuePtr queue(rd_kafka_queue_new(admin_.get()));
    rd_kafka_DeleteTopic_t* topics[] = {topic.get()};
    rd_kafka_DeleteTopics(admin_.get(), topics, 1, options.get(), queue.get());
    std::string what = "deleting topic " + name;
    RTPIPE_ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, what, settings_));
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(event.get()), &count);
    for (size_t i = 0; i < count; ++i) {
      Status r = TopicResultStatus(results[i], what, settings_);
      if (r.code() == StatusCode::kNotFound) return Status::NotFound("topic {} does not exist", name);
      RTPIPE_RETURN_IF_ERROR(r);
    }
    return Status::OK();
  });
  RTPIPE_RETURN_IF_ERROR(s);
  return WaitForTopic(name, true);
}

Result<std::vector<std::string>> KafkaLog::ListTopics() {
  std::vector<std::string> names;
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    const rd_kafka_metadata_t* raw = nullptr;
    rd_kafka_resp_err_t err =
        rd_kafka_metadata(admin_.get(), 1, nullptr, &raw, static_cast<int>(Attempt(left).count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "listing topics", settings_);
    MetadataPtr md(raw);
    names.clear();
    for (int i = 0; i < md->topic_cnt; ++i) {
      std::string name = md->topics[i].topic;
      if (!name.starts_with("__") && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) names.push_back(name);
    }
    return Status::OK();
  }));
  std::sort(names.begin(), names.end());
  return names;
}

Result<TopicInfo> KafkaLog::DescribeTopic(const std::string& name) {
  TopicInfo info;
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    RTPIPE_ASSIGN_OR_RETURN(MetadataPtr md, TopicMetadata(admin_.get(), name, settings_, Attempt(left)));
    const rd_kafka_metadata_topic_t& t = md->topics[0];
    std::vector<int32_t> ids;
    for (int i = 0; i < t.partition_cnt; ++i) ids.push_back(t.partitions[i].id);
    std::sort(ids.begin(), ids.end());
    RTPIPE_ASSIGN_OR_RETURN(auto low, ListOffsets(admin_.get(), name, ids, kEarliest, settings_, Attempt(left)));
    RTPIPE_ASSIGN_OR_RETURN(auto high, ListOffsets(admin_.get(), name, ids, kLatest, settings_, Attempt(left)));
    info.name = name;
    info.partitions.clear();
    for (size_t i = 0; i < ids.size(); ++i) {
      if (low[i] < 0 || high[i] < 0) {
        return Status::Unavailable("offsets of {}-{} are not known yet", name, ids[i]);
      }
      info.partitions.push_back({PartitionId(ids[i]), Offset(low[i]), Offset(high[i]), -1, -1});
    }
    return Status::OK();
  }));
  return info;
}

Result<Offset> KafkaLog::OffsetForTime(const TopicPartition& tp, Timestamp time) {
  int64_t offset = -1;
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    std::vector<int32_t> ids = {tp.partition.value()};
    RTPIPE_ASSIGN_OR_RETURN(auto found, ListOffsets(admin_.get(), tp.topic, ids, std::max<int64_t>(ToMillis(time), 0),
                                                    settings_, Attempt(left)));
    if (found[0] < 0) {  // no record that late: the end
      RTPIPE_ASSIGN_OR_RETURN(found, ListOffsets(admin_.get(), tp.topic, ids, kLatest, settings_, Attempt(left)));
    }
    offset = found[0];
    return offset < 0 ? Status::Unavailable("offsets of {}-{} are not known yet", tp.topic, tp.partition.value())
                      : Status::OK();
  }));
  return Offset(offset);
}

Status KafkaLog::CommitOffsets(const std::string& group, const std::map<TopicPartition, Offset>& offsets) {
  if (offsets.empty()) return Status::OK();
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, offset] : offsets) {
    if (offset.value() < 0) {
      return Status::InvalidArgument("cannot commit offset {} for {}-{}", offset.value(), tp.topic,
                                     tp.partition.value());
    }
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset = offset.value();
  }
  std::string what = "committing offsets of group " + group;
  return RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    milliseconds timeout = Attempt(left);
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t, AlterOffsetsDeleter> alter(
        rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get()));
    RTPIPE_ASSIGN_OR_RETURN(AdminOptionsPtr options,
                            MakeOptions(admin_.get(), RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS, timeout, false));
    QueuePtr queue(rd_kafka_queue_new(admin_.get()));
    rd_kafka_AlterConsumerGroupOffsets_t* alters[] = {alter.get()};
    rd_kafka_AlterConsumerGroupOffsets(admin_.get(), alters, 1, options.get(), queue.get());
    RTPIPE_ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, what, settings_));
    size_t count = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(event.get()), &count);
    for (size_t i = 0; i < count; ++i) {
      if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i])) {
        return KafkaStatus(rd_kafka_error_code(e), what, settings_, rd_kafka_error_string(e));
      }
      const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(groups[i]);
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        rd_kafka_resp_err_t err = parts->elems[p].err;
        if (err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || err == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION) {
          return Status::FailedPrecondition(
              "{}: the group has active members reading {} (only they can commit its offsets)", what,
              parts->elems[p].topic);
        }
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return KafkaStatus(err, fmt::format("{} ({}-{})", what, parts->elems[p].topic, parts->elems[p].partition),
                             settings_);
        }
      }
    }
    return Status::OK();
  });
}

Result<std::map<TopicPartition, Offset>> KafkaLog::CommittedOffsets(const std::string& group,
                                                                    const std::string& topic) {
  std::map<TopicPartition, Offset> out;
  auto partitions = PartitionCount(admin_.get(), topic, settings_);
  if (!partitions.ok()) {
    if (partitions.status().code() == StatusCode::kNotFound) return out;  // no topic: nothing committed
    return partitions.status();
  }
  PartitionListPtr list(rd_kafka_topic_partition_list_new(*partitions));
  for (int p = 0; p < *partitions; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  std::string what = "reading the committed offsets of group " + group;
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings_.request_timeout, [&](milliseconds left) -> Status {
    milliseconds timeout = Attempt(left);
    std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t, ListOffsetsDeleter> request(
        rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), list.get()));
    RTPIPE_ASSIGN_OR_RETURN(AdminOptionsPtr options,
                            MakeOptions(admin_.get(), RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS, timeout, false));
    QueuePtr queue(rd_kafka_queue_new(admin_.get()));
    rd_kafka_ListConsumerGroupOffsets_t* requests[] = {request.get()};
    rd_kafka_ListConsumerGroupOffsets(admin_.get(), requests, 1, options.get(), queue.get());
    RTPIPE_ASSIGN_OR_RETURN(EventPtr event, AwaitResult(queue.get(), timeout, what, settings_));
    size_t count = 0;
    const rd_kafka_group_result_t** groups = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(event.get()), &count);
    out.clear();
    for (size_t i = 0; i < count; ++i) {
      if (const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i])) {
        return KafkaStatus(rd_kafka_error_code(e), what, settings_, rd_kafka_error_string(e));
      }
      const rd_kafka_topic_partition_list_t* parts = rd_kafka_group_result_partitions(groups[i]);
      for (int p = 0; parts != nullptr && p < parts->cnt; ++p) {
        const rd_kafka_topic_partition_t& e = parts->elems[p];
        if (e.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return KafkaStatus(e.err, fmt::format("{} ({}-{})", what, e.topic, e.partition), settings_);
        }
        if (e.offset >= 0) out[{e.topic, PartitionId(e.partition)}] = Offset(e.offset);
      }
    }
    return Status::OK();
  }));
  return out;
}

Result<std::unique_ptr<Producer>> KafkaLog::NewProducer() {
  RTPIPE_ASSIGN_OR_RETURN(auto producer, KafkaProducer::Create(settings_));
  return std::unique_ptr<Producer>(std::move(producer));
}

Result<std::unique_ptr<Consumer>> KafkaLog::NewConsumer() {
  RTPIPE_ASSIGN_OR_RETURN(auto consumer, KafkaConsumer::Create(settings_));
  return std::unique_ptr<Consumer>(std::move(consumer));
}

Result<std::unique_ptr<GroupConsumer>> KafkaLog::NewGroupConsumer(const std::string& group,
                                                                  const std::vector<std::string>& topics,
                                                                  RebalanceListener& listener) {
  for (const auto& topic : topics) {
    RTPIPE_RETURN_IF_ERROR(PartitionCount(admin_.get(), topic, settings_).status());  // must exist
  }
  RTPIPE_ASSIGN_OR_RETURN(auto consumer, KafkaGroupConsumer::Create(settings_, group, topics, listener));
  return std::unique_ptr<GroupConsumer>(std::move(consumer));
}

Result<std::unique_ptr<KafkaLog>> OpenKafkaLog(const LogConfig& config) {
  RTPIPE_ASSIGN_OR_RETURN(ClientSettings settings, ParseClientSettings(config));
  RTPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(settings, ClientRole::kAdmin));
  RTPIPE_ASSIGN_OR_RETURN(Handle admin, NewClient(std::move(conf), RD_KAFKA_PRODUCER, settings));
  // Reachable? A metadata request naming no topic answers with the brokers only.
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(admin.get(), 0, nullptr, &raw, static_cast<int>(settings.connect_timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::Unavailable("cannot reach Kafka at {} (log.url) within {} ms (log.connect_timeout): {}",
                               settings.bootstrap, settings.connect_timeout.count(), rd_kafka_err2str(err));
  }
  MetadataPtr md(raw);
  GetLogger("kafka")->debug("connected to Kafka at {}: {} broker(s), controller {}", settings.bootstrap, md->broker_cnt,
                            md->orig_broker_id);
  return std::make_unique<KafkaLog>(std::move(settings), std::move(admin));
}

}  // namespace rtpipe::kafka
