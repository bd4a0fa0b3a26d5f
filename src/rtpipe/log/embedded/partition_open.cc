// Opening a partition: recovery (writer) and loading (read-only).

#include <algorithm>
#include <limits>

#include "rtpipe/base/logging.h"
#include "rtpipe/log/embedded/partition.h"

namespace rtpipe::embedded {
namespace {

constexpr std::string_view kRecoveryPointFile = "recovery-point";
constexpr size_t kScanChunk = size_t{4} << 20;
constexpr size_t kAll = std::numeric_limits<size_t>::max();

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

Partition::Partition(std::string dir, const PartitionOptions& options) : dir_(std::move(dir)), options_(options) {}

Partition::~Partition() = default;

Status Partition::Create(FileSystem& fs, const std::string& dir) {
  RTPIPE_RETURN_IF_ERROR(fs.CreateDir(dir));
  RTPIPE_ASSIGN_OR_RETURN(auto segment, Segment::Create(fs, dir, 0));
  RTPIPE_RETURN_IF_ERROR(segment->file().Sync());
  return fs.SyncDir(dir);
}

Result<std::unique_ptr<Partition>> Partition::Open(const std::string& dir, const PartitionOptions& options,
                                                   RecoveryStats* stats) {
  std::unique_ptr<Partition> p(new Partition(dir, options));
  RecoveryStats ignored;
  if (options.writable) {
    RTPIPE_RETURN_IF_ERROR(p->Recover(stats != nullptr ? stats : &ignored).WithContext("recovering " + dir));
  } else {
    RTPIPE_RETURN_IF_ERROR(p->LoadReadOnly().WithContext("opening " + dir));
  }
  return p;
}

Result<std::vector<int64_t>> Partition::ListSegmentBases(bool clean_up) {
  FileSystem& fs = *options_.fs;
  RTPIPE_ASSIGN_OR_RETURN(auto names, fs.ListDir(dir_));
  std::vector<int64_t> bases;
  for (const auto& name : names) {
    if (auto base = ParseSegmentFileName(name, kLogSuffix)) bases.push_back(*base);
  }
  std::sort(bases.begin(), bases.end());
  if (clean_up) {
    // Leftovers of an interrupted atomic write, and indexes whose segment is gone.
    for (const auto& name : names) {
      auto idx = ParseSegmentFileName(name, kIndexSuffix);
      auto tidx = ParseSegmentFileName(name, kTimeIndexSuffix);
      std::optional<int64_t> owner = idx ? idx : tidx;
      bool orphan = owner && !std::binary_search(bases.begin(), bases.end(), *owner);
      if (EndsWith(name, ".tmp") || orphan) RTPIPE_RETURN_IF_ERROR(fs.RemoveFile(JoinPath(dir_, name)));
    }
  }
  return bases;
}

Result<std::optional<RecoveryPoint>> Partition::ReadRecoveryPoint() {
  auto bytes = ReadWholeFile(*options_.fs, JoinPath(dir_, kRecoveryPointFile));
  if (!bytes.ok()) {
    if (bytes.status().code() == StatusCode::kNotFound) return std::optional<RecoveryPoint>();
    return bytes.status();
  }
  auto point = DecodeRecoveryPoint(*bytes);
  if (!point.ok()) {
    GetLogger("log")->warn("{}: ignoring the recovery point ({}); scanning every segment", dir_,
                           point.status().message());
    return std::optional<RecoveryPoint>();
  }
  return std::optional<RecoveryPoint>(*point);
}

Status Partition::Recover(RecoveryStats* stats) {
  FileSystem& fs = *options_.fs;
  auto log = GetLogger("log");
  RTPIPE_ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(true));
  RTPIPE_ASSIGN_OR_RETURN(std::optional<RecoveryPoint> cp, ReadRecoveryPoint());
  std::lock_guard index_lock(index_mu_);
  std::lock_guard lock(mu_);
  if (bases.empty()) {
    if (cp && cp->next_offset > 0) {
      return Status::Corruption("no segment files left, but the recovery point vouches for offsets below {}",
                                cp->next_offset);
    }
    RTPIPE_RETURN_IF_ERROR(Partition::Create(fs, dir_));
    bases.push_back(0);
  }
  std::vector<std::shared_ptr<Segment>> segments;
  for (int64_t base : bases) {
    RTPIPE_ASSIGN_OR_RETURN(auto segment, Segment::Open(fs, dir_, base, true));
    segments.push_back(std::move(segment));
  }

