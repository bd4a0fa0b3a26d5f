#pragma once
// The Sink seam: the analytics store. Implementations: SQLite (`sqlite:` URLs, the embedded
// default) and Apache Cassandra (`cassandra://`).
//
// Delivery: the processor commits its input offsets (and operator state) through the sink, with
// the rows they produced. SQLite does both in one transaction (exactly once); Cassandra upserts the
// rows first and stores the checkpoint after they are acknowledged (idempotent rows, so a replay
// converges to the same table).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/replay_guard.h"
#include "rtpipe/model/aggregate.h"
#include "rtpipe/model/created_user.h"

namespace rtpipe {

/// Where one input partition stands, stored with the rows its records produced. Kept per partition
/// so that a partition can move between processors (Kafka consumer-group rebalances) with its state.
struct PartitionCheckpoint {
  Offset next_offset;   // the next offset to read
  int64_t records = 0;  // records of this partition processed in total (rows + dead letters)
  LogEnds dlq_ends;     // dead-letter topic ends once this partition's letters so far were durable
  std::string state;    // the partition's serialized window state (may be empty)
  friend bool operator==(const PartitionCheckpoint&, const PartitionCheckpoint&) = default;
};
using SinkCheckpoint = std::map<TopicPartition, PartitionCheckpoint>;

struct SinkBatch {
  std::vector<CreatedUser> users;
  /// Per-partition window values (see model/aggregate.h); the store keeps them and sets each
  /// aggregate table's row to the sum over partitions, in the same write.
  std::vector<AggregateRow> aggregates;
  SinkCheckpoint checkpoint;  // the partitions this batch advances
};

/// Used by one sink thread.
class Sink {
 public:
  virtual ~Sink() = default;
  /// The group's checkpoint: every partition it has written (empty before the first batch).
  virtual Result<SinkCheckpoint> LoadCheckpoint(const std::string& group) = 0;
  /// Upserts the rows (users by id, aggregates by window and dimensions) and stores the checkpoint
  /// of every partition in the batch. A partition's checkpoint never moves backwards: a late write
  /// from a processor that has lost the partition leaves it as it is.
  virtual Status Write(const std::string& group, const SinkBatch& batch) = 0;
};

/// Opens the store named by `sink.url`, creating its tables (created_users and the aggregates).
Result<std::unique_ptr<Sink>> OpenSink(const Config& config);

}  // namespace rtpipe
