// The writer side of a partition: appends, group commit, rolls, checkpoints, retention, close.

#include "rtpipe/log/embedded/partition.h"

#include <algorithm>
#include <limits>

#include "rtpipe/base/logging.h"

namespace rtpipe::embedded {
namespace {

constexpr std::string_view kRecoveryPointFile = "recovery-point";
// Positions in the index are 32-bit; keep every segment well below 4 GiB.
constexpr int64_t kMaxSegmentBytes = int64_t{1} << 30;
// Under fsync=always, writeback of appended bytes is started (sync_file_range) once this many are
// waiting, so that the group commit's fdatasync finds most of them on their way to the disk
// already: measured here, it cuts the p99 append latency at half load by 3-7x.
constexpr uint64_t kEarlyWritebackBytes = 128 * 1024;

}  // namespace

RecoveryPoint Partition::SnapshotLocked(const Segment& segment) const {
  RecoveryPoint p;
  p.segment_base = segment.base_offset();
  p.position = segment.size();
  p.next_offset = segment.next_offset();
  p.max_timestamp = segment.index().max_timestamp();
  p.bytes_since_entry = segment.index().bytes_since_entry();
  p.offset_entries = segment.index().offset_entries().size();
  p.time_entries = segment.index().time_entries().size();
  return p;
}

void Partition::SetVisibleLocked(const RecoveryPoint& point) {
  if (point.next_offset > visible_.next_offset ||
      (point.next_offset == visible_.next_offset && point.segment_base > visible_.segment_base)) {
    visible_ = point;
  }
}

Status Partition::PoisonLocked(const Status& status) {
  if (poisoned_.ok()) {
    poisoned_ = Status(status.code(), fmt::format("partition {} stopped accepting appends after a failure ({}); "
                                                  "reopen the log to recover it",
                                                  dir_, status.message()));
    GetLogger("log")->error("{}", poisoned_.message());
    commit_.Fail(poisoned_);
  }
  return status;
}

Status Partition::RollLocked() {
  Segment& old = active();
  old.index().Seal();
  // The old segment becomes complete and durable before its successor exists: recovery relies on
  // every segment but the last being whole.
  Status synced = old.file().Sync();
  if (!synced.ok()) return PoisonLocked(synced);
  durable_ = SnapshotLocked(old);
  if (options_.fsync == FsyncPolicy::kAlways) SetVisibleLocked(durable_);
  commit_.MarkDurable(old.next_offset());
  RTPIPE_ASSIGN_OR_RETURN(auto next, Segment::Create(*options_.fs, dir_, old.next_offset()));
  Status dir_synced = options_.fs->SyncDir(dir_);
  if (!dir_synced.ok()) return PoisonLocked(dir_synced);
  old.set_sealed();
  segments_.push_back(std::move(next));
  return Status::OK();
}

Result<std::pair<int64_t, int64_t>> Partition::Write(std::string* batches) {
  bool notify = false;
  std::pair<int64_t, int64_t> range;
  {
    std::lock_guard lock(mu_);
    if (!options_.writable) return Status::FailedPrecondition("{} is open read-only", dir_);
    RTPIPE_RETURN_IF_ERROR(poisoned_);
    int64_t now_ms = ToMillis(options_.clock->Now());
    int64_t segment_bytes = std::min(options_.segment_bytes, kMaxSegmentBytes);
    if (active().size() > 0 && active().first_data_ms() >= 0 &&
        now_ms - active().first_data_ms() >= options_.segment_age_ms) {
      RTPIPE_RETURN_IF_ERROR(RollLocked());
    }
    range.first = active().next_offset();
    int64_t next = range.first;
    size_t group_start = 0;
    size_t at = 0;
    auto write_group = [&](size_t end) -> Status {
      if (end == group_start) return Status::OK();
      Segment& seg = active();
      bool was_empty = seg.size() == 0;
      bool truncate_failed = false;
      Status s =
          seg.AppendBatches(std::string_view(batches->data() + group_start, end - group_start), &truncate_failed);
      if (!s.ok()) return truncate_failed ? PoisonLocked(s) : s;
      if (was_empty) seg.set_first_data_ms(now_ms);
      uint64_t unsubmitted_from = std::min(seg.writeback_start(), seg.size());
      if (options_.fsync == FsyncPolicy::kAlways && seg.size() - unsubmitted_from >= kEarlyWritebackBytes) {
        seg.file().StartWriteback(unsubmitted_from, seg.size() - unsubmitted_from);
        seg.set_writeback_start(seg.size());
      }
      group_start = end;
      return Status::OK();
    };
    while (at < batches->size()) {
      BatchHeader h;
      if (PeekBatch(std::string_view(*batches).substr(at), &h) != BatchCheck::kOk) {
        return Status::Internal("malformed batch handed to Partition::Write");
      }
      Segment& seg = active();
      uint64_t pending = at - group_start;
      bool full =
          seg.size() + pending > 0 && seg.size() + pending + h.total_size() > static_cast<uint64_t>(segment_bytes);
      bool offsets_full = next + h.last_offset_delta - seg.base_offset() > std::numeric_limits<int32_t>::max();
      if (full || offsets_full) {
        RTPIPE_RETURN_IF_ERROR(write_group(at));
        RTPIPE_RETURN_IF_ERROR(RollLocked());
      }
      SetBaseOffset(batches->data() + at, next);
      next = h.last_offset_delta + next + 1;
      at += h.total_size();
    }
    RTPIPE_RETURN_IF_ERROR(write_group(at));
    range.second = next;
    if (options_.fsync != FsyncPolicy::kAlways) {
      SetVisibleLocked(SnapshotLocked(active()));
      notify = true;
    }
  }
  if (notify && options_.on_visible) options_.on_visible();
  return range;
}

Result<int64_t> Partition::SyncActive() {
  std::shared_ptr<Segment> segment;
  RecoveryPoint point;
  {
    std::lock_guard lock(mu_);
    RTPIPE_RETURN_IF_ERROR(poisoned_);
    segment = segments_.back();
    point = SnapshotLocked(*segment);
  }
  Status synced = segment->file().Sync();
  {
    std::lock_guard lock(mu_);
    if (!synced.ok()) return PoisonLocked(synced);
    if (point.next_offset > durable_.next_offset) durable_ = point;
    if (options_.fsync == FsyncPolicy::kAlways) SetVisibleLocked(point);
  }
  if (options_.on_visible) options_.on_visible();
  return point.next_offset;
}

int64_t Partition::WrittenEnd() const {
  std::lock_guard lock(mu_);
  return segments_.back()->next_offset();
}

Status Partition::WaitDurable(int64_t next_offset) {
  if (options_.fsync != FsyncPolicy::kAlways) {
    std::lock_guard lock(mu_);
    return poisoned_;
  }
  return commit_.WaitDurable(
      next_offset, [this] { return WrittenEnd(); }, [this] { return SyncActive(); });
}

Status Partition::Sync() {
  int64_t written = 0;
  {
    std::lock_guard lock(mu_);
    RTPIPE_RETURN_IF_ERROR(poisoned_);
    written = active().next_offset();
  }
  return commit_.WaitDurable(
      written, [this] { return WrittenEnd(); }, [this] { return SyncActive(); });
}

void Partition::StartWriteback() {
  std::shared_ptr<Segment> segment;
  uint64_t from = 0;
  uint64_t to = 0;
  {
    std::lock_guard lock(mu_);
    segment = segments_.back();
    to = segment->size();
    from = durable_.segment_base == segment->base_offset() ? std::min(durable_.position, to) : 0;
  }
  if (to > from) segment->file().StartWriteback(from, to - from);
}

Status Partition::Checkpoint(uint64_t min_lag_bytes) {
  std::lock_guard index_lock(index_mu_);
  RecoveryPoint point;
  std::vector<std::pair<std::shared_ptr<Segment>, Segment::PendingIndex>> pending;
  {
    std::lock_guard lock(mu_);
    if (!options_.writable) return Status::OK();
    point = durable_;
    if (point == checkpointed_) return Status::OK();
    uint64_t lag =
        point.segment_base == checkpointed_.segment_base ? point.position - checkpointed_.position : UINT64_MAX;
    if (lag < min_lag_bytes) return Status::OK();
    for (const auto& seg : segments_) {
      if (seg->base_offset() > point.segment_base) break;
      bool at_point = seg->base_offset() == point.segment_base;
      auto p = at_point ? seg->PendingIndexUpTo(point.offset_entries, point.time_entries)
                        : seg->PendingIndexUpTo(SIZE_MAX, SIZE_MAX);
      if (!p.offset_bytes.empty() || !p.time_bytes.empty()) {
        pending.emplace_back(seg, std::move(p));
      }
    }
  }
  for (auto& [seg, p] : pending) RTPIPE_RETURN_IF_ERROR(seg->WriteIndex(p));
  RTPIPE_RETURN_IF_ERROR(
      WriteFileAtomically(*options_.fs, JoinPath(dir_, kRecoveryPointFile), EncodeRecoveryPoint(point)));
  checkpointed_ = point;
  return Status::OK();
}

Status Partition::Maintain() {
  std::lock_guard index_lock(index_mu_);
  std::vector<std::shared_ptr<Segment>> removed;
  {
    std::lock_guard lock(mu_);
    if (!options_.writable || !poisoned_.ok()) return Status::OK();
    int64_t now_ms = ToMillis(options_.clock->Now());
    if (active().size() > 0 && active().first_data_ms() >= 0 &&
        now_ms - active().first_data_ms() >= options_.segment_age_ms) {
      RTPIPE_RETURN_IF_ERROR(RollLocked());
    }
    uint64_t total = 0;
    for (const auto& seg : segments_) total += seg->size();
    while (segments_.size() > 1) {
      Segment& oldest = *segments_.front();
      // Only whole segments wholly visible (and so durable) to readers are deleted.
      if (oldest.base_offset() >= visible_.segment_base) break;
      bool too_old = options_.retention_ms >= 0 && oldest.index().max_timestamp() >= 0 &&
                     oldest.index().max_timestamp() < now_ms - options_.retention_ms;
      bool too_big =
          options_.retention_bytes >= 0 && total - oldest.size() >= static_cast<uint64_t>(options_.retention_bytes);
      if (!too_old && !too_big) break;
      total -= oldest.size();
      removed.push_back(segments_.front());
      segments_.erase(segments_.begin());
    }
  }
  for (const auto& seg : removed) {
    GetLogger("log")->debug("{}: retention removes {}", dir_, seg->log_path());
    RTPIPE_RETURN_IF_ERROR(seg->RemoveFiles());
  }
  return Status::OK();
}

Status Partition::Close() {
  {
    std::lock_guard index_lock(index_mu_);
    if (closed_ || !options_.writable) return Status::OK();
    closed_ = true;
  }
  {
    std::lock_guard lock(mu_);
    RTPIPE_RETURN_IF_ERROR(poisoned_);
  }
  RTPIPE_RETURN_IF_ERROR(Sync());
  {
    std::lock_guard lock(mu_);
    // The greatest timestamp gets its time entry, as at a roll, so that a reopened partition knows it.
    active().index().Seal();
    durable_ = SnapshotLocked(active());
  }
  return Checkpoint();
}

}  // namespace rtpipe::embedded
