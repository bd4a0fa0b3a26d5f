#pragma once
// Event-time window aggregation with watermarks, for the shipped aggregates.
//
// Event time: a record's log timestamp (the ingest time the source assigned; with the offline
// generator a clock derived from seed and page, so runs with the same seed give the same windows).
// Watermark: per partition, the newest event time seen minus the allowed lateness; the operator's
// watermark is the minimum over partitions that are not idle (a partition is idle once it has had
// nothing to read for process.window.idle_timeout; when all are idle, the maximum is used). A
// window [start, end) closes when the watermark reaches its end: its final value is emitted and its
// state dropped, so state holds open windows only. A record behind the watermark is late: it is
// counted nowhere (the caller dead-letters it).
//
// State is kept per partition (its newest event time and its records' open windows), so that a
// partition can move to another processor with its state: each partition's state is serialized with
// its input offset in the same store transaction, and restored by whoever processes it next. Rows
// are per-partition values; the store adds them up (see sink/aggregate_tables.h).
// Not thread-safe: the processing thread owns it.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/strong_id.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/model/aggregate.h"
#include "rtpipe/model/created_user.h"

namespace rtpipe {

class WindowAggregator {
 public:
  WindowAggregator(std::vector<AggregateDefinition> definitions, const WindowConfig& config);

  /// Starts processing `partition`, with the state Serialize(partition) gave (empty: fresh). Until
  /// it delivers its first record, an added partition holds the watermark back (there is none).
  Status AddPartition(PartitionId partition, std::string_view saved_state);
  /// Stops processing `partition` and forgets its state (after it was checkpointed).
  void RemovePartition(PartitionId partition);

  /// Counts `row` (at row.event_time) in every window of every aggregate it falls in, in the state
  /// of `partition` (added implicitly if needed). Returns false, counting nothing, when the record is
  /// late (its event time is behind the watermark).
  bool Add(PartitionId partition, const CreatedUser& row);

  /// Tells whether `partition` has nothing left to read; after idle_timeout of that it stops
  /// holding the watermark back. Any record for it (Add) makes it active again.
  void SetCaughtUp(PartitionId partition, bool caught_up, MonoTime now);

  /// The current watermark, or nullopt before any record.
  std::optional<Timestamp> Watermark() const;

  /// Rows to upsert now: every window the watermark has closed since the last call (final, then
  /// dropped) and, with early updates, the current value of each open window changed since then.
  std::vector<AggregateRow> TakeUpdates();

  /// The current (not final) values of all open windows, e.g. to flush at shutdown when early
  /// updates are off.
  std::vector<AggregateRow> OpenWindows() const;

  size_t open_windows() const;
  const std::vector<AggregateDefinition>& definitions() const { return definitions_; }

  /// One partition's state as bytes for its checkpoint ("" for an unknown partition).
  std::string Serialize(PartitionId partition) const;

 private:
  struct Accumulator {
    int64_t users = 0;
    int64_t sum_age = 0;
    int min_age = 0;
    int max_age = 0;
    bool dirty = false;  // changed since the last TakeUpdates
  };
  // Open windows of one aggregate, keyed by (window start ms, dimension values joined by \x1f) and
  // looked up without building a std::string.
  struct KeyLess {
    using is_transparent = void;
    template <typename A, typename B>
    bool operator()(const A& a, const B& b) const {
      return a.first != b.first ? a.first < b.first : std::string_view(a.second) < std::string_view(b.second);
    }
  };
  using Windows = std::map<std::pair<int64_t, std::string>, Accumulator, KeyLess>;
  struct PartitionState {
    std::optional<int64_t> max_event_ms;  // nullopt until its first record
    std::optional<MonoTime> caught_up_since;
    bool idle = false;
    std::vector<Windows> windows;  // one per definition
  };

  PartitionState& State(PartitionId partition);
  AggregateRow MakeRow(PartitionId partition, size_t definition, const std::pair<int64_t, std::string>& key,
                       const Accumulator& acc, bool final) const;

  std::vector<AggregateDefinition> definitions_;
  WindowConfig config_;
  std::map<PartitionId, PartitionState> partitions_;
  std::string key_buffer_;
};

}  // namespace rtpipe
