#include "rtpipe/log/embedded/segment.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace rtpipe::embedded {

std::string SegmentFileName(int64_t base_offset, std::string_view suffix) {
  return fmt::format("{:020d}{}", base_offset, suffix);
}

std::optional<int64_t> ParseSegmentFileName(std::string_view name, std::string_view suffix) {
  if (name.size() != 20 + suffix.size() || name.substr(20) != suffix) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + 20, value);
  if (ec != std::errc() || ptr != name.data() + 20 || value < 0) return std::nullopt;
  return value;
}

Result<ScanResult> ScanBatches(const File& file, uint64_t position, uint64_t limit, int64_t expected_offset,
                               const BatchVisitor& visit, std::string* buffer, size_t chunk) {
  ScanResult result;
  result.end = position;
  result.next_offset = expected_offset;
  uint64_t buf_start = position;  // file position of (*buffer)[0]
  size_t buf_len = 0;             // bytes of *buffer read from the file
  size_t at = 0;                  // index in *buffer of the next batch
  uint64_t refilled_at = UINT64_MAX;
  size_t refilled_want = 0;
  while (true) {
    uint64_t pos = buf_start + at;
    if (pos >= limit) {
      result.stop = ScanStop::kEnd;
      return result;
    }
    std::string_view available(buffer->data() + at, buf_len - at);
    if (available.size() > limit - pos) available = available.substr(0, static_cast<size_t>(limit - pos));
    BatchHeader header;
    std::string why;
    BatchCheck check = PeekBatch(available, &header, &why);
    if (check == BatchCheck::kCorrupt) {
      result.stop = ScanStop::kCorrupt;
      result.why = fmt::format("at position {}: {}", pos, why);
      return result;
    }
    if (check == BatchCheck::kIncomplete) {
      size_t need = available.size() >= kLogOverhead ? header.total_size() : kBatchHeaderSize;
      if (refilled_at == pos && refilled_want >= need) {
        result.stop = ScanStop::kIncomplete;  // the file (or the limit) ends inside this batch
        return result;
      }
      size_t want = static_cast<size_t>(std::min<uint64_t>(std::max(chunk, need), limit - pos));
      if (buffer->size() < want) buffer->resize(want);
      RTPIPE_ASSIGN_OR_RETURN(size_t n, file.ReadAt(pos, std::span<char>(buffer->data(), want)));
      buf_start = pos;
      buf_len = n;
      at = 0;
      refilled_at = pos;
      refilled_want = std::max(want, need);
      continue;
    }
    std::string_view batch = available.substr(0, header.total_size());
    if (!BatchCrcOk(batch)) {
      result.stop = ScanStop::kCorrupt;
      result.why = fmt::format("at position {}: CRC mismatch in the batch at offset {}", pos, header.base_offset);
      return result;
    }
    if (result.next_offset >= 0 && header.base_offset != result.next_offset) {
      result.stop = ScanStop::kCorrupt;
      result.why = fmt::format("at position {}: a batch at offset {} where offset {} was expected", pos,
                               header.base_offset, result.next_offset);
      return result;
    }
    bool more = visit(header, pos, batch);
    at += header.total_size();
    result.end = buf_start + at;
    result.next_offset = header.next_offset();
    if (!more) {
      result.stop = ScanStop::kStopped;
      return result;
    }
  }
}

Result<std::shared_ptr<Segment>> Segment::Create(FileSystem& fs, const std::string& dir, int64_t base_offset) {
  RTPIPE_ASSIGN_OR_RETURN(auto file,
                          fs.OpenFile(JoinPath(dir, SegmentFileName(base_offset, kLogSuffix)), OpenMode::kCreateNew));
  return std::shared_ptr<Segment>(new Segment(fs, dir, base_offset, std::move(file)));
}

Result<std::shared_ptr<Segment>> Segment::Open(FileSystem& fs, const std::string& dir, int64_t base_offset,
                                               bool writable) {
  RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(JoinPath(dir, SegmentFileName(base_offset, kLogSuffix)),
                                                 writable ? OpenMode::kReadWrite : OpenMode::kReadOnly));
  RTPIPE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  std::shared_ptr<Segment> segment(new Segment(fs, dir, base_offset, std::move(file)));
  segment->size_ = size;
  return segment;
}

std::string Segment::index_path() const { return JoinPath(dir_, SegmentFileName(base_offset_, kIndexSuffix)); }
std::string Segment::time_index_path() const { return JoinPath(dir_, SegmentFileName(base_offset_, kTimeIndexSuffix)); }

