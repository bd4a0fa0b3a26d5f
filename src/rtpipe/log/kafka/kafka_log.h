#pragma once
// The Kafka backend of the Log seam (`kafka://HOST:PORT[,HOST:PORT...]` URLs), on librdkafka.
// docs/kafka.md describes the settings, guarantees and consumer groups.
//
// Processes: any number, on any machines, may open the same cluster; there is no lock. Calls that
// reach the broker retry while it is away (not reachable, no leader, coordinator loading) for up
// to `log.request_timeout`, then fail with Unavailable naming the bootstrap servers.

#include <memory>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "rtpipe/log/kafka/kafka_client.h"
#include "rtpipe/log/log.h"

namespace rtpipe::kafka {

class KafkaLog final : public Log {
 public:
  KafkaLog(ClientSettings settings, Handle admin);
  ~KafkaLog() override;
  KafkaLog(const KafkaLog&) = delete;
  KafkaLog& operator=(const KafkaLog&) = delete;

  /// Topics are created with `spec.partitions` and `log.replication_factor` (-1: the broker's
  /// default); the call returns once the broker serves every partition.
  Status CreateTopic(const TopicSpec& spec) override;
  Status EnsureTopic(const TopicSpec& spec) override;
  /// Returns once the broker no longer lists the topic.
  Status DeleteTopic(const std::string& name) override;
  /// The topics of the cluster except its internal ones (names starting with "__").
  Result<std::vector<std::string>> ListTopics() override;
  /// Start/end offsets are the partitions' low and high watermarks; size and segments are -1.
  Result<TopicInfo> DescribeTopic(const std::string& name) override;
  Result<Offset> OffsetForTime(const TopicPartition& tp, Timestamp time) override;
  /// Commits as an admin client (AlterConsumerGroupOffsets): fails with FailedPrecondition while
  /// the group has active members subscribed to the topic (they commit themselves).
  Status CommitOffsets(const std::string& group, const std::map<TopicPartition, Offset>& offsets) override;
  Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string& group,
                                                            const std::string& topic) override;
  Result<std::unique_ptr<Producer>> NewProducer() override;
  Result<std::unique_ptr<Consumer>> NewConsumer() override;
  Result<std::unique_ptr<GroupConsumer>> NewGroupConsumer(const std::string& group,
                                                          const std::vector<std::string>& topics,
                                                          RebalanceListener& listener) override;

  const ClientSettings& settings() const { return settings_; }

 private:
  Status CreateTopicOnce(const TopicSpec& spec, std::chrono::milliseconds timeout);
  /// Waits until the broker serves every partition of `name` (or, with `gone`, no longer knows it).
  Status WaitForTopic(const std::string& name, bool gone);

  const ClientSettings settings_;
  Handle admin_;         // a producer-type client used for metadata, offsets and admin requests
  std::jthread poller_;  // serves admin_'s callbacks (errors) so its queue never grows
};

/// Opens the Kafka log named by `config.url`, checking that a bootstrap server answers within
/// `log.connect_timeout` (Unavailable naming the servers otherwise).
Result<std::unique_ptr<KafkaLog>> OpenKafkaLog(const LogConfig& config);

}  // namespace rtpipe::kafka
