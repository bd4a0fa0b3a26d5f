// A short, deterministic stand-in for the fuzzer on every test run: thousands of mutations of valid
// segment, index and metadata bytes go through every decoder (CheckDecoders). Under the ASan/UBSan
// build (`make asan`) this also proves the decoders free of memory errors on those inputs.

#include "rtpipe/log/embedded/decoder_check.h"

#include <gtest/gtest.h>

#include <random>

#include "rtpipe/log/embedded/metadata.h"
#include "rtpipe/log/embedded/record_batch.h"
#include "rtpipe/log/embedded/segment_index.h"

namespace rtpipe::embedded {
namespace {

std::vector<std::string> ValidInputs() {
  std::vector<std::string> inputs;
  std::string segment;
  std::string scratch;
  int64_t offset = 0;
  for (Codec codec : {Codec::kNone, Codec::kLz4, Codec::kZstd}) {
    std::vector<Record> records;
    for (int i = 0; i < 5; ++i) {
      Record r;
      if (i % 2 == 0) r.key = "key" + std::to_string(i);
      r.value = std::string(static_cast<size_t>(10 + i * 7), static_cast<char>('a' + i));
      r.timestamp = TimestampFromMillis(1'700'000'000'000 + i * 100);
      if (i == 3) r.headers = {{"h", "v"}, {"empty", ""}};
      records.push_back(std::move(r));
    }
    size_t start = segment.size();
    EXPECT_TRUE(EncodeBatch(records, codec, 0, &segment, &scratch).ok());
    SetBaseOffset(segment.data() + start, offset);
    offset += 5;
    inputs.push_back(segment.substr(start));
  }
  inputs.push_back(segment);
  SegmentIndex index(0);
  BatchHeader h;
  for (int i = 0; i < 20; ++i) {
    h.base_offset = i * 10;
    h.last_offset_delta = 9;
    h.record_count = 10;
    h.max_timestamp = 1000 + i;
    h.batch_length = 3000;
    index.OnBatch(h, static_cast<uint32_t>(i * 3012));
  }
  inputs.push_back(index.EncodeOffsetEntries(0) + index.EncodeTimeEntries(0));
  inputs.push_back(EncodeRecoveryPoint({0, 4096, 100, 1'700'000'000'000, 12, 3, 2}));
  inputs.push_back(EncodeTopicMeta({4, 1'700'000'000'000}));
  inputs.push_back(EncodeGroupOffsets({{{"users_created", PartitionId(1)}, Offset(42)}}));
  return inputs;
}

TEST(DecoderCheckTest, ValidInputsPass) {
  for (const auto& input : ValidInputs()) EXPECT_TRUE(CheckDecoders(input).ok());
}

TEST(DecoderCheckTest, MutatedInputsNeverBreakAnInvariant) {
  std::mt19937_64 rng(20241126);
  auto inputs = ValidInputs();
  int runs = 0;
  for (int round = 0; round < 600; ++round) {
    for (const auto& original : inputs) {
      std::string bytes = original;
      switch (rng() % 5) {
        case 0:  // a few bit flips
          for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n && !bytes.empty(); ++k) {
            bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
          }
          break;
        case 1:  // a cut
          bytes.resize(rng() % (bytes.size() + 1));
          break;
        case 2:  // a random 32-bit value over a length-like field
          if (bytes.size() >= 4) {
            size_t at = rng() % (bytes.size() - 3);
            uint32_t v = static_cast<uint32_t>(rng());
            std::memcpy(bytes.data() + at, &v, 4);
          }
          break;
        case 3:  // random bytes inserted
          bytes.insert(rng() % (bytes.size() + 1), std::string(1 + rng() % 16, static_cast<char>(rng())));
          break;
        default:  // a random byte run overwritten
          for (size_t i = rng() % (bytes.size() + 1), n = 0; i < bytes.size() && n < 8; ++i, ++n) {
            bytes[i] = static_cast<char>(rng());
          }
          break;
      }
      Status s = CheckDecoders(bytes);
      ASSERT_TRUE(s.ok()) << s << " (round " << round << ")";
      ++runs;
    }
  }
  EXPECT_EQ(runs, 600 * static_cast<int>(inputs.size()));
}

}  // namespace
}  // namespace rtpipe::embedded