Status Segment::AppendBatches(std::string_view bytes, bool* truncate_failed) {
  *truncate_failed = false;
  Status status = file_->Append(std::span<const char>(bytes.data(), bytes.size()));
  if (!status.ok()) {
    // Nothing of a failed append may stay visible: cut the file back to the last whole batch.
    Status cut = file_->Truncate(size_);
    if (!cut.ok()) *truncate_failed = true;
    return status;
  }
  // Record the batches (they are well formed: this process encoded them).
  size_t at = 0;
  while (at < bytes.size()) {
    BatchHeader h;
    (void)PeekBatch(bytes.substr(at), &h);
    index_.OnBatch(h, static_cast<uint32_t>(size_ + at));
    at += h.total_size();
    next_offset_ = h.next_offset();
  }
  size_ += bytes.size();
  return Status::OK();
}

Status Segment::TruncateTo(uint64_t size, int64_t next_offset) {
  RTPIPE_RETURN_IF_ERROR(file_->Truncate(size));
  size_ = size;
  next_offset_ = next_offset;
  return Status::OK();
}

Segment::PendingIndex Segment::PendingIndexUpTo(size_t offset_entries, size_t time_entries) const {
  PendingIndex p;
  p.offset_entries = std::min(offset_entries, index_.offset_entries().size());
  p.time_entries = std::min(time_entries, index_.time_entries().size());
  p.offset_entries = std::max(p.offset_entries, flushed_offset_entries_);
  p.time_entries = std::max(p.time_entries, flushed_time_entries_);
  std::string all = index_.EncodeOffsetEntries(flushed_offset_entries_);
  p.offset_bytes = all.substr(0, (p.offset_entries - flushed_offset_entries_) * kOffsetEntrySize);
  all = index_.EncodeTimeEntries(flushed_time_entries_);
  p.time_bytes = all.substr(0, (p.time_entries - flushed_time_entries_) * kTimeEntrySize);
  return p;
}

Status Segment::OpenIndexFiles() {
  if (!index_file_) {
    RTPIPE_ASSIGN_OR_RETURN(index_file_, fs_.OpenFile(index_path(), OpenMode::kReadWrite));
  }
  if (!time_index_file_) {
    RTPIPE_ASSIGN_OR_RETURN(time_index_file_, fs_.OpenFile(time_index_path(), OpenMode::kReadWrite));
  }
  return Status::OK();
}

Status Segment::WriteIndex(const PendingIndex& pending) {
  RTPIPE_RETURN_IF_ERROR(OpenIndexFiles());
  if (!pending.offset_bytes.empty()) {
    RTPIPE_RETURN_IF_ERROR(index_file_->Append(pending.offset_bytes));
  }
  if (!pending.time_bytes.empty()) {
    RTPIPE_RETURN_IF_ERROR(time_index_file_->Append(pending.time_bytes));
  }
  RTPIPE_RETURN_IF_ERROR(index_file_->Sync());
  RTPIPE_RETURN_IF_ERROR(time_index_file_->Sync());
  flushed_offset_entries_ = pending.offset_entries;
  flushed_time_entries_ = pending.time_entries;
  return Status::OK();
}

Result<std::string> Segment::ReadOptional(const std::string& path) {
  auto data = ReadWholeFile(fs_, path);
  if (!data.ok() && data.status().code() == StatusCode::kNotFound) return std::string();
  return data;
}

Result<bool> Segment::LoadIndexFiles(size_t max_offset_entries, size_t max_time_entries, bool writable) {
  RTPIPE_ASSIGN_OR_RETURN(std::string offsets, ReadOptional(index_path()));
  RTPIPE_ASSIGN_OR_RETURN(std::string times, ReadOptional(time_index_path()));
  bool complete = index_.Load(offsets, times, size_, max_offset_entries, max_time_entries);
  flushed_offset_entries_ = index_.offset_entries().size();
  flushed_time_entries_ = index_.time_entries().size();
  if (writable) {
    RTPIPE_RETURN_IF_ERROR(OpenIndexFiles());
    RTPIPE_RETURN_IF_ERROR(index_file_->Truncate(flushed_offset_entries_ * kOffsetEntrySize));
    RTPIPE_RETURN_IF_ERROR(time_index_file_->Truncate(flushed_time_entries_ * kTimeEntrySize));
  }
  return complete;
}

Status Segment::RemoveFiles() {
  index_file_.reset();
  time_index_file_.reset();
  RTPIPE_RETURN_IF_ERROR(fs_.RemoveFile(log_path()));
  for (const auto& path : {index_path(), time_index_path()}) {
    Status s = fs_.RemoveFile(path);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
  }
  return Status::OK();
}

}  // namespace rtpipe::embedded
