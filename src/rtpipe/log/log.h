#pragma once
// The Log seam: a partitioned, replayable record log. Implemented by the embedded segment log
// (`file:` URLs, log/embedded/) and by Apache Kafka (`kafka://` URLs, log/kafka/). Stages talk to
// the log only through these interfaces.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/strong_id.h"
#include "rtpipe/base/time.h"

namespace rtpipe {

struct Header {
  std::string key;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};

/// A record to append. `timestamp` is the record's event time (Kafka CreateTime); the epoch
/// (Timestamp{}) means "not set" and the log stamps the append time instead.
struct Record {
  std::optional<std::string> key;  // nullopt: a null key
  std::string value;
  Timestamp timestamp{};
  std::vector<Header> headers;
};

/// A record read back, with its position.
struct ConsumedRecord {
  std::string topic;
  PartitionId partition;
  Offset offset;
  Timestamp timestamp{};
  std::optional<std::string> key;
  std::optional<std::string> value;  // nullopt: a null value (tombstone)
  std::vector<Header> headers;

  /// The value of the first header named `key`, if any.
  std::optional<std::string_view> HeaderValue(std::string_view key) const;
};

struct TopicPartition {
  std::string topic;
  PartitionId partition;
  auto operator<=>(const TopicPartition&) const = default;
};

struct PartitionInfo {
  PartitionId partition;
  Offset start_offset;      // first offset still stored (retention moves it)
  Offset end_offset;        // offset the next append will get (Kafka's high watermark / log end)
  int64_t size_bytes = -1;  // -1 when the backend does not know
  int segments = -1;        // -1 when the backend does not know
};

struct TopicInfo {
  std::string name;
  std::vector<PartitionInfo> partitions;
};

struct TopicSpec {
  std::string name;
  int partitions = 1;
};

/// Records for one partition.
struct PartitionBatch {
  TopicPartition partition;
  std::span<const Record> records;
};

/// Appends records. Thread-safe: stages may share one producer; appends to one partition are
/// ordered as the calls are.
class Producer {
 public:
  virtual ~Producer() = default;

  /// Appends `records`, in order, to one partition. Returns the offset of the first record once
  /// all are durable under the log's durability policy (embedded: `log.fsync`; Kafka: acks=all).
  /// A failure means none or some of the records may be stored; the caller retries or gives up,
  /// never assumes they are lost or stored.
  virtual Result<Offset> Append(const std::string& topic, PartitionId partition, std::span<const Record> records) = 0;

  /// As Append for each batch (to distinct partitions), returning the offset of each batch's first
  /// record once all are durable. The embedded log writes every partition before it waits, so the
  /// disk makes them durable together; by default (Kafka) the batches are appended one by one.
  virtual Result<std::vector<Offset>> AppendEach(std::span<const PartitionBatch> batches);

  /// Appends records to the partitions their keys hash to (PartitionFor), and returns once all
  /// are durable. Records without a key all go to one partition per call, the next partition on
  /// the next call (round robin, like Kafka's sticky partitioner).
  virtual Status Send(const std::string& topic, std::span<const Record> records) = 0;
};

/// Kafka's default partitioner (murmur2 of the key bytes, made positive, modulo the count), so
/// a key lands in the same partition whether rtpipe or a Java Kafka client produced it.
PartitionId PartitionFor(std::string_view key, int partition_count);

/// Kafka's `Utils.murmur2` of the key bytes, as the Java client computes it (a signed int).
int32_t KafkaMurmur2(std::string_view key);

/// Reads records from assigned partitions. Not thread-safe: one thread per consumer.
class Consumer {
 public:
  virtual ~Consumer() = default;

  /// Reads from these partitions, each from the given offset (Offset() = beginning). Replaces any
  /// earlier assignment. An offset below the partition's start (retention) reads from the start.
  virtual Status Assign(const std::map<TopicPartition, Offset>& positions) = 0;

  /// The current assignment with the offset the next Poll reads from in each partition.
  virtual std::map<TopicPartition, Offset> Positions() const = 0;

  /// Returns up to `max_records` records, waiting up to `timeout` for the first one (long poll).
  /// An empty result means nothing arrived in time. Records of one partition come in offset order.
  virtual Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                   std::stop_token stop) = 0;
};

