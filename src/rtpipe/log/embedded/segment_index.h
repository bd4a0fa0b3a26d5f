#pragma once
// The sparse indexes of one segment, kept in memory and mirrored to two files (Kafka's layout):
//
//   <base>.index      8-byte entries: relativeOffset uint32 BE, position uint32 BE
//                     (relativeOffset = the last offset of the batch at `position` - base offset)
//   <base>.timeindex  12-byte entries: timestamp int64 BE, relativeOffset uint32 BE
//                     (the greatest record timestamp in the segment up to and including the batch
//                     whose last offset is relativeOffset: no record at or below that offset is
//                     newer than the timestamp)
//
// An offset entry is added for a batch when more than kIndexIntervalBytes were appended since the
// previous entry (the batch at position 0 needs none); a time entry is added at the same points
// when the greatest timestamp grew, and once more when the segment is sealed. Both files only
// grow, by whole entries; after a crash they are cut back to what the recovery checkpoint vouches
// for and rebuilt from the segment's batches.
//
// Not thread-safe: the owning partition's lock guards it.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/log/embedded/record_batch.h"

namespace rtpipe::embedded {

inline constexpr uint32_t kIndexIntervalBytes = 4096;
inline constexpr size_t kOffsetEntrySize = 8;
inline constexpr size_t kTimeEntrySize = 12;

struct OffsetIndexEntry {
  uint32_t relative_offset = 0;
  uint32_t position = 0;
  friend bool operator==(const OffsetIndexEntry&, const OffsetIndexEntry&) = default;
};

struct TimeIndexEntry {
  int64_t timestamp = 0;
  uint32_t relative_offset = 0;
  friend bool operator==(const TimeIndexEntry&, const TimeIndexEntry&) = default;
};

class SegmentIndex {
 public:
  explicit SegmentIndex(int64_t base_offset) : base_offset_(base_offset), last_offset_(base_offset - 1) {}

  /// Records that the batch `h` was stored at `position` (batches come in file order).
  void OnBatch(const BatchHeader& h, uint32_t position);
  /// Adds the final time entry when the greatest timestamp is not indexed yet (segment sealed).
  void Seal();

  /// Where to start reading to find `target`: the position of the last indexed batch whose last
  /// offset is <= target, or 0.
  uint32_t LookupPosition(int64_t target) const;
  /// For OffsetForTime: every record below the returned offset has a timestamp < `timestamp`
  /// (the offset after the last time entry below `timestamp`, or the base offset).
  int64_t LookupOffsetBefore(int64_t timestamp) const;

  int64_t base_offset() const { return base_offset_; }
  /// Greatest record timestamp seen, or -1 when no batch was recorded or restored.
  int64_t max_timestamp() const { return max_timestamp_; }
  const std::vector<OffsetIndexEntry>& offset_entries() const { return offsets_; }
  const std::vector<TimeIndexEntry>& time_entries() const { return times_; }

  /// File bytes of the entries from `first` on.
  std::string EncodeOffsetEntries(size_t first) const;
  std::string EncodeTimeEntries(size_t first) const;

  /// Replaces the entries with those decoded from index file contents, keeping the longest prefix
  /// that is consistent (increasing, positions below `segment_size`, at most `max_*` entries).
  /// Returns false when some bytes had to be dropped. Restores the greatest timestamp from the
  /// last time entry and the interval state from the last offset entry.
  bool Load(std::string_view offset_file, std::string_view time_file, uint64_t segment_size, size_t max_offset_entries,
            size_t max_time_entries);
  /// Restores the state a recovery scan continues from (see RecoveryPoint): the greatest
  /// timestamp and the last offset so far, and the bytes appended since the last offset entry.
  void RestoreScanState(int64_t max_timestamp, int64_t last_offset, uint32_t bytes_since_entry);
  uint32_t bytes_since_entry() const { return bytes_since_entry_; }
  /// Forgets everything (the segment will be scanned from its start).
  void Clear();

 private:
  int64_t base_offset_;
  std::vector<OffsetIndexEntry> offsets_;
  std::vector<TimeIndexEntry> times_;
  uint32_t bytes_since_entry_ = 0;
  int64_t max_timestamp_ = -1;
  int64_t last_offset_;  // last offset of the last recorded batch (base - 1 when none)
};

}  // namespace rtpipe::embedded
