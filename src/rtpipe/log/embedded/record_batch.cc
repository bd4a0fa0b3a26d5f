#include "rtpipe/log/embedded/record_batch.h"

#include <algorithm>
#include <limits>

#include "rtpipe/base/bytes.h"
#include "rtpipe/log/embedded/crc32c.h"

namespace rtpipe::embedded {
namespace {

// Field offsets inside a batch.
constexpr size_t kBatchLengthOffset = 8;
constexpr size_t kLeaderEpochOffset = 12;
constexpr size_t kMagicOffset = 16;
constexpr size_t kLastOffsetDeltaOffset = 23;
constexpr size_t kBaseTimestampOffset = 27;
constexpr size_t kMaxTimestampOffset = 35;
constexpr size_t kProducerIdOffset = 43;
constexpr size_t kProducerEpochOffset = 51;
constexpr size_t kBaseSequenceOffset = 53;
constexpr size_t kRecordCountOffset = 57;
// The smallest record: length, attributes, timestampDelta, offsetDelta, key length, value
// length and header count take one byte each at least.
constexpr size_t kMinRecordSize = 7;

BatchCheck Corrupt(std::string* why, std::string text) {
  if (why != nullptr) *why = std::move(text);
  return BatchCheck::kCorrupt;
}

size_t RecordBodySize(const Record& r, int64_t timestamp_delta, int32_t offset_delta) {
  size_t n = 1 + VarlongSize(timestamp_delta) + VarlongSize(offset_delta);
  n += r.key ? VarlongSize(static_cast<int64_t>(r.key->size())) + r.key->size() : 1;
  n += VarlongSize(static_cast<int64_t>(r.value.size())) + r.value.size();
  n += VarlongSize(static_cast<int64_t>(r.headers.size()));
  for (const auto& h : r.headers) {
    n += VarlongSize(static_cast<int64_t>(h.key.size())) + h.key.size();
    n += VarlongSize(static_cast<int64_t>(h.value.size())) + h.value.size();
  }
  return n;
}

void AppendLengthPrefixed(std::string* out, std::string_view bytes) {
  AppendVarlong(out, static_cast<int64_t>(bytes.size()));
  out->append(bytes);
}

bool ReadNullableBytes(ByteReader& r, std::optional<std::string_view>* out) {
  int32_t len = 0;
  if (!r.ReadVarint(&len) || len < -1) return false;
  if (len == -1) {
    *out = std::nullopt;
    return true;
  }
  std::string_view bytes;
  if (!r.ReadBytes(static_cast<size_t>(len), &bytes)) return false;
  *out = bytes;
  return true;
}

}  // namespace

BatchCheck PeekBatch(std::string_view bytes, BatchHeader* h, std::string* why) {
  if (bytes.size() < kLogOverhead) return BatchCheck::kIncomplete;
  const char* p = bytes.data();
  h->base_offset = static_cast<int64_t>(GetBe64(p));
  h->batch_length = static_cast<int32_t>(GetBe32(p + kBatchLengthOffset));
  if (h->base_offset < 0) return Corrupt(why, fmt::format("negative base offset {}", h->base_offset));
  if (h->batch_length < static_cast<int32_t>(kBatchHeaderSize - kLogOverhead) ||
      static_cast<size_t>(h->batch_length) > kMaxBatchSize - kLogOverhead) {
    return Corrupt(why, fmt::format("impossible batch length {}", h->batch_length));
  }
  if (bytes.size() > kMagicOffset) {
    // Check the magic as soon as it is there, so garbage is told from a short read early.
    auto magic = static_cast<int8_t>(p[kMagicOffset]);
    if (magic != kMagicV2) return Corrupt(why, fmt::format("magic {} (only v2 batches are supported)", magic));
  }
  if (bytes.size() < h->total_size()) return BatchCheck::kIncomplete;
  h->leader_epoch = static_cast<int32_t>(GetBe32(p + kLeaderEpochOffset));
  h->magic = static_cast<int8_t>(p[kMagicOffset]);
  h->crc = GetBe32(p + kCrcOffset);
  h->attributes = static_cast<int16_t>(GetBe16(p + kAttributesOffset));
  h->last_offset_delta = static_cast<int32_t>(GetBe32(p + kLastOffsetDeltaOffset));
  h->base_timestamp = static_cast<int64_t>(GetBe64(p + kBaseTimestampOffset));
  h->max_timestamp = static_cast<int64_t>(GetBe64(p + kMaxTimestampOffset));
  h->producer_id = static_cast<int64_t>(GetBe64(p + kProducerIdOffset));
  h->producer_epoch = static_cast<int16_t>(GetBe16(p + kProducerEpochOffset));
  h->base_sequence = static_cast<int32_t>(GetBe32(p + kBaseSequenceOffset));
  h->record_count = static_cast<int32_t>(GetBe32(p + kRecordCountOffset));
  if (h->last_offset_delta < 0) return Corrupt(why, fmt::format("negative lastOffsetDelta {}", h->last_offset_delta));
  if (h->base_offset > std::numeric_limits<int64_t>::max() - h->last_offset_delta - 1) {
    return Corrupt(why, "offsets overflow");
  }
  if (h->record_count < 0 || h->record_count - 1 > h->last_offset_delta) {
    return Corrupt(
        why, fmt::format("record count {} does not fit lastOffsetDelta {}", h->record_count, h->last_offset_delta));
  }
  if (h->codec() == Codec::kNone &&
      static_cast<size_t>(h->record_count) > (h->total_size() - kBatchHeaderSize) / kMinRecordSize) {
    return Corrupt(why, fmt::format("record count {} does not fit in {} bytes", h->record_count, h->total_size()));
  }
  return BatchCheck::kOk;
}

uint32_t ComputeBatchCrc(std::string_view batch) {
  return Crc32c(0, batch.data() + kAttributesOffset, batch.size() - kAttributesOffset);
}

bool BatchCrcOk(std::string_view batch) {
  if (batch.size() < kBatchHeaderSize) return false;
  return GetBe32(batch.data() + kCrcOffset) == ComputeBatchCrc(batch);
}

void SetBaseOffset(char* batch, int64_t base_offset) { PutBe64(batch, static_cast<uint64_t>(base_offset)); }

size_t EncodedRecordSize(const Record& record, int64_t timestamp_delta, int32_t offset_delta) {
  size_t body = RecordBodySize(record, timestamp_delta, offset_delta);
  return VarlongSize(static_cast<int64_t>(body)) + body;
}

Status EncodeBatch(std::span<const Record> records, Codec codec, int64_t now_ms, std::string* out,
                   std::string* scratch) {
  std::vector<const Record*> pointers;
  pointers.reserve(records.size());
  for (const auto& r : records) pointers.push_back(&r);
  return EncodeBatch(std::span<const Record* const>(pointers), codec, now_ms, out, scratch);
}

Status EncodeBatch(std::span<const Record* const> records, Codec codec, int64_t now_ms, std::string* out,
                   std::string* scratch) {
  if (records.empty()) return Status::InvalidArgument("a batch needs at least one record");
  if (records.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument("too many records for one batch");
  }
  auto ts_of = [now_ms](const Record& r) { return r.timestamp == Timestamp{} ? now_ms : ToMillis(r.timestamp); };
  int64_t base_ts = ts_of(*records[0]);
  int64_t max_ts = base_ts;
  for (const Record* r : records) max_ts = std::max(max_ts, ts_of(*r));

  size_t start = out->size();
  out->resize(start + kBatchHeaderSize);
  // The records section goes straight into `out` when uncompressed, else into `scratch` first.
  std::string* body = codec == Codec::kNone ? out : scratch;
  if (codec != Codec::kNone) body->clear();
  for (size_t i = 0; i < records.size(); ++i) {
    const Record& r = *records[i];
    int64_t ts_delta = ts_of(r) - base_ts;
    auto offset_delta = static_cast<int32_t>(i);
    size_t size = RecordBodySize(r, ts_delta, offset_delta);
    body->reserve(body->size() + size + 10);
    AppendVarlong(body, static_cast<int64_t>(size));
    body->push_back(0);  // record attributes: unused
    AppendVarlong(body, ts_delta);
    AppendVarlong(body, offset_delta);
    if (r.key) {
      AppendLengthPrefixed(body, *r.key);
    } else {
      AppendVarlong(body, -1);
    }
    AppendLengthPrefixed(body, r.value);
    AppendVarlong(body, static_cast<int64_t>(r.headers.size()));
    for (const auto& h : r.headers) {
      AppendLengthPrefixed(body, h.key);
      AppendLengthPrefixed(body, h.value);
    }
  }
  if (codec != Codec::kNone) RTPIPE_RETURN_IF_ERROR(Compress(codec, *scratch, out));
  size_t total = out->size() - start;
  if (total > kMaxBatchSize) {
    out->resize(start);
    return Status::InvalidArgument("a batch of {} bytes exceeds the limit of {} bytes", total, kMaxBatchSize);
  }
  char* p = out->data() + start;
  PutBe64(p, 0);
  PutBe32(p + kBatchLengthOffset, static_cast<uint32_t>(total - kLogOverhead));
  PutBe32(p + kLeaderEpochOffset, 0);
  p[kMagicOffset] = kMagicV2;
  PutBe16(p + kAttributesOffset, static_cast<uint16_t>(codec));  // CreateTime, not transactional
  PutBe32(p + kLastOffsetDeltaOffset, static_cast<uint32_t>(records.size() - 1));
  PutBe64(p + kBaseTimestampOffset, static_cast<uint64_t>(base_ts));
  PutBe64(p + kMaxTimestampOffset, static_cast<uint64_t>(max_ts));
  PutBe64(p + kProducerIdOffset, static_cast<uint64_t>(int64_t{-1}));
  PutBe16(p + kProducerEpochOffset, static_cast<uint16_t>(int16_t{-1}));
  PutBe32(p + kBaseSequenceOffset, static_cast<uint32_t>(int32_t{-1}));
  PutBe32(p + kRecordCountOffset, static_cast<uint32_t>(records.size()));
  PutBe32(p + kCrcOffset, ComputeBatchCrc(std::string_view(p, total)));
  return Status::OK();
}

Status ForEachRecord(std::string_view batch, const BatchHeader& header, std::string* scratch,
                     const std::function<Status(const RecordView&)>& fn) {
  std::string_view section = batch.substr(kBatchHeaderSize);
  if (header.codec() != Codec::kNone) {
    RTPIPE_RETURN_IF_ERROR(Decompress(header.codec(), section, kMaxDecompressedSize, scratch));
    section = *scratch;
    if (static_cast<size_t>(header.record_count) > section.size() / kMinRecordSize) {
      return Status::Corruption("record count {} does not fit in {} decompressed bytes", header.record_count,
                                section.size());
    }
  }
  ByteReader reader(section);
  std::vector<HeaderView> headers;
  int64_t previous_delta = -1;
  for (int32_t i = 0; i < header.record_count; ++i) {
    int64_t length = 0;
    if (!reader.ReadVarlong(&length) || length < 0 || static_cast<uint64_t>(length) > reader.remaining()) {
      return Status::Corruption("record {} of batch at offset {}: bad length", i, header.base_offset);
    }
    std::string_view body;
    (void)reader.ReadBytes(static_cast<size_t>(length), &body);
    ByteReader r(body);
    int8_t attributes = 0;
    int64_t ts_delta = 0;
    int32_t offset_delta = 0;
    RecordView view;
    int32_t header_count = 0;
    bool ok = r.ReadInt8(&attributes) && r.ReadVarlong(&ts_delta) && r.ReadVarint(&offset_delta) &&
              ReadNullableBytes(r, &view.key) && ReadNullableBytes(r, &view.value) && r.ReadVarint(&header_count) &&
              header_count >= 0 && static_cast<size_t>(header_count) <= r.remaining() / 2;
    if (!ok) return Status::Corruption("record {} of batch at offset {}: malformed", i, header.base_offset);
    if (offset_delta <= previous_delta || offset_delta > header.last_offset_delta) {
      return Status::Corruption("record {} of batch at offset {}: offset delta {} out of order", i, header.base_offset,
                                offset_delta);
    }
    previous_delta = offset_delta;
    headers.clear();
    for (int32_t k = 0; k < header_count; ++k) {
      int32_t key_len = 0;
      HeaderView h;
      if (!r.ReadVarint(&key_len) || key_len < 0 || !r.ReadBytes(static_cast<size_t>(key_len), &h.key) ||
          !ReadNullableBytes(r, &h.value)) {
        return Status::Corruption("record {} of batch at offset {}: malformed header", i, header.base_offset);
      }
      headers.push_back(h);
    }
    if (r.remaining() != 0) {
      return Status::Corruption("record {} of batch at offset {}: {} stray bytes", i, header.base_offset,
                                r.remaining());
    }
    view.offset = header.base_offset + offset_delta;
    // Wrapping arithmetic: a hostile delta must not be undefined behaviour.
    view.timestamp =
        static_cast<int64_t>(static_cast<uint64_t>(header.base_timestamp) + static_cast<uint64_t>(ts_delta));
    view.headers = headers;
    RTPIPE_RETURN_IF_ERROR(fn(view));
  }
  if (reader.remaining() != 0) {
    return Status::Corruption("batch at offset {}: {} bytes after its {} records", header.base_offset,
                              reader.remaining(), header.record_count);
  }
  return Status::OK();
}

}  // namespace rtpipe::embedded
