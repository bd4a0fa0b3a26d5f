#include "rtpipe/log/embedded/decoder_check.h"

#include <algorithm>
#include <cstring>

#include "rtpipe/log/embedded/metadata.h"
#include "rtpipe/log/embedded/record_batch.h"
#include "rtpipe/log/embedded/segment.h"
#include "rtpipe/log/embedded/segment_index.h"

namespace rtpipe::embedded {
namespace {

// Bytes in memory behind the File interface, for the recovery scan.
class MemoryFile final : public File {
 public:
  explicit MemoryFile(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override {
    if (offset >= bytes_.size()) return size_t{0};
    size_t n = std::min<size_t>(out.size(), bytes_.size() - offset);
    std::memcpy(out.data(), bytes_.data() + offset, n);
    return n;
  }
  Status Append(std::span<const char>) override { return Status::FailedPrecondition("read-only"); }
  Status Sync() override { return Status::OK(); }
  Status Truncate(uint64_t) override { return Status::FailedPrecondition("read-only"); }
  Result<uint64_t> Size() const override { return static_cast<uint64_t>(bytes_.size()); }
  const std::string& path() const override { return path_; }

 private:
  std::string_view bytes_;
  std::string path_ = "<memory>";
};

Status CheckBatches(std::string_view bytes) {
  std::string scratch;
  size_t at = 0;
  while (at < bytes.size()) {
    BatchHeader h;
    if (PeekBatch(bytes.substr(at), &h) != BatchCheck::kOk) break;
    if (h.total_size() > bytes.size() - at) return Status::Internal("PeekBatch accepted a batch past the end");
    std::string_view batch = bytes.substr(at, h.total_size());
    (void)BatchCrcOk(batch);
    // Decode even when the CRC is wrong, so that arbitrary record bytes reach the decoder.
    int32_t count = 0;
    int64_t previous = -1;
    Status broken;
    Status s = ForEachRecord(batch, h, &scratch, [&](const RecordView& r) {
      if (r.offset < h.base_offset || r.offset > h.last_offset() || r.offset <= previous) {
        broken = Status::Internal("record offset {} outside batch {}..{} or out of order", r.offset, h.base_offset,
                                  h.last_offset());
      }
      previous = r.offset;
      ++count;
      return broken;
    });
    RTPIPE_RETURN_IF_ERROR(broken);
    if (s.ok() && count != h.record_count) {
      return Status::Internal("decoded {} records of a batch that claims {}", count, h.record_count);
    }
    at += h.total_size();
  }
  return Status::OK();
}

Status CheckScan(std::string_view bytes) {
  MemoryFile file(bytes);
  std::string buffer;
  uint64_t last_end = 0;
  Status broken;
  auto scan = ScanBatches(
      file, 0, bytes.size(), -1,
      [&](const BatchHeader& h, uint64_t position, std::string_view batch) {
        if (position != last_end || batch.size() != h.total_size() || !BatchCrcOk(batch)) {
          broken = Status::Internal("scan visited a batch at {} (expected {}) that is not whole and valid", position,
                                    last_end);
        }
        last_end = position + h.total_size();
        return broken.ok();
      },
      &buffer, 4096);
  RTPIPE_RETURN_IF_ERROR(broken);
  if (!scan.ok()) return Status::Internal("scan of memory failed: {}", scan.status().message());
  if (scan->end != last_end || scan->end > bytes.size()) {
    return Status::Internal("scan ended at {} after the last batch ended at {}", scan->end, last_end);
  }
  return Status::OK();
}

Status CheckIndex(std::string_view bytes) {
  size_t half = bytes.size() / 2;
  SegmentIndex index(1000);
  uint64_t segment_size = bytes.size() * 16 + 1;
  (void)index.Load(bytes.substr(0, half), bytes.substr(half), segment_size, SIZE_MAX, SIZE_MAX);
  const auto& offsets = index.offset_entries();
  for (size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i].position >= segment_size || (i > 0 && offsets[i].position <= offsets[i - 1].position)) {
      return Status::Internal("index kept an inconsistent offset entry {}", i);
    }
  }
  const auto& times = index.time_entries();
  for (size_t i = 1; i < times.size(); ++i) {
    if (times[i].timestamp <= times[i - 1].timestamp) return Status::Internal("index kept a time entry out of order");
  }
  for (int64_t target : {int64_t{0}, int64_t{1000}, int64_t{1500}, int64_t{1} << 40}) {
    uint32_t pos = index.LookupPosition(target);
    bool known = pos == 0 || std::any_of(offsets.begin(), offsets.end(),
                                         [pos](const OffsetIndexEntry& e) { return e.position == pos; });
    if (!known) return Status::Internal("LookupPosition invented position {}", pos);
    (void)index.LookupOffsetBefore(target);
  }
  return Status::OK();
}

Status CheckMetadata(std::string_view bytes) {
  if (auto p = DecodeRecoveryPoint(bytes); p.ok() && EncodeRecoveryPoint(*p) != bytes) {
    return Status::Internal("recovery point does not round-trip");
  }
  if (auto m = DecodeTopicMeta(bytes); m.ok() && EncodeTopicMeta(*m) != bytes) {
    return Status::Internal("topic meta does not round-trip");
  }
  if (auto g = DecodeGroupOffsets(bytes); g.ok()) {
    auto again = DecodeGroupOffsets(EncodeGroupOffsets(*g));
    if (!again.ok() || *again != *g) return Status::Internal("group offsets do not round-trip");
  }
  return Status::OK();
}

}  // namespace

Status CheckDecoders(std::string_view bytes) {
  RTPIPE_RETURN_IF_ERROR(CheckBatches(bytes));
  RTPIPE_RETURN_IF_ERROR(CheckScan(bytes));
  RTPIPE_RETURN_IF_ERROR(CheckIndex(bytes));
  RTPIPE_RETURN_IF_ERROR(CheckMetadata(bytes));
  // The decompressors on their own, with a small bound.
  std::string out;
  (void)Decompress(Codec::kLz4, bytes, 1 << 20, &out);
  if (out.size() > (1 << 20) + 1) return Status::Internal("lz4 output beyond its bound");
  (void)Decompress(Codec::kZstd, bytes, 1 << 20, &out);
  if (out.size() > (1 << 20) + 1) return Status::Internal("zstd output beyond its bound");
  return Status::OK();
}

}  // namespace rtpipe::embedded
