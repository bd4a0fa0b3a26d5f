#pragma once
// One segment of a partition: the file `<base offset, 20 digits>.log` holding whole record batches
// back to back (no other framing), and its indexes (`.index`, `.timeindex`, segment_index.h).
// The base offset in the name is the offset of the segment's first batch.
//
// Threading: the file may be read (ReadAt) from any thread while the owning partition appends;
// everything else is guarded by the owning partition's lock. Segments are shared (shared_ptr)
// between the partition and readers, so a reader keeps a segment readable while retention unlinks it.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "rtpipe/base/file_system.h"
#include "rtpipe/log/embedded/record_batch.h"
#include "rtpipe/log/embedded/segment_index.h"

namespace rtpipe::embedded {

/// "00000000000000000042" + suffix.
std::string SegmentFileName(int64_t base_offset, std::string_view suffix);
/// The base offset of "<20 digits>.log", or nullopt for any other name.
std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix);

inline constexpr std::string_view kLogSuffix = ".log";
inline constexpr std::string_view kIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";

/// Why a scan stopped.
enum class ScanStop : uint8_t {
  kEnd,         // reached the limit exactly at a batch boundary
  kIncomplete,  // a batch runs past the limit (torn tail, or still being written)
  kCorrupt,     // a batch is invalid: impossible header, CRC mismatch, or an unexpected base offset
  kStopped,     // the callback asked to stop
};

struct ScanResult {
  uint64_t end = 0;          // position after the last valid batch
  int64_t next_offset = -1;  // offset after the last valid batch (-1 when none and none expected)
  ScanStop stop = ScanStop::kEnd;
  std::string why;  // for kCorrupt
};

/// Called for each valid batch; return false to stop. `batch` is only valid during the call.
using BatchVisitor = std::function<bool(const BatchHeader& header, uint64_t position, std::string_view batch)>;

/// Reads and validates (header and CRC) the batches of `file` from `position` up to `limit`,
/// calling `visit` for each. When `expected_offset` >= 0 each batch must start at the offset
/// after the previous one (the first at `expected_offset`). `buffer` is reused between calls;
/// `chunk` is the read size. An IO error is returned as such; bad bytes end the scan (kCorrupt).
Result<ScanResult> ScanBatches(const File& file, uint64_t position, uint64_t limit, int64_t expected_offset,
                               const BatchVisitor& visit, std::string* buffer, size_t chunk = size_t{1} << 20);

class Segment {
 public:
  /// Creates an empty segment file (it must not exist).
  static Result<std::shared_ptr<Segment>> Create(FileSystem& fs, const std::string& dir, int64_t base_offset);
  /// Opens an existing segment; `size` is taken from the file and may be cut by recovery.
  static Result<std::shared_ptr<Segment>> Open(FileSystem& fs, const std::string& dir, int64_t base_offset,
                                               bool writable);

  Segment(const Segment&) = delete;
  Segment& operator=(const Segment&) = delete;

  int64_t base_offset() const { return base_offset_; }
  const std::string& log_path() const { return file_->path(); }
  std::string index_path() const;
  std::string time_index_path() const;
  File& file() const { return *file_; }

  /// Bytes of whole, valid batches (the writer's view; readers in other processes probe the file).
  uint64_t size() const { return size_; }
  /// The offset after the segment's last batch (base offset when empty).
  int64_t next_offset() const { return next_offset_; }
  void SetEnd(uint64_t size, int64_t next_offset) {
    size_ = size;
    next_offset_ = next_offset;
  }

  SegmentIndex& index() { return index_; }
  const SegmentIndex& index() const { return index_; }

  /// Appends encoded batches (already carrying their offsets) and records them in the index. On a
  /// write failure the file is cut back to its previous size; if even that fails the segment is
  /// left longer than size() and the caller must stop using it.
  Status AppendBatches(std::string_view bytes, bool* truncate_failed);

  /// Cuts the segment to `size` bytes (a batch boundary) and drops index entries beyond it.
  Status TruncateTo(uint64_t size, int64_t next_offset);

  /// Index bytes not yet in the index files, up to `offset_entries`/`time_entries` entries in all.
  /// Called under the partition lock; the write happens outside it (WriteIndex).
  struct PendingIndex {
    std::string offset_bytes;
    std::string time_bytes;
    size_t offset_entries = 0;  // entry counts once written
    size_t time_entries = 0;
  };
  PendingIndex PendingIndexUpTo(size_t offset_entries, size_t time_entries) const;
  /// Appends pending index bytes and syncs both index files (created on first use). Callers
  /// serialize WriteIndex calls of one segment (the partition's index lock).
  Status WriteIndex(const PendingIndex& pending);
  size_t flushed_offset_entries() const { return flushed_offset_entries_; }
  size_t flushed_time_entries() const { return flushed_time_entries_; }
  /// Loads the index files, keeping at most the given entry counts (SegmentIndex::Load). When
  /// `writable`, cuts the files to the kept entries. Returns whether nothing had to be dropped.
  Result<bool> LoadIndexFiles(size_t max_offset_entries, size_t max_time_entries, bool writable);

  bool sealed() const { return sealed_; }
  void set_sealed() { sealed_ = true; }
  /// True when index().max_timestamp() covers every batch (false for a read-only view of a
  /// segment whose index files the writer has not flushed yet).
  bool timestamps_exact() const { return timestamps_exact_; }
  void set_timestamps_exact(bool exact) { timestamps_exact_ = exact; }
  /// Where the bytes not yet handed to early writeback start (Partition::Write).
  uint64_t writeback_start() const { return writeback_start_; }
  void set_writeback_start(uint64_t position) { writeback_start_ = position; }
  /// Wall-clock ms when this process first saw the segment hold data (for age-based rolling).
  int64_t first_data_ms() const { return first_data_ms_; }
  void set_first_data_ms(int64_t ms) { first_data_ms_ = ms; }

  /// Removes the segment's files (the open handle stays readable for current readers).
  Status RemoveFiles();

 private:
  Segment(FileSystem& fs, std::string dir, int64_t base_offset, std::unique_ptr<File> file)
      : fs_(fs),
        dir_(std::move(dir)),
        base_offset_(base_offset),
        file_(std::move(file)),
        index_(base_offset),
        next_offset_(base_offset) {}
  Status OpenIndexFiles();
  Result<std::string> ReadOptional(const std::string& path);

  FileSystem& fs_;
  std::string dir_;
  int64_t base_offset_;
  std::unique_ptr<File> file_;
  SegmentIndex index_;
  uint64_t size_ = 0;
  int64_t next_offset_;
  bool sealed_ = false;
  bool timestamps_exact_ = true;
  int64_t first_data_ms_ = -1;
  uint64_t writeback_start_ = 0;
  std::unique_ptr<File> index_file_;
  std::unique_ptr<File> time_index_file_;
  size_t flushed_offset_entries_ = 0;
  size_t flushed_time_entries_ = 0;
};

}  // namespace rtpipe::embedded