  const int rebuilt_before = stats->indexes_rebuilt;
  const uint64_t truncated_before = stats->bytes_truncated;
  std::string buffer;
  int64_t expected = -1;  // the offset the next segment must start at
  size_t kept = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    Segment& seg = *segments[i];
    bool last = i + 1 == segments.size();
    if (expected >= 0 && seg.base_offset() != expected) {
      log->error("{}: segment {} starts at offset {} but the previous one ends at {}; dropping it and later ones", dir_,
                 seg.log_path(), seg.base_offset(), expected);
      kept = i;
      break;
    }
    uint64_t file_size = seg.size();
    uint64_t scan_from = 0;
    int64_t scan_expected = seg.base_offset();
    bool trusted = cp && seg.base_offset() < cp->segment_base && !last;
    if (trusted) {
      // Complete and synced before the recovery point was written: only its index is checked.
      RTPIPE_ASSIGN_OR_RETURN(bool complete, seg.LoadIndexFiles(kAll, kAll, true));
      // A sealed segment's index ends with the entry of its greatest timestamp (Seal), so an index
      // without time entries was never flushed.
      const auto& times = seg.index().time_entries();
      int64_t next_base = segments[i + 1]->base_offset();
      bool sane =
          file_size == 0 ||
          (!times.empty() && seg.base_offset() + static_cast<int64_t>(times.back().relative_offset) < next_base);
      if (complete && sane) {
        seg.SetEnd(file_size, next_base);
        seg.set_sealed();
        expected = seg.next_offset();
        continue;
      }
      log->warn("{}: rebuilding the damaged index of {}", dir_, seg.log_path());
      ++stats->indexes_rebuilt;
    } else if (cp && seg.base_offset() == cp->segment_base) {
      if (file_size < cp->position) {
        return Status::Corruption("{} holds {} bytes but {} were synced before the last checkpoint", seg.log_path(),
                                  file_size, cp->position);
      }
      RTPIPE_ASSIGN_OR_RETURN(bool complete, seg.LoadIndexFiles(cp->offset_entries, cp->time_entries, true));
      (void)complete;  // entries past the recovery point are dropped on purpose
      if (seg.index().offset_entries().size() == cp->offset_entries &&
          seg.index().time_entries().size() == cp->time_entries) {
        seg.index().RestoreScanState(cp->max_timestamp, cp->next_offset - 1, cp->bytes_since_entry);
        scan_from = cp->position;
        scan_expected = cp->next_offset;
      } else {
        log->warn("{}: rebuilding the damaged index of {}", dir_, seg.log_path());
        ++stats->indexes_rebuilt;
      }
    }
    if (scan_from == 0) RTPIPE_RETURN_IF_ERROR(seg.LoadIndexFiles(0, 0, true).status());
    SegmentIndex& index = seg.index();
    RTPIPE_ASSIGN_OR_RETURN(ScanResult scan, ScanBatches(
                                                 seg.file(), scan_from, file_size, scan_expected,
                                                 [&](const BatchHeader& h, uint64_t position, std::string_view) {
                                                   index.OnBatch(h, static_cast<uint32_t>(position));
                                                   ++stats->batches_scanned;
                                                   return true;
                                                 },
                                                 &buffer, kScanChunk));
    stats->bytes_scanned += scan.end - scan_from;
    seg.SetEnd(scan.end, scan.next_offset);
    if (scan.stop != ScanStop::kEnd) {
      if (trusted) {
        return Status::Corruption("{} was complete at the last checkpoint but is damaged now: {}", seg.log_path(),
                                  scan.why.empty() ? "torn batch" : scan.why);
      }
      log->warn("{}: truncating {} at position {} ({} bytes dropped): {}", dir_, seg.log_path(), scan.end,
                file_size - scan.end, scan.why.empty() ? "incomplete batch at the end" : scan.why);
      stats->bytes_truncated += file_size - scan.end;
      RTPIPE_RETURN_IF_ERROR(seg.TruncateTo(scan.end, scan.next_offset));
      RTPIPE_RETURN_IF_ERROR(seg.file().Sync());
      kept = i + 1;
      break;
    }
    if (!last) {
      seg.index().Seal();
      seg.set_sealed();
    }
    expected = seg.next_offset();
  }
  if (kept < segments.size()) {
    for (size_t i = kept; i < segments.size(); ++i) {
      log->warn("{}: dropping {} (after the point where recovery truncated the log)", dir_, segments[i]->log_path());
      stats->bytes_truncated += segments[i]->size();
      ++stats->segments_dropped;
      RTPIPE_RETURN_IF_ERROR(segments[i]->RemoveFiles());
    }
    segments.resize(kept);
    RTPIPE_RETURN_IF_ERROR(fs.SyncDir(dir_));
  }
  if (kept == 0) {
    // Even the first segment was inconsistent with its predecessor: impossible for the first.
    return Status::Internal("recovery kept no segment");
  }
  segments_ = std::move(segments);
  if (!segments_.back()->sealed() && segments_.back()->size() > 0) {
    segments_.back()->set_first_data_ms(ToMillis(options_.clock->Now()));
  }
  // Everything kept is valid; make it durable so that the recovery point can vouch for it.
  RTPIPE_RETURN_IF_ERROR(active().file().Sync());
  durable_ = SnapshotLocked(active());
  visible_ = durable_;
  commit_.MarkDurable(durable_.next_offset);
  // After a clean close nothing moved: the recovery point on disk is current already (unless an
  // index was rebuilt, which the next checkpoint must write out).
  bool repaired = stats->indexes_rebuilt != rebuilt_before || stats->bytes_truncated != truncated_before;
  if (cp && *cp == durable_ && !repaired) checkpointed_ = *cp;
  return Status::OK();
}

