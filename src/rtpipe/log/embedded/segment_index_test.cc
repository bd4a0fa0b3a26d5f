#include "rtpipe/log/embedded/segment_index.h"

#include <gtest/gtest.h>

namespace rtpipe::embedded {
namespace {

BatchHeader Batch(int64_t base, int32_t count, int64_t max_ts, int32_t size) {
  BatchHeader h;
  h.base_offset = base;
  h.last_offset_delta = count - 1;
  h.record_count = count;
  h.max_timestamp = max_ts;
  h.batch_length = size - 12;
  return h;
}

// 100 batches of 10 records and 1000 bytes each, timestamps 10 per batch, from offset 500.
SegmentIndex Build() {
  SegmentIndex index(500);
  for (int i = 0; i < 100; ++i)
    index.OnBatch(Batch(500 + i * 10, 10, 1000 + i * 10, 1000), static_cast<uint32_t>(i * 1000));
  return index;
}

TEST(SegmentIndexTest, IsSparseAndFindsAPositionAtOrBeforeTheTarget) {
  SegmentIndex index = Build();
  // An entry every > 4096 bytes: after 5 batches of 1000 bytes.
  EXPECT_GT(index.offset_entries().size(), 15u);
  EXPECT_LT(index.offset_entries().size(), 25u);
  EXPECT_EQ(index.LookupPosition(0), 0u);
  EXPECT_EQ(index.LookupPosition(500), 0u);
  for (int64_t target = 500; target < 1500; target += 7) {
    uint32_t pos = index.LookupPosition(target);
    int64_t batch_at_pos = 500 + (pos / 1000) * 10;
    EXPECT_LE(batch_at_pos, target);           // never past the batch holding the target
    EXPECT_LE(target - batch_at_pos, 10 * 6);  // and never far before it
  }
  EXPECT_EQ(index.max_timestamp(), 1990);
}

TEST(SegmentIndexTest, LookupOffsetBeforeNeverSkipsANewerRecord) {
  SegmentIndex index = Build();
  for (int64_t ts = 900; ts < 2100; ts += 3) {
    int64_t from = index.LookupOffsetBefore(ts);
    // Batch i holds offsets 500+10i..509+10i with timestamps up to 1000+10i; the first batch with
    // a timestamp >= ts must not be below `from`.
    int64_t first_batch = std::max<int64_t>(0, (ts - 1000 + 9) / 10);
    EXPECT_LE(from, 500 + first_batch * 10) << ts;
  }
}

TEST(SegmentIndexTest, FilesRoundTripAndDamageIsCut) {
  SegmentIndex index = Build();
  index.Seal();
  std::string offsets = index.EncodeOffsetEntries(0);
  std::string times = index.EncodeTimeEntries(0);
  EXPECT_EQ(offsets.size(), index.offset_entries().size() * kOffsetEntrySize);
  SegmentIndex loaded(500);
  EXPECT_TRUE(loaded.Load(offsets, times, 100'000, SIZE_MAX, SIZE_MAX));
  EXPECT_EQ(loaded.offset_entries(), index.offset_entries());
  EXPECT_EQ(loaded.time_entries(), index.time_entries());
  EXPECT_EQ(loaded.max_timestamp(), 1990);

  // A torn last entry, and an entry pointing past the segment, are dropped.
  EXPECT_FALSE(loaded.Load(offsets.substr(0, offsets.size() - 3), times, 100'000, SIZE_MAX, SIZE_MAX));
  EXPECT_EQ(loaded.offset_entries().size(), index.offset_entries().size() - 1);
  EXPECT_FALSE(loaded.Load(offsets, times, 50'000, SIZE_MAX, SIZE_MAX));
  EXPECT_LT(loaded.offset_entries().size(), index.offset_entries().size());
  for (const auto& e : loaded.offset_entries()) EXPECT_LT(e.position, 50'000u);
  // Out-of-order entries (garbage) end the usable prefix.
  std::string garbage = offsets;
  garbage.replace(8, 8, std::string(8, '\0'));
  EXPECT_FALSE(loaded.Load(garbage, times, 100'000, SIZE_MAX, SIZE_MAX));
  EXPECT_EQ(loaded.offset_entries().size(), 1u);
  // A limit keeps only the vouched-for entries.
  EXPECT_FALSE(loaded.Load(offsets, times, 100'000, 3, 2));
  EXPECT_EQ(loaded.offset_entries().size(), 3u);
  EXPECT_EQ(loaded.time_entries().size(), 2u);
}

}  // namespace
}  // namespace rtpipe::embedded
