#pragma once
// The Kafka backend's Consumer (explicit assignment, no group membership) and what it shares with
// the group consumer: turning librdkafka messages into ConsumedRecords while keeping the exact
// position (offset after the last record handed out) of every partition.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <vector>

#include "rtpipe/log/kafka/kafka_client.h"
#include "rtpipe/log/log.h"

namespace rtpipe::kafka {

/// Copies a fetched message into a ConsumedRecord.
ConsumedRecord ToRecord(const rd_kafka_message_t& message);

/// Reads messages from a consumer client's queue for at most `timeout` (in slices, so a stop
/// request is noticed within ~50 ms), keeping only those `accept` takes. Consumer errors that
/// librdkafka recovers from by itself (broker away) are logged; others end the read with an error.
/// `accept` is called for each message (after any rebalance callback triggered by the read).
Status ReadMessages(rd_kafka_t* rk, size_t max_records, std::chrono::milliseconds timeout, std::stop_token stop,
                    const ClientSettings& settings, const std::function<bool(const rd_kafka_message_t&)>& accept,
                    const std::function<size_t()>& taken);

/// Not thread-safe (Consumer's contract).
class KafkaConsumer final : public Consumer {
 public:
  static Result<std::unique_ptr<KafkaConsumer>> Create(const ClientSettings& settings);
  ~KafkaConsumer() override;
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Offset() (0) below a partition's start reads from its start (auto.offset.reset=earliest).
  Status Assign(const std::map<TopicPartition, Offset>& positions) override;
  std::map<TopicPartition, Offset> Positions() const override { return positions_; }
  Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                           std::stop_token stop) override;

 private:
  KafkaConsumer(ClientSettings settings, Handle rk) : settings_(std::move(settings)), rk_(std::move(rk)) {}

  const ClientSettings settings_;
  Handle rk_;
  std::map<TopicPartition, Offset> positions_;  // the offset after the last record returned
};

}  // namespace rtpipe::kafka