Status Partition::LoadReadOnly() {
  FileSystem& fs = *options_.fs;
  RTPIPE_ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(false));
  if (bases.empty()) return Status::Corruption("no segment files in {}", dir_);
  RTPIPE_ASSIGN_OR_RETURN(std::optional<RecoveryPoint> cp, ReadRecoveryPoint());
  std::lock_guard lock(mu_);
  read_only_point_ = cp;
  for (size_t i = 0; i < bases.size(); ++i) {
    auto opened = Segment::Open(fs, dir_, bases[i], false);
    if (!opened.ok() && opened.status().code() == StatusCode::kNotFound) continue;  // removed meanwhile
    RTPIPE_RETURN_IF_ERROR(opened.status());
    std::shared_ptr<Segment> seg = *opened;
    uint64_t file_size = seg->size();
    seg->SetEnd(0, seg->base_offset());
    seg->set_timestamps_exact(false);
    if (cp && seg->base_offset() < cp->segment_base) {
      RTPIPE_RETURN_IF_ERROR(seg->LoadIndexFiles(kAll, kAll, false).status());
      seg->set_timestamps_exact(true);
    } else if (cp && seg->base_offset() == cp->segment_base && file_size >= cp->position) {
      RTPIPE_RETURN_IF_ERROR(seg->LoadIndexFiles(cp->offset_entries, cp->time_entries, false).status());
      if (seg->index().offset_entries().size() == cp->offset_entries) {
        seg->index().RestoreScanState(cp->max_timestamp, cp->next_offset - 1, cp->bytes_since_entry);
        seg->SetEnd(cp->position, cp->next_offset);
      } else {
        seg->index().Clear();
      }
    }
    if (!segments_.empty()) {
      // A later segment exists, so the writer rolled past this one: it is complete.
      Segment& prev = *segments_.back();
      uint64_t prev_size = 0;
      RTPIPE_ASSIGN_OR_RETURN(prev_size, prev.file().Size());
      prev.SetEnd(prev_size, seg->base_offset());
      prev.set_sealed();
    }
    segments_.push_back(std::move(seg));
  }
  if (segments_.empty()) return Status::NotFound("no segment files in {}", dir_);
  return Status::OK();  // the end of the last segment is found lazily (ScanTailLocked)
}

Status Partition::ScanTailLocked() {
  Segment& last = *segments_.back();
  RTPIPE_ASSIGN_OR_RETURN(uint64_t file_size, last.file().Size());
  if (file_size < last.size()) {
    // The writer cut the file (recovery after a crash): start over on this segment.
    last.index().Clear();
    last.SetEnd(0, last.base_offset());
  }
  if (file_size == last.size()) return Status::OK();
  std::string buffer;
  SegmentIndex& index = last.index();
  RTPIPE_ASSIGN_OR_RETURN(ScanResult scan, ScanBatches(
                                               last.file(), last.size(), file_size, last.next_offset(),
                                               [&](const BatchHeader& h, uint64_t position, std::string_view) {
                                                 index.OnBatch(h, static_cast<uint32_t>(position));
                                                 return true;
                                               },
                                               &buffer, kScanChunk));
  // An incomplete or invalid batch at the end is not there yet (or is a torn tail the writer will
  // cut): the view ends before it.
  last.SetEnd(scan.end, scan.next_offset);
  return Status::OK();
}

}  // namespace rtpipe::embedded
