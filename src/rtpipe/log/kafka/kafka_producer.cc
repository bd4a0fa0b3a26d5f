#include "rtpipe/log/kafka/kafka_producer.h"

#include <fmt/format.h>

#include <condition_variable>
#include <limits>
#include <vector>

#include "rtpipe/base/thread_name.h"

namespace rtpipe::kafka {

struct KafkaProducer::Call {
  std::mutex mu;
  std::condition_variable done;
  size_t pending = 0;                                          // guarded by mu
  int64_t first_offset = std::numeric_limits<int64_t>::max();  // guarded by mu
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;      // the first failure; guarded by mu
  int32_t error_partition = -1;                                // guarded by mu
  size_t failed = 0;                                           // guarded by mu
};

namespace {

// Delivery report of one record (on the poller thread). Its opaque is the Call waiting for it.
void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message, void* /*opaque*/) {
  auto* call = static_cast<KafkaProducer::Call*>(message->_private);
  std::lock_guard lock(call->mu);
  if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (call->failed++ == 0) {
      call->error = message->err;
      call->error_partition = message->partition;
    }
  } else if (message->offset >= 0) {
    call->first_offset = std::min(call->first_offset, message->offset);
  }
  // Notify under the lock: the waiter owns `call` and may destroy it as soon as it sees 0.
  if (--call->pending == 0) call->done.notify_all();
}

}  // namespace

Result<std::unique_ptr<KafkaProducer>> KafkaProducer::Create(const ClientSettings& settings) {
  RTPIPE_ASSIGN_OR_RETURN(ConfPtr conf, MakeConf(settings, ClientRole::kProducer));
  rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
  RTPIPE_ASSIGN_OR_RETURN(Handle rk, NewClient(std::move(conf), RD_KAFKA_PRODUCER, settings));
  return std::unique_ptr<KafkaProducer>(new KafkaProducer(settings, std::move(rk)));
}

KafkaProducer::KafkaProducer(ClientSettings settings, Handle rk) : settings_(std::move(settings)), rk_(std::move(rk)) {
  poller_ = std::jthread([rk = rk_.get()](std::stop_token stop) {
    SetThreadName("kafka-produce");
    while (!stop.stop_requested()) rd_kafka_poll(rk, 50);
  });
}

KafkaProducer::~KafkaProducer() {
  // Every call waited for its records, so nothing is in flight; stop serving, then destroy.
  poller_.request_stop();
  if (poller_.joinable()) poller_.join();
  std::lock_guard lock(topics_mu_);
  topics_.clear();  // topic handles go before the client
}

Result<rd_kafka_topic_t*> KafkaProducer::Topic(const std::string& name) {
  std::lock_guard lock(topics_mu_);
  auto it = topics_.find(name);
  if (it != topics_.end()) return it->second.get();
  TopicPtr topic(rd_kafka_topic_new(rk_.get(), name.c_str(), nullptr));
  if (!topic) return KafkaStatus(rd_kafka_last_error(), "topic " + name, settings_);
  rd_kafka_topic_t* raw = topic.get();
  topics_.emplace(name, std::move(topic));
  return raw;
}

Result<int> KafkaProducer::PartitionCountOf(const std::string& name) {
  {
    std::lock_guard lock(topics_mu_);
    if (auto it = partition_counts_.find(name); it != partition_counts_.end()) return it->second;
  }
  RTPIPE_ASSIGN_OR_RETURN(int count, PartitionCount(rk_.get(), name, settings_));
  std::lock_guard lock(topics_mu_);
  partition_counts_[name] = count;
  return count;
}

