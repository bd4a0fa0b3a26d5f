#pragma once
// The Kafka backend's Producer: an idempotent librdkafka producer (acks=all, in-flight <= 5, so
// retries neither duplicate nor reorder), whose calls return once every record's delivery report
// came back. A record the broker did not acknowledge within delivery.timeout.ms
// (`log.request_timeout`) fails the call; none is dropped silently.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "rtpipe/log/kafka/kafka_client.h"
#include "rtpipe/log/log.h"

namespace rtpipe::kafka {

/// Thread-safe: any number of threads may append at once (each call waits for its own records).
class KafkaProducer final : public Producer {
 public:
  static Result<std::unique_ptr<KafkaProducer>> Create(const ClientSettings& settings);
  ~KafkaProducer() override;
  KafkaProducer(const KafkaProducer&) = delete;
  KafkaProducer& operator=(const KafkaProducer&) = delete;

  /// The records go to `partition` in order; returns the offset of the first one.
  Result<Offset> Append(const std::string& topic, PartitionId partition, std::span<const Record> records) override;
  /// Keyed records go to PartitionFor(key) (murmur2, as Java's default partitioner); keyless ones
  /// to one partition per call, round robin across calls.
  Status Send(const std::string& topic, std::span<const Record> records) override;

  struct Call;  // one Append/Send waiting for the delivery reports of its records

 private:
  KafkaProducer(ClientSettings settings, Handle rk);
  Result<rd_kafka_topic_t*> Topic(const std::string& name);
  Result<int> PartitionCountOf(const std::string& name);
  /// Queues one record (waiting while librdkafka's queue is full).
  Status Produce(rd_kafka_topic_t* topic, int32_t partition, const Record& record, Call* call);
  /// Waits for the delivery reports of every record queued for `call`.
  Status Finish(Call& call, const std::string& topic, Status produce_status);

  const ClientSettings settings_;
  Handle rk_;
  std::jthread poller_;  // serves delivery reports and error callbacks

  std::mutex topics_mu_;
  std::map<std::string, TopicPtr> topics_;       // guarded by topics_mu_
  std::map<std::string, int> partition_counts_;  // guarded by topics_mu_
  std::atomic<uint32_t> next_sticky_{0};         // keyless records: one partition per Send, round robin
};

}  // namespace rtpipe::kafka