/// What a member of a consumer group is told when partitions come and go (GroupConsumer). Its
/// methods run on the thread that calls GroupConsumer::Poll or Close, inside that call, never
/// concurrently; they may block (a rebalance waits for them, up to Kafka's max.poll.interval.ms).
class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;

  /// `partitions` are now this member's. Returns where to read each of them from: the owner's
  /// own checkpoint (e.g. the offsets stored with the rows in the analytics store). A partition
  /// left out starts at the group's committed offset in the log, or at its start when none.
  /// A failure makes Poll fail with it; the member then owns the partitions but reads nothing
  /// from them, so the owner should Close it (its partitions then move to the other members).
  virtual Result<std::map<TopicPartition, Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) = 0;

  /// `partitions` are being taken away. Called before another member can get them: finish what
  /// was polled from them (write it, store its offsets) before returning, because the next owner
  /// starts at the offsets OnAssigned gives it. Positions() still includes them during the call;
  /// records Poll has not returned yet are dropped. `lost` means the group already gave them
  /// away (this member missed its session timeout): another member may be reading them, so
  /// commits to the log will fail; an owner that stores offsets elsewhere must not let this
  /// member's late writes go backwards (see docs/kafka.md).
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
};

/// One member of a consumer group: the group spreads the partitions of its topics over its
/// members and moves them when members come and go. Not thread-safe: one thread per member.
class GroupConsumer {
 public:
  virtual ~GroupConsumer() = default;

  /// As Consumer::Poll, over the partitions this member owns now. Rebalances happen inside Poll
  /// (the listener is called there); a record is returned only while its partition is owned.
  virtual Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                   std::stop_token stop) = 0;

  /// The owned partitions, each with the offset after the last record Poll returned from it.
  virtual std::map<TopicPartition, Offset> Positions() const = 0;

  /// Stores `offsets` as the group's committed offsets, as this member (Kafka checks that it
  /// still owns them: FailedPrecondition after it lost them; Unavailable when the broker is away).
  virtual Status Commit(const std::map<TopicPartition, Offset>& offsets) = 0;

  /// Leaves the group: the listener's OnRevoked runs for the owned partitions (here, on this
  /// thread), then the others share them. The destructor closes a member not closed yet.
  virtual Status Close() = 0;
};

/// A connection to a log. Thread-safe.
class Log {
 public:
  virtual ~Log() = default;

  /// Creates the topic; AlreadyExists if it is there.
  virtual Status CreateTopic(const TopicSpec& spec) = 0;
  /// Creates the topic unless it exists (then its partition count is left as it is).
  virtual Status EnsureTopic(const TopicSpec& spec) = 0;
  virtual Status DeleteTopic(const std::string& name) = 0;
  virtual Result<std::vector<std::string>> ListTopics() = 0;
  virtual Result<TopicInfo> DescribeTopic(const std::string& name) = 0;

  /// The first offset whose record timestamp is >= `time` (end offset if none).
  virtual Result<Offset> OffsetForTime(const TopicPartition& tp, Timestamp time) = 0;

  /// Durably stores a consumer group's positions (the offsets to read next).
  virtual Status CommitOffsets(const std::string& group, const std::map<TopicPartition, Offset>& offsets) = 0;
  /// The group's committed positions for `topic`; partitions never committed are absent.
  virtual Result<std::map<TopicPartition, Offset>> CommittedOffsets(const std::string& group,
                                                                    const std::string& topic) = 0;

  virtual Result<std::unique_ptr<Producer>> NewProducer() = 0;
  virtual Result<std::unique_ptr<Consumer>> NewConsumer() = 0;

  /// Joins consumer group `group` as a new member reading `topics` (which must exist). Kafka:
  /// any number of members in any processes, partitions spread over them (eager rebalancing,
  /// docs/kafka.md). Embedded log: one member per group at a time, owning every partition; a
  /// second one fails with FailedPrecondition. `listener` must outlive the consumer.
  virtual Result<std::unique_ptr<GroupConsumer>> NewGroupConsumer(const std::string& group,
                                                                  const std::vector<std::string>& topics,
                                                                  RebalanceListener& listener) = 0;
};

}  // namespace rtpipe
