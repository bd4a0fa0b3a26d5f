#pragma once
// One partition of a topic: a directory of segments (segment.h) plus its recovery point.
//
//   topics/<topic>/<partition>/00000000000000000000.log   batches, back to back
//                              00000000000000000000.index / .timeindex
//                              recovery-point              metadata.h
//
// Two modes. The writer (one process, holding the log's lock) recovers the partition when it
// opens it, appends, syncs (group commit), rolls, applies retention and checkpoints. A read-only
// partition (any number of other processes) never writes: it discovers new data by probing the
// files, and reads up to the last complete, CRC-valid batch.
//
// Visibility: in the writer, readers see offsets up to the visible end: the durable end under
// fsync=always (so nothing is read that a crash could take back), the written end otherwise.
//
// Locks: `mu_` guards the segment list and the write state (held during the write(2) of an append
// and during a roll, never during a group-commit fdatasync); `index_mu_` serializes the file work
// of checkpoints, retention and close (index files, recovery point, removals). Order: index_mu_
// before mu_; mu_ before the GroupCommit's own lock.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "rtpipe/base/file_system.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/embedded/group_commit.h"
#include "rtpipe/log/embedded/metadata.h"
#include "rtpipe/log/embedded/segment.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

struct PartitionOptions {
  FileSystem* fs = nullptr;
  const Clock* clock = nullptr;
  bool writable = false;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  int64_t segment_bytes = int64_t{128} << 20;
  int64_t segment_age_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_bytes = -1;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  /// Called, outside any lock, when new offsets become visible to readers.
  std::function<void()> on_visible;
};

/// What opening (and recovering) a partition did.
struct RecoveryStats {
  uint64_t bytes_scanned = 0;
  uint64_t batches_scanned = 0;
  uint64_t bytes_truncated = 0;
  int segments_dropped = 0;
  int indexes_rebuilt = 0;
};

/// Where a reader is: the next offset to read and, once located, the segment and the file position
/// of the batch holding it (or of a batch before it).
struct ReadCursor {
  int64_t offset = 0;
  std::shared_ptr<Segment> segment;  // null: locate `offset` through the index
  uint64_t position = 0;
};

/// A batch returned by Fetch; `bytes` points into the caller's buffer.
struct FetchedBatch {
  BatchHeader header;
  uint64_t position = 0;
  std::string_view bytes;
};

class Partition {
 public:
  /// Opens an existing partition directory. A writer recovers it first: validates the batches after
  /// the recovery point, truncates a torn tail, drops later segments, rebuilds indexes.
  static Result<std::unique_ptr<Partition>> Open(const std::string& dir, const PartitionOptions& options,
                                                 RecoveryStats* stats);
  /// Creates the directory of a new, empty partition with its first segment (not synced: the
  /// caller syncs the directories).
  static Status Create(FileSystem& fs, const std::string& dir);

  ~Partition();
  Partition(const Partition&) = delete;
  Partition& operator=(const Partition&) = delete;

  // --- writer ---------------------------------------------------------------------------------

  /// Appends encoded batches (EncodeBatch output, back to back), giving them their offsets.
  /// Returns [first offset, next offset). Not yet durable: see WaitDurable.
  Result<std::pair<int64_t, int64_t>> Write(std::string* batches);
  /// Returns once offsets below `next_offset` are durable under the fsync policy (group commit
  /// under `always`; at once otherwise).
  Status WaitDurable(int64_t next_offset);
  /// Makes everything written so far durable (the interval flusher).
  Status Sync();
  /// Asks the kernel to start writing out what was appended but is not durable yet, without
  /// waiting (sync_file_range), so that the syncs of several partitions overlap.
  void StartWriteback();
  /// Writes the index entries of the durable prefix and a new recovery point, if it moved by at
  /// least `min_lag_bytes` (any change when 0).
  Status Checkpoint(uint64_t min_lag_bytes = 0);
  /// Rolls an aged active segment and deletes segments beyond retention.
  Status Maintain();
  /// Final sync, final index entries and a recovery point at the end. The partition stays readable.
  Status Close();

  // --- readers --------------------------------------------------------------------------------

  /// Reads whole, CRC-valid, visible batches that hold offsets >= cursor->offset, at most about
  /// `max_bytes` (at least one batch), into `buffer`. Positions the cursor (segment, position) at
  /// the first returned batch; when nothing is returned the cursor waits at the visible end. An
  /// offset below the start moves the cursor to the start.
  Status Fetch(ReadCursor* cursor, size_t max_bytes, std::string* buffer, std::vector<FetchedBatch>* out);
  /// Read-only mode: picks up segments the writer process added or removed (one directory listing).
  Status Refresh();

  int64_t StartOffset() const;
  /// The offset after the last visible record (read-only: after the last whole batch on disk now).
  Result<int64_t> EndOffset();
  Result<PartitionInfo> Info();
  /// The first offset whose record timestamp is >= `timestamp_ms` (EndOffset() if none).
  Result<int64_t> OffsetForTime(int64_t timestamp_ms);

  const std::string& dir() const { return dir_; }
  uint64_t sync_rounds() const { return commit_.rounds(); }

 private:
  Partition(std::string dir, const PartitionOptions& options);

  // Opening (partition_open.cc).
  Status Recover(RecoveryStats* stats);
  Status LoadReadOnly();
  Result<std::vector<int64_t>> ListSegmentBases(bool clean_up);
  Result<std::optional<RecoveryPoint>> ReadRecoveryPoint();

  // Writing (partition.cc). REQUIRES mu_.
  Status RollLocked();
  Status PoisonLocked(const Status& status);
  RecoveryPoint SnapshotLocked(const Segment& segment) const;
  void SetVisibleLocked(const RecoveryPoint& point);
  Result<int64_t> SyncActive();
  int64_t WrittenEnd() const;
  Segment& active() const { return *segments_.back(); }

  // Reading (partition_read.cc). REQUIRES mu_.
  uint64_t LimitLocked(const Segment& segment, bool* is_last) const;
  std::shared_ptr<Segment> SegmentForLocked(int64_t offset) const;
  std::shared_ptr<Segment> NextSegmentLocked(const Segment& segment) const;
  Status ScanTailLocked();

  const std::string dir_;
  const PartitionOptions options_;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Segment>> segments_;  // guarded by mu_; by base offset; never empty when open
  RecoveryPoint durable_;                           // guarded by mu_: the synced prefix
  RecoveryPoint visible_;                           // guarded by mu_: segment_base/position/next_offset
  Status poisoned_;                                 // guarded by mu_: set after a failure that leaves the files unknown
  std::optional<RecoveryPoint> read_only_point_;    // guarded by mu_ (read-only mode)
  int64_t last_listing_ms_ = 0;                     // guarded by mu_ (read-only mode)

  GroupCommit commit_{0};

  std::mutex index_mu_;
  RecoveryPoint checkpointed_;  // guarded by index_mu_
  bool closed_ = false;         // guarded by index_mu_
};

}  // namespace rtpipe::embedded
