// The reader side of a partition: fetching batches, end and start offsets, time lookups, and the
// read-only view's discovery of what the writer process added.

#include <algorithm>

#include "rtpipe/log/embedded/partition.h"

namespace rtpipe::embedded {

std::shared_ptr<Segment> Partition::SegmentForLocked(int64_t offset) const {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](int64_t value, const std::shared_ptr<Segment>& s) { return value < s->base_offset(); });
  if (it == segments_.begin()) return segments_.front();
  return *std::prev(it);
}

std::shared_ptr<Segment> Partition::NextSegmentLocked(const Segment& segment) const {
  for (const auto& s : segments_) {
    if (s->base_offset() > segment.base_offset()) return s;
  }
  return nullptr;
}

uint64_t Partition::LimitLocked(const Segment& segment, bool* is_last) const {
  *is_last = NextSegmentLocked(segment) == nullptr;
  if (options_.writable) {
    if (segment.base_offset() < visible_.segment_base) return segment.size();
    if (segment.base_offset() == visible_.segment_base) return visible_.position;
    return 0;
  }
  return segment.size();  // read-only: whole for sealed segments, the validated prefix for the last
}

Status Partition::Fetch(ReadCursor* c, size_t max_bytes, std::string* buffer, std::vector<FetchedBatch>* out) {
  out->clear();
  max_bytes = std::max<size_t>(max_bytes, 4096);
  for (int hops = 0; hops < 1024; ++hops) {
    std::shared_ptr<Segment> seg;
    uint64_t limit = 0;
    bool last = false;
    {
      std::lock_guard lock(mu_);
      if (segments_.empty()) return Status::OK();
      int64_t start = segments_.front()->base_offset();
      if (c->offset < start) {
        c->offset = start;
        c->segment.reset();
      }
      if (!c->segment) {
        c->segment = SegmentForLocked(c->offset);
        c->position = c->segment->index().LookupPosition(c->offset);
      }
      seg = c->segment;
      limit = LimitLocked(*seg, &last);
      if (!options_.writable && last) {
        // Another process appends to the last segment: read up to the file's current end and let
        // validation stop at the first batch that is not whole yet.
        RTPIPE_ASSIGN_OR_RETURN(limit, seg->file().Size());
      }
      if (c->position >= limit) {
        auto next = NextSegmentLocked(*seg);
        bool whole = options_.writable ? seg->base_offset() < visible_.segment_base : !last;
        if (next == nullptr || !whole) return Status::OK();
        c->segment = next;
        c->position = next->index().LookupPosition(c->offset);
        continue;
      }
    }
    uint64_t pos = c->position;
    size_t want = static_cast<size_t>(std::min<uint64_t>(limit - pos, max_bytes));
    if (buffer->size() < want) buffer->resize(want);
    RTPIPE_ASSIGN_OR_RETURN(size_t n, seg->file().ReadAt(pos, std::span<char>(buffer->data(), want)));
    size_t at = 0;
    int64_t expected = -1;
    uint64_t skipped_to = pos;
    std::string problem;
    while (at < n) {
      std::string_view view(buffer->data() + at, n - at);
      BatchHeader h;
      std::string why;
      BatchCheck check = PeekBatch(view, &h, &why);
      if (check == BatchCheck::kIncomplete) {
        bool single_big_batch = out->empty() && at == 0 && n >= kLogOverhead && n == want && h.total_size() > n &&
                                pos + h.total_size() <= limit;
        if (single_big_batch) {
          // One batch larger than max_bytes: read it whole.
          want = h.total_size();
          buffer->resize(want);
          RTPIPE_ASSIGN_OR_RETURN(n, seg->file().ReadAt(pos, std::span<char>(buffer->data(), want)));
          continue;
        }
        if (options_.writable && out->empty() && skipped_to == pos) problem = "a batch runs past the end";
        break;
      }
      if (check == BatchCheck::kCorrupt) {
        problem = why;
        break;
      }
      std::string_view batch = view.substr(0, h.total_size());
      if (!BatchCrcOk(batch)) {
        problem = fmt::format("CRC mismatch in the batch at offset {}", h.base_offset);
        break;
      }
      if (expected >= 0 && h.base_offset != expected) {
        problem = fmt::format("a batch at offset {} where {} was expected", h.base_offset, expected);
        break;
      }
      expected = h.next_offset();
      if (h.next_offset() > c->offset) {
        out->push_back({h, pos + at, batch});
      } else if (out->empty()) {
        skipped_to = pos + at + h.total_size();
      }
      at += h.total_size();
    }
    if (!problem.empty() && (options_.writable || !last)) {
      // Below the visible end (or in a segment the writer has finished) every byte is a whole,
      // valid batch: this is damage, not a write in progress.
      return Status::Corruption("{}: {} at position {}", seg->log_path(), problem, pos + at);
    }
    if (!out->empty()) {
      c->position = out->front().position;
      return Status::OK();
    }
    if (skipped_to > pos) {
      c->position = skipped_to;
      continue;
    }
    return Status::OK();  // read-only view: the next batch is not whole yet
  }
  return Status::OK();
}

