#include "rtpipe/log/embedded/record_batch.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "rtpipe/base/bytes.h"
#include "rtpipe/log/embedded/crc32c.h"

namespace rtpipe::embedded {
namespace {

struct Decoded {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::vector<Decoded> DecodeAll(std::string_view batch) {
  BatchHeader h;
  EXPECT_EQ(PeekBatch(batch, &h), BatchCheck::kOk);
  EXPECT_TRUE(BatchCrcOk(batch));
  std::vector<Decoded> out;
  std::string scratch;
  Status s = ForEachRecord(batch, h, &scratch, [&](const RecordView& r) {
    Decoded d{r.offset, r.timestamp, std::nullopt, std::nullopt, {}};
    if (r.key) d.key = std::string(*r.key);
    if (r.value) d.value = std::string(*r.value);
    for (const auto& hv : r.headers) {
      d.headers.emplace_back(std::string(hv.key),
                             hv.value ? std::optional<std::string>(std::string(*hv.value)) : std::nullopt);
    }
    out.push_back(std::move(d));
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

std::vector<Record> SampleRecords() {
  std::vector<Record> records;
  records.push_back({std::string("key-1"), "value one", TimestampFromMillis(1'700'000'000'000), {}});
  records.push_back({std::nullopt, "no key", TimestampFromMillis(1'700'000'000'500), {{"h1", "v1"}, {"h2", ""}}});
  records.push_back({std::string(""), "", TimestampFromMillis(1'699'999'999'000), {}});  // older than the base
  records.push_back({std::string("k"), std::string(100'000, 'x'), TimestampFromMillis(1'700'000'001'000), {}});
  return records;
}

class RecordBatchCodecTest : public ::testing::TestWithParam<Codec> {};

TEST_P(RecordBatchCodecTest, RoundTripsEveryField) {
  auto records = SampleRecords();
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), 0, &batch, &scratch).ok());
  SetBaseOffset(batch.data(), 1000);
  BatchHeader h;
  ASSERT_EQ(PeekBatch(batch, &h), BatchCheck::kOk);
  EXPECT_EQ(h.base_offset, 1000);
  EXPECT_EQ(h.total_size(), batch.size());
  EXPECT_EQ(h.magic, 2);
  EXPECT_EQ(h.codec(), GetParam());
  EXPECT_EQ(h.record_count, 4);
  EXPECT_EQ(h.last_offset_delta, 3);
  EXPECT_EQ(h.base_timestamp, 1'700'000'000'000);
  EXPECT_EQ(h.max_timestamp, 1'700'000'001'000);
  EXPECT_EQ(h.producer_id, -1);
  EXPECT_EQ(h.producer_epoch, -1);
  EXPECT_EQ(h.base_sequence, -1);
  auto decoded = DecodeAll(batch);
  ASSERT_EQ(decoded.size(), records.size());
  for (size_t i = 0; i < records.size(); ++i) {
    EXPECT_EQ(decoded[i].offset, 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(decoded[i].timestamp, ToMillis(records[i].timestamp));
    EXPECT_EQ(decoded[i].key, records[i].key);
    EXPECT_EQ(decoded[i].value, records[i].value);
    ASSERT_EQ(decoded[i].headers.size(), records[i].headers.size());
    for (size_t k = 0; k < records[i].headers.size(); ++k) {
      EXPECT_EQ(decoded[i].headers[k].first, records[i].headers[k].key);
      EXPECT_EQ(decoded[i].headers[k].second, records[i].headers[k].value);
    }
  }
}

TEST_P(RecordBatchCodecTest, CompressesRepetitiveData) {
  std::vector<Record> records(200, Record{std::nullopt, std::string(1000, 'a'), TimestampFromMillis(5), {}});
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, GetParam(), 0, &batch, &scratch).ok());
  if (GetParam() == Codec::kNone) {
    EXPECT_GT(batch.size(), 200'000u);
  } else {
    EXPECT_LT(batch.size(), 20'000u);
  }
  EXPECT_EQ(DecodeAll(batch).size(), 200u);
}

INSTANTIATE_TEST_SUITE_P(Codecs, RecordBatchCodecTest, ::testing::Values(Codec::kNone, Codec::kLz4, Codec::kZstd),
                         [](const auto& param_info) { return std::string(CodecName(param_info.param)); });

TEST(RecordBatchTest, Lz4UsesTheFrameFormatAsKafkaDoes) {
  std::vector<Record> records(3, Record{std::nullopt, "payload", TimestampFromMillis(1), {}});
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, Codec::kLz4, 0, &batch, &scratch).ok());
  // The records section starts with the LZ4 frame magic 0x184D2204 (little-endian on the wire).
  EXPECT_EQ(batch.substr(kBatchHeaderSize, 4), std::string("\x04\x22\x4d\x18", 4));
  ASSERT_TRUE(EncodeBatch(records, Codec::kZstd, 0, &batch, &scratch).ok());
}

TEST(RecordBatchTest, EpochTimestampMeansNow) {
  std::vector<Record> records{{std::nullopt, "v", Timestamp{}, {}}};
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, Codec::kNone, 123456, &batch, &scratch).ok());
  EXPECT_EQ(DecodeAll(batch)[0].timestamp, 123456);
}

// A batch assembled by hand from the specification, independently of the encoder: one record with
// a null value (a tombstone) and a header with a null value, as other Kafka clients may write.
TEST(RecordBatchTest, DecodesAHandBuiltBatchWithNulls) {
  std::string record;
  record.push_back(0);        // attributes
  AppendVarlong(&record, 7);  // timestamp delta
  AppendVarint(&record, 0);   // offset delta
  AppendVarint(&record, 3);   // key length
  record += "abc";
  AppendVarint(&record, -1);  // null value
  AppendVarint(&record, 1);   // one header
  AppendVarint(&record, 2);
  record += "hk";
  AppendVarint(&record, -1);  // null header value
  std::string records;
  AppendVarint(&records, static_cast<int32_t>(record.size()));
  records += record;

  std::string batch;
  AppendBe64(&batch, 42);  // base offset
  AppendBe32(&batch, static_cast<uint32_t>(49 + records.size()));
  AppendBe32(&batch, 0);  // leader epoch
  batch.push_back(2);     // magic
  AppendBe32(&batch, 0);  // crc, patched below
  AppendBe16(&batch, 0);  // attributes
  AppendBe32(&batch, 0);  // last offset delta
  AppendBe64(&batch, 1000);
  AppendBe64(&batch, 1007);
  AppendBe64(&batch, static_cast<uint64_t>(-1));
  AppendBe16(&batch, static_cast<uint16_t>(-1));
  AppendBe32(&batch, static_cast<uint32_t>(-1));
  AppendBe32(&batch, 1);
  batch += records;
  PutBe32(batch.data() + 17, Crc32c(0, batch.data() + 21, batch.size() - 21));

  auto decoded = DecodeAll(batch);
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_EQ(decoded[0].offset, 42);
  EXPECT_EQ(decoded[0].timestamp, 1007);
  EXPECT_EQ(decoded[0].key, "abc");
  EXPECT_FALSE(decoded[0].value.has_value());
  ASSERT_EQ(decoded[0].headers.size(), 1u);
  EXPECT_EQ(decoded[0].headers[0].first, "hk");
  EXPECT_FALSE(decoded[0].headers[0].second.has_value());
}

TEST(RecordBatchTest, EveryBitFlipUnderTheCrcIsDetected) {
  auto records = SampleRecords();
  records[3].value.resize(300);
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(records, Codec::kNone, 0, &batch, &scratch).ok());
  // Bytes 17.. are the CRC and what it covers: every single-bit error there must be caught, by
  // the header checks or by the CRC.
  for (size_t byte = kCrcOffset; byte < batch.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = batch;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      BatchHeader h;
      bool caught = PeekBatch(damaged, &h) != BatchCheck::kOk || !BatchCrcOk(damaged);
      ASSERT_TRUE(caught) << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(RecordBatchTest, EveryTruncationIsIncompleteNeverOk) {
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(SampleRecords(), Codec::kZstd, 0, &batch, &scratch).ok());
  for (size_t len = 0; len < batch.size(); ++len) {
    BatchHeader h;
    EXPECT_EQ(PeekBatch(std::string_view(batch).substr(0, len), &h), BatchCheck::kIncomplete) << len;
  }
}

TEST(RecordBatchTest, GarbageHeadersAreCorrupt) {
  std::string zeros(100, '\0');
  BatchHeader h;
  std::string why;
  EXPECT_EQ(PeekBatch(zeros, &h, &why), BatchCheck::kCorrupt);
  EXPECT_FALSE(why.empty());

  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(SampleRecords(), Codec::kNone, 0, &batch, &scratch).ok());
  std::string bad_magic = batch;
  bad_magic[16] = 1;
  EXPECT_EQ(PeekBatch(bad_magic, &h), BatchCheck::kCorrupt);
  std::string huge = batch;
  PutBe32(huge.data() + 8, 0x7fffffff);
  EXPECT_EQ(PeekBatch(huge, &h), BatchCheck::kCorrupt);
}

TEST(RecordBatchTest, RecordsThatDisagreeWithTheHeaderAreCorruption) {
  std::string batch;
  std::string scratch;
  ASSERT_TRUE(EncodeBatch(SampleRecords(), Codec::kNone, 0, &batch, &scratch).ok());
  // Claim one record more than there is, with a valid CRC: decoding must fail, not overrun.
  std::string lying = batch;
  PutBe32(lying.data() + 57, 5);
  PutBe32(lying.data() + 23, 4);
  PutBe32(lying.data() + kCrcOffset, ComputeBatchCrc(lying));
  BatchHeader h;
  ASSERT_EQ(PeekBatch(lying, &h), BatchCheck::kOk);
  Status s = ForEachRecord(lying, h, &scratch, [](const RecordView&) { return Status::OK(); });
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s;
}

TEST(RecordBatchTest, DecompressionIsBounded) {
  // A zstd batch whose records section expands far beyond the limit must be refused.
  std::string big(kMaxDecompressedSize + 1024, 'z');
  std::string compressed;
  ASSERT_TRUE(Compress(Codec::kZstd, big, &compressed).ok());
  std::string out;
  EXPECT_EQ(Decompress(Codec::kZstd, compressed, kMaxDecompressedSize, &out).code(), StatusCode::kCorruption);
  EXPECT_LE(out.size(), kMaxDecompressedSize + 1);
  EXPECT_EQ(Decompress(Codec::kLz4, "not lz4 at all", 1 << 20, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(Decompress(Codec::kZstd, "", 1 << 20, &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(Decompress(Codec::kGzip, "x", 1 << 20, &out).code(), StatusCode::kInvalidArgument);
}

TEST(BytesTest, VarintsRoundTripAndRejectOverlongInput) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64}, int64_t{300},
                    INT64_MAX, INT64_MIN, int64_t{INT32_MAX}, int64_t{INT32_MIN}}) {
    std::string s;
    AppendVarlong(&s, v);
    EXPECT_EQ(s.size(), VarlongSize(v));
    ByteReader r(s);
    int64_t back = 0;
    ASSERT_TRUE(r.ReadVarlong(&back));
    EXPECT_EQ(back, v);
  }
  std::string overlong(11, '\x80');
  ByteReader r(overlong);
  int64_t v = 0;
  EXPECT_FALSE(r.ReadVarlong(&v));
  // Kafka's varint of 300 (zig-zag 600) is 0xd8 0x04.
  std::string s;
  AppendVarint(&s, 300);
  EXPECT_EQ(s, std::string("\xd8\x04", 2));
}

}  // namespace
}  // namespace rtpipe::embedded
