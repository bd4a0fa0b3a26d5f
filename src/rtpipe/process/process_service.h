#pragma once
// The processing stage: consumes users_created as one member of the consumer group process.group,
// turns each message into a created_users row or a dead letter, counts users in event-time
// windows, and writes rows and window values through the Sink together with each partition's
// checkpoint (offset, window state, dead-letter ends).
//
// Scale-out: with Kafka, several processes in the group share the partitions; a partition's state
// lives in the store with its offset, so when the group moves a partition the new owner restores
// it (OnAssigned) after the old owner has written everything it read from it (OnRevoked).
//
// Threads: Run() polls and transforms on the caller's thread and hands finished batches to a
// sink thread through a bounded queue (a slow store slows consumption; memory stays bounded).
// Dead letters are appended (durably, guarded against re-appends) before their batch is handed
// over, and the batch records the dead-letter topic's end offsets for the replay guard.

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/log.h"
#include "rtpipe/log/replay_guard.h"
#include "rtpipe/sink/sink.h"

namespace rtpipe {

/// How a processing run starts and ends. The defaults are live processing from the checkpoint.
struct ProcessOptions {
  std::string group;  // checkpoint name; empty: process.group
  /// Replay (backfill): start at these offsets with empty window state instead of the checkpoint.
  std::optional<std::map<TopicPartition, Offset>> replay_from;
  /// Write aggregate windows only from this start on (a replay from a time recomputes only the
  /// windows it saw whole).
  std::optional<Timestamp> windows_from;
  /// Stop once the end offsets seen at start are processed (a bounded backfill).
  bool stop_at_end = false;
};

struct ProcessMetrics {
  Counter consumed;      // records read from the topic
  Counter stored;        // rows committed to the store
  Counter dead_letters;  // records rejected (appended to the dead-letter topic)
  Counter late;          // of which behind the watermark (reason "late"; their rows are still stored)
  Counter aggregates;    // aggregate window rows upserted
  Gauge open_windows;    // windows held in state
  Counter committed;     // input records whose outcome is committed (rows + dead letters)
  Counter duplicates;    // dead letters not appended again after a restart
  Gauge lag;             // records in the topic not yet committed
  Histogram latency_us;  // ingest -> committed in the store, microseconds
};

class ProcessService {
 public:
  static Result<std::unique_ptr<ProcessService>> Create(const Config& config, Log& log, Sink& sink,
                                                        ProcessMetrics& metrics, ProcessOptions options = {});
  ~ProcessService();

  /// Processes until `stop` is requested, the end is reached (stop_at_end), or an error occurs
  /// (then returns it). Batches already handed to the sink thread are written before Run returns,
  /// and open windows are flushed when early updates are off.
  Status Run(std::stop_token stop);

  /// The offsets committed to the store so far, for the partitions this member owns (thread-safe).
  std::map<TopicPartition, Offset> CommittedOffsets() const;

 private:
  struct Impl;
  explicit ProcessService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtpipe
