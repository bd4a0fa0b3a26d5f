#include "rtpipe/log/embedded/segment_index.h"

#include <algorithm>

#include "rtpipe/base/bytes.h"

namespace rtpipe::embedded {

void SegmentIndex::OnBatch(const BatchHeader& h, uint32_t position) {
  max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
  last_offset_ = h.last_offset();
  auto rel = static_cast<uint32_t>(last_offset_ - base_offset_);
  if (bytes_since_entry_ > kIndexIntervalBytes) {
    offsets_.push_back({rel, position});
    if (max_timestamp_ >= 0 && (times_.empty() || max_timestamp_ > times_.back().timestamp)) {
      times_.push_back({max_timestamp_, rel});
    }
    bytes_since_entry_ = 0;
  }
  bytes_since_entry_ += static_cast<uint32_t>(std::min<size_t>(h.total_size(), UINT32_MAX / 2));
}

void SegmentIndex::Seal() {
  if (max_timestamp_ >= 0 && last_offset_ >= base_offset_ &&
      (times_.empty() || max_timestamp_ > times_.back().timestamp)) {
    times_.push_back({max_timestamp_, static_cast<uint32_t>(last_offset_ - base_offset_)});
  }
}

uint32_t SegmentIndex::LookupPosition(int64_t target) const {
  if (target <= base_offset_) return 0;
  int64_t rel = target - base_offset_;
  auto it = std::upper_bound(offsets_.begin(), offsets_.end(), rel,
                             [](int64_t value, const OffsetIndexEntry& e) { return value < e.relative_offset; });
  if (it == offsets_.begin()) return 0;
  return std::prev(it)->position;
}

int64_t SegmentIndex::LookupOffsetBefore(int64_t timestamp) const {
  auto it = std::lower_bound(times_.begin(), times_.end(), timestamp,
                             [](const TimeIndexEntry& e, int64_t value) { return e.timestamp < value; });
  if (it == times_.begin()) return base_offset_;
  return base_offset_ + std::prev(it)->relative_offset + 1;
}

std::string SegmentIndex::EncodeOffsetEntries(size_t first) const {
  std::string out;
  for (size_t i = first; i < offsets_.size(); ++i) {
    AppendBe32(&out, offsets_[i].relative_offset);
    AppendBe32(&out, offsets_[i].position);
  }
  return out;
}

std::string SegmentIndex::EncodeTimeEntries(size_t first) const {
  std::string out;
  for (size_t i = first; i < times_.size(); ++i) {
    AppendBe64(&out, static_cast<uint64_t>(times_[i].timestamp));
    AppendBe32(&out, times_[i].relative_offset);
  }
  return out;
}

bool SegmentIndex::Load(std::string_view offset_file, std::string_view time_file, uint64_t segment_size,
                        size_t max_offset_entries, size_t max_time_entries) {
  Clear();
  bool complete = offset_file.size() % kOffsetEntrySize == 0 && time_file.size() % kTimeEntrySize == 0;
  size_t n = std::min(offset_file.size() / kOffsetEntrySize, max_offset_entries);
  complete = complete && n == offset_file.size() / kOffsetEntrySize;
  for (size_t i = 0; i < n; ++i) {
    const char* p = offset_file.data() + i * kOffsetEntrySize;
    OffsetIndexEntry e{GetBe32(p), GetBe32(p + 4)};
    bool increasing = offsets_.empty() ||
                      (e.relative_offset > offsets_.back().relative_offset && e.position > offsets_.back().position);
    if (!increasing || e.position == 0 || e.position >= segment_size || e.relative_offset > INT32_MAX) {
      complete = false;
      break;
    }
    offsets_.push_back(e);
  }
  size_t m = std::min(time_file.size() / kTimeEntrySize, max_time_entries);
  complete = complete && m == time_file.size() / kTimeEntrySize;
  for (size_t i = 0; i < m; ++i) {
    const char* p = time_file.data() + i * kTimeEntrySize;
    TimeIndexEntry e{static_cast<int64_t>(GetBe64(p)), GetBe32(p + 8)};
    bool increasing =
        times_.empty() || (e.timestamp > times_.back().timestamp && e.relative_offset > times_.back().relative_offset);
    if (!increasing || e.timestamp < 0 || e.relative_offset > INT32_MAX) {
      complete = false;
      break;
    }
    times_.push_back(e);
  }
  if (!times_.empty()) max_timestamp_ = times_.back().timestamp;
  uint32_t last_rel = 0;
  if (!offsets_.empty()) last_rel = offsets_.back().relative_offset;
  if (!times_.empty()) last_rel = std::max(last_rel, times_.back().relative_offset);
  last_offset_ = (offsets_.empty() && times_.empty()) ? base_offset_ - 1 : base_offset_ + last_rel;
  return complete;
}

void SegmentIndex::RestoreScanState(int64_t max_timestamp, int64_t last_offset, uint32_t bytes_since_entry) {
  max_timestamp_ = std::max(max_timestamp_, max_timestamp);
  last_offset_ = std::max(last_offset_, last_offset);
  bytes_since_entry_ = bytes_since_entry;
}

void SegmentIndex::Clear() {
  offsets_.clear();
  times_.clear();
  bytes_since_entry_ = 0;
  max_timestamp_ = -1;
  last_offset_ = base_offset_ - 1;
}

}  // namespace rtpipe::embedded
