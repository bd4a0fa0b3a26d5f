#pragma once
// Kafka RecordBatch v2, byte for byte (docs/formats/log.md has the full layout):
//
//   offset size field                        CRC-32C covers bytes [21, end)
//   0      8    baseOffset          int64 BE
//   8      4    batchLength         int32 BE   bytes after this field (total size = batchLength + 12)
//   12     4    partitionLeaderEpoch int32 BE  (rtpipe writes 0)
//   16     1    magic               int8       = 2
//   17     4    crc                 uint32 BE  CRC-32C of bytes [21, end)
//   21     2    attributes          int16 BE   bits 0-2 codec, 3 timestamp type, 4 transactional, 5 control
//   23     4    lastOffsetDelta     int32 BE
//   27     8    baseTimestamp       int64 BE   ms since the epoch
//   35     8    maxTimestamp        int64 BE
//   43     8    producerId          int64 BE   (-1: none)
//   51     2    producerEpoch       int16 BE   (-1)
//   53     4    baseSequence        int32 BE   (-1)
//   57     4    recordCount         int32 BE
//   61     ...  records, compressed as a whole when the codec is not none
//
// A record: length varint, attributes int8, timestampDelta varlong, offsetDelta varint,
// keyLength varint (-1 = null), key, valueLength varint (-1 = null), value, headerCount varint,
// then per header: keyLength varint, key, valueLength varint (-1 = null), value. Varints are
// zig-zag encoded (bytes.h).
//
// baseOffset is outside the CRC, so a batch is encoded and checksummed before its offset is known
// and the offset is patched in under the partition lock.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/status.h"
#include "rtpipe/log/embedded/compression.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

inline constexpr size_t kLogOverhead = 12;      // baseOffset + batchLength
inline constexpr size_t kBatchHeaderSize = 61;  // through recordCount
inline constexpr size_t kCrcOffset = 17;
inline constexpr size_t kAttributesOffset = 21;  // first byte the CRC covers
inline constexpr int8_t kMagicV2 = 2;
/// Largest batch rtpipe writes or accepts (total size); larger lengths are treated as corruption.
inline constexpr size_t kMaxBatchSize = size_t{64} << 20;
/// Largest decompressed records section accepted.
inline constexpr size_t kMaxDecompressedSize = size_t{128} << 20;

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  size_t total_size() const { return static_cast<size_t>(batch_length) + kLogOverhead; }
  Codec codec() const { return static_cast<Codec>(attributes & 0x7); }
  bool is_control() const { return (attributes & 0x20) != 0; }
};

enum class BatchCheck : uint8_t {
  kOk,          // a whole batch with a plausible header is at the start of the bytes
  kIncomplete,  // the bytes end before the batch does (a torn tail, or a write in progress)
  kCorrupt,     // the header is impossible (magic, lengths, counts)
};

/// Parses the header of the batch at the start of `bytes` (which may hold more batches after it).
/// Does not check the CRC. `why` (optional) says what is wrong on kCorrupt.
BatchCheck PeekBatch(std::string_view bytes, BatchHeader* header, std::string* why = nullptr);

/// True when the stored CRC matches the CRC-32C of the batch's bytes [21, end).
bool BatchCrcOk(std::string_view batch);
uint32_t ComputeBatchCrc(std::string_view batch);

/// Overwrites baseOffset of the encoded batch at `batch` (not covered by the CRC).
void SetBaseOffset(char* batch, int64_t base_offset);

/// Bytes one record takes in a batch (before compression); for splitting records into batches.
size_t EncodedRecordSize(const Record& record, int64_t timestamp_delta, int32_t offset_delta);

/// Appends one batch holding `records` (base offset 0) to `out`. Records whose timestamp is the
/// epoch (Timestamp{}) get `now_ms`. `scratch` is reused for the uncompressed records section.
Status EncodeBatch(std::span<const Record* const> records, Codec codec, int64_t now_ms, std::string* out,
                   std::string* scratch);
Status EncodeBatch(std::span<const Record> records, Codec codec, int64_t now_ms, std::string* out,
                   std::string* scratch);

struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;
};

/// A record decoded in place: the views point into the batch or into the caller's scratch buffer.
struct RecordView {
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::span<const HeaderView> headers;
};

/// Decodes every record of a batch whose header and CRC were checked, calling `fn` for each in
/// order; stops at the first non-OK status `fn` returns. Corruption when the records do not match
/// the header (count, offset deltas, lengths). `scratch` holds decompressed bytes between calls.
Status ForEachRecord(std::string_view batch, const BatchHeader& header, std::string* scratch,
                     const std::function<Status(const RecordView&)>& fn);

}  // namespace rtpipe::embedded
