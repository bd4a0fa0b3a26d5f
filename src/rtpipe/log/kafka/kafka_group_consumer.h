#pragma once
// A member of a Kafka consumer group (classic protocol, eager rebalancing with the roundrobin
// assignor). Every rebalance first revokes all of a member's partitions (the listener finishes
// and stores its work for them), then hands out the new assignment (the listener says where each
// partition starts). Between the two no member reads anything, so a partition is never read by two
// members at once and every owner starts exactly where the previous one stopped.
//
// Positions are exact: Positions() holds, per owned partition, the offset after the last record
// Poll returned; records fetched but not returned when a partition is revoked are dropped (the
// next owner reads them).

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rtpipe/log/kafka/kafka_client.h"
#include "rtpipe/log/log.h"

namespace rtpipe::kafka {

/// Not thread-safe (GroupConsumer's contract).
class KafkaGroupConsumer final : public GroupConsumer {
 public:
  static Result<std::unique_ptr<KafkaGroupConsumer>> Create(const ClientSettings& settings, const std::string& group,
                                                            const std::vector<std::string>& topics,
                                                            RebalanceListener& listener);
  ~KafkaGroupConsumer() override;
  KafkaGroupConsumer(const KafkaGroupConsumer&) = delete;
  KafkaGroupConsumer& operator=(const KafkaGroupConsumer&) = delete;

  Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                           std::stop_token stop) override;
  std::map<TopicPartition, Offset> Positions() const override { return positions_; }
  Status Commit(const std::map<TopicPartition, Offset>& offsets) override;
  Status Close() override;

  /// librdkafka's rebalance callback (runs inside rd_kafka_consumer_poll/close on our thread).
  void OnRebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);

 private:
  KafkaGroupConsumer(ClientSettings settings, std::string group, RebalanceListener& listener)
      : settings_(std::move(settings)), group_(std::move(group)), listener_(listener) {}
  void Assigned(rd_kafka_topic_partition_list_t* partitions);
  void Revoked(rd_kafka_topic_partition_list_t* partitions);
  /// Where the partitions the listener left out start: the group's committed offsets, else the start.
  Status FillStartOffsets(const std::vector<TopicPartition>& missing, std::map<TopicPartition, Offset>* starts);

  const ClientSettings settings_;
  const std::string group_;
  RebalanceListener& listener_;
  Handle rk_;
  bool closed_ = false;
  Status failure_;                              // a listener failure during a rebalance; Poll reports it from then on
  std::map<TopicPartition, Offset> positions_;  // owned partitions: the offset after the last record returned
  // While a Poll gathers records (else null): the records not returned yet, and the offset after
  // the last of them per owned partition.
  std::vector<ConsumedRecord>* gathering_ = nullptr;
  std::map<TopicPartition, Offset> next_;
};

}  // namespace rtpipe::kafka
