#include "rtpipe/log/kafka/kafka_consumer.h"

#include <fmt/format.h>

#include <algorithm>

#include "rtpipe/base/logging.h"

namespace rtpipe::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// A stop request is noticed within this long while Poll waits.
constexpr std::chrono::milliseconds kPollSlice{50};

// The group.id of consumers that only use explicit assignment. librdkafka's assign() and
// consumer_poll() need one; such a consumer never joins the group and never commits.
constexpr const char* kAssignOnlyGroup = "rtpipe.assign-only";

}  // namespace

ConsumedRecord ToRecord(const rd_kafka_message_t& m) {
  ConsumedRecord r;
  r.topic = rd_kafka_topic_name(m.rkt);
  r.partition = PartitionId(m.partition);
  r.offset = Offset(m.offset);
  rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
  int64_t ts = rd_kafka_message_timestamp(&m, &type);
  if (ts >= 0) r.timestamp = TimestampFromMillis(ts);
  if (m.key != nullptr) r.key.emplace(static_cast<const char*>(m.key), m.key_len);
  if (m.payload != nullptr) r.value.emplace(static_cast<const char*>(m.payload), m.len);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR && headers != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      r.headers.push_back({name, value != nullptr ? std::string(static_cast<const char*>(value), size) : ""});
    }
  }
  return r;
}

Status ReadMessages(rd_kafka_t* rk, size_t max_records, std::chrono::milliseconds timeout, std::stop_token stop,
                    const ClientSettings& settings, const std::function<bool(const rd_kafka_message_t&)>& accept,
                    const std::function<size_t()>& taken) {
  static const auto logger = GetLogger("kafka");
  auto deadline = Clock::now() + timeout;
  while (taken() < max_records) {
    int wait_ms = 0;
    if (taken() == 0) {
      if (stop.stop_requested()) break;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      wait_ms = static_cast<int>(std::min(left, kPollSlice).count());
    }
    MessagePtr m(rd_kafka_consumer_poll(rk, wait_ms));
    if (!m) {
      if (taken() > 0) break;  // return what there is; wait only for the first record
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      accept(*m);
      continue;
    }
    std::string where =
        m->rkt != nullptr ? fmt::format(" ({}-{})", rd_kafka_topic_name(m->rkt), m->partition) : std::string();
    std::string text = rd_kafka_message_errstr(m.get());
    Status s = KafkaStatus(m->err, "consuming" + where, settings, text);
    switch (s.code()) {
      case StatusCode::kPermissionDenied:
      case StatusCode::kFailedPrecondition:
        return s;
      default:
        // The broker is away, a leader moves, a partition is not known yet, the member took too
        // long between polls: librdkafka recovers by itself and the read goes on.
        logger->debug("{}", s.ToString());
        break;
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<KafkaConsumer>> KafkaConsumer::Create(const ClientSettings& settings) {
  RTPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(settings, ClientRole::kConsumer, {{"group.id", kAssignOnlyGroup}}));
  RTPIPE_ASSIGN_OR_RETURN(Handle rk, NewClient(std::move(conf), RD_KAFKA_CONSUMER, settings));
  rd_kafka_poll_set_consumer(rk.get());
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(settings, std::move(rk)));
}

KafkaConsumer::~KafkaConsumer() {
  // No group membership to give up: just stop fetching before the client goes.
  rd_kafka_assign(rk_.get(), nullptr);
}

Status KafkaConsumer::Assign(const std::map<TopicPartition, Offset>& positions) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(positions.size())));
  std::map<TopicPartition, Offset> assigned;
  for (const auto& [tp, offset] : positions) {
    int64_t start = std::max<int64_t>(offset.value(), 0);
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset = start;
    assigned[tp] = Offset(start);
  }
  rd_kafka_resp_err_t err = rd_kafka_assign(rk_.get(), list.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "assigning partitions", settings_);
  positions_ = std::move(assigned);
  return Status::OK();
}

Result<std::vector<ConsumedRecord>> KafkaConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                        std::stop_token stop) {
  std::vector<ConsumedRecord> out;
  if (max_records == 0) return out;
  auto accept = [&](const rd_kafka_message_t& m) {
    auto it = positions_.find({rd_kafka_topic_name(m.rkt), PartitionId(m.partition)});
    // Not assigned any more, or fetched before a re-assignment moved the position: stale.
    if (it == positions_.end() || m.offset < it->second.value()) return false;
    out.push_back(ToRecord(m));
    it->second = Offset(m.offset + 1);
    return true;
  };
  RTPIPE_RETURN_IF_ERROR(
      ReadMessages(rk_.get(), max_records, timeout, stop, settings_, accept, [&] { return out.size(); }));
  return out;
}

}  // namespace rtpipe::kafka