Status Partition::Refresh() {
  if (options_.writable) return Status::OK();
  RTPIPE_ASSIGN_OR_RETURN(std::vector<int64_t> bases, ListSegmentBases(false));
  std::lock_guard lock(mu_);
  if (bases.empty()) return Status::OK();  // the topic is being deleted; keep the old view
  std::vector<std::shared_ptr<Segment>> segments;
  for (int64_t base : bases) {
    auto it = std::find_if(segments_.begin(), segments_.end(),
                           [base](const std::shared_ptr<Segment>& s) { return s->base_offset() == base; });
    if (it != segments_.end()) {
      segments.push_back(*it);
      continue;
    }
    if (!segments_.empty() && base < segments_.back()->base_offset()) continue;  // not ours to resurrect
    auto opened = Segment::Open(*options_.fs, dir_, base, false);
    if (!opened.ok()) {
      if (opened.status().code() == StatusCode::kNotFound) continue;
      return opened.status();
    }
    (*opened)->SetEnd(0, base);
    (*opened)->set_timestamps_exact(false);
    segments.push_back(*opened);
  }
  if (segments.empty()) return Status::OK();
  for (size_t i = 0; i + 1 < segments.size(); ++i) {
    Segment& seg = *segments[i];
    if (!seg.sealed()) {
      // Listed after its successor appeared, so its size is final now.
      RTPIPE_ASSIGN_OR_RETURN(uint64_t size, seg.file().Size());
      seg.SetEnd(size, segments[i + 1]->base_offset());
      seg.set_sealed();
    }
  }
  segments_ = std::move(segments);
  return Status::OK();
}

int64_t Partition::StartOffset() const {
  std::lock_guard lock(mu_);
  return segments_.empty() ? 0 : segments_.front()->base_offset();
}

Result<int64_t> Partition::EndOffset() {
  if (options_.writable) {
    std::lock_guard lock(mu_);
    return visible_.next_offset;
  }
  RTPIPE_RETURN_IF_ERROR(Refresh());
  std::lock_guard lock(mu_);
  RTPIPE_RETURN_IF_ERROR(ScanTailLocked());
  return segments_.back()->next_offset();
}

Result<PartitionInfo> Partition::Info() {
  if (!options_.writable) {
    RTPIPE_RETURN_IF_ERROR(Refresh());
    std::lock_guard lock(mu_);
    RTPIPE_RETURN_IF_ERROR(ScanTailLocked());
  }
  std::lock_guard lock(mu_);
  PartitionInfo info;
  info.start_offset = Offset(segments_.front()->base_offset());
  info.end_offset = Offset(options_.writable ? visible_.next_offset : segments_.back()->next_offset());
  info.size_bytes = 0;
  for (const auto& seg : segments_) info.size_bytes += static_cast<int64_t>(seg->size());
  info.segments = static_cast<int>(segments_.size());
  return info;
}

Result<int64_t> Partition::OffsetForTime(int64_t timestamp_ms) {
  std::vector<std::shared_ptr<Segment>> segments;
  {
    if (!options_.writable) RTPIPE_RETURN_IF_ERROR(Refresh());
    std::lock_guard lock(mu_);
    if (!options_.writable) RTPIPE_RETURN_IF_ERROR(ScanTailLocked());
    segments = segments_;
  }
  std::string buffer;
  std::string scratch;
  for (const auto& seg : segments) {
    int64_t from = 0;
    uint64_t position = 0;
    uint64_t limit = 0;
    {
      std::lock_guard lock(mu_);
      bool last = false;
      limit = LimitLocked(*seg, &last);
      bool exact = options_.writable || seg->timestamps_exact();
      if (exact && seg->index().max_timestamp() < timestamp_ms) continue;
      from = seg->index().LookupOffsetBefore(timestamp_ms);
      position = seg->index().LookupPosition(from);
    }
    int64_t found = -1;
    Status decode_status;
    RTPIPE_ASSIGN_OR_RETURN(ScanResult scan, ScanBatches(
                                                 seg->file(), position, limit, -1,
                                                 [&](const BatchHeader& h, uint64_t, std::string_view batch) {
                                                   if (h.next_offset() <= from || h.max_timestamp < timestamp_ms)
                                                     return true;
                                                   decode_status =
                                                       ForEachRecord(batch, h, &scratch, [&](const RecordView& r) {
                                                         if (r.offset >= from && r.timestamp >= timestamp_ms) {
                                                           found = r.offset;
                                                           return Status::Cancelled("found");
                                                         }
                                                         return Status::OK();
                                                       });
                                                   if (decode_status.IsCancelled()) decode_status = Status::OK();
                                                   return found < 0 && decode_status.ok();
                                                 },
                                                 &buffer));
    (void)scan;
    RTPIPE_RETURN_IF_ERROR(decode_status);
    if (found >= 0) return found;
  }
  return EndOffset();
}

}  // namespace rtpipe::embedded