Status KafkaProducer::Produce(rd_kafka_topic_t* topic, int32_t partition, const Record& r, Call* call) {
  rd_kafka_headers_t* headers = nullptr;
  if (!r.headers.empty()) {
    headers = rd_kafka_headers_new(r.headers.size());
    for (const auto& h : r.headers) {
      rd_kafka_header_add(headers, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                          static_cast<ssize_t>(h.value.size()));
    }
  }
  {
    std::lock_guard lock(call->mu);
    ++call->pending;
  }
  rd_kafka_vu_t vu[8] = {};
  vu[0].vtype = RD_KAFKA_VTYPE_RKT;
  vu[0].u.rkt = topic;
  vu[1].vtype = RD_KAFKA_VTYPE_PARTITION;
  vu[1].u.i32 = partition;
  vu[2].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  vu[2].u.i = RD_KAFKA_MSG_F_COPY;
  vu[3].vtype = RD_KAFKA_VTYPE_KEY;
  vu[3].u.mem = {r.key ? const_cast<char*>(r.key->data()) : nullptr, r.key ? r.key->size() : 0};
  vu[4].vtype = RD_KAFKA_VTYPE_VALUE;
  vu[4].u.mem = {const_cast<char*>(r.value.data()), r.value.size()};
  vu[5].vtype = RD_KAFKA_VTYPE_TIMESTAMP;
  vu[5].u.i64 = ToMillis(r.timestamp);  // 0: librdkafka stamps the current time
  vu[6].vtype = RD_KAFKA_VTYPE_OPAQUE;
  vu[6].u.ptr = call;
  size_t count = 7;
  if (headers != nullptr) {
    vu[7].vtype = RD_KAFKA_VTYPE_HEADERS;
    vu[7].u.headers = headers;
    count = 8;
  }
  while (true) {
    ErrorPtr error(rd_kafka_produceva(rk_.get(), vu, count));
    rd_kafka_resp_err_t err = error ? rd_kafka_error_code(error.get()) : RD_KAFKA_RESP_ERR_NO_ERROR;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::OK();  // the headers now belong to the message
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // the poller drains delivery reports
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    std::lock_guard lock(call->mu);
    --call->pending;
    return KafkaStatus(err, fmt::format("appending to {}-{}", rd_kafka_topic_name(topic), partition), settings_);
  }
}

Status KafkaProducer::Finish(Call& call, const std::string& topic, Status produce_status) {
  std::unique_lock lock(call.mu);
  call.done.wait(lock, [&] { return call.pending == 0; });
  if (call.failed > 0) {
    return KafkaStatus(call.error,
                       fmt::format("{} record(s) to {}-{} not acknowledged", call.failed, topic, call.error_partition),
                       settings_);
  }
  return produce_status;
}

Result<Offset> KafkaProducer::Append(const std::string& topic, PartitionId partition, std::span<const Record> records) {
  if (records.empty()) {
    int64_t low = 0;
    int64_t high = 0;
    rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition.value(), &low, &high,
                                                               static_cast<int>(settings_.request_timeout.count()));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err, fmt::format("end offset of {}-{}", topic, partition.value()), settings_);
    }
    return Offset(high);
  }
  RTPIPE_ASSIGN_OR_RETURN(rd_kafka_topic_t * t, Topic(topic));
  Call call;
  Status produced;
  for (const Record& r : records) {
    produced = Produce(t, partition.value(), r, &call);
    if (!produced.ok()) break;
  }
  RTPIPE_RETURN_IF_ERROR(Finish(call, topic, produced));
  std::lock_guard lock(call.mu);
  if (call.first_offset == std::numeric_limits<int64_t>::max()) {
    return Status::Internal("appending to {}-{}: acknowledged without offsets", topic, partition.value());
  }
  return Offset(call.first_offset);
}

Status KafkaProducer::Send(const std::string& topic, std::span<const Record> records) {
  if (records.empty()) return Status::OK();
  RTPIPE_ASSIGN_OR_RETURN(int count, PartitionCountOf(topic));
  RTPIPE_ASSIGN_OR_RETURN(rd_kafka_topic_t * t, Topic(topic));
  int32_t sticky = -1;  // chosen on the first keyless record of this call
  Call call;
  Status produced;
  for (const Record& r : records) {
    int32_t p = 0;
    if (r.key) {
      p = PartitionFor(*r.key, count).value();
    } else {
      if (sticky < 0) sticky = static_cast<int32_t>(next_sticky_.fetch_add(1) % static_cast<uint32_t>(count));
      p = sticky;
    }
    produced = Produce(t, p, r, &call);
    if (!produced.ok()) break;
  }
  return Finish(call, topic, produced);
}

}  // namespace rtpipe::kafka
