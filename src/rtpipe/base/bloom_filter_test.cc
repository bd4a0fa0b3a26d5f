#include "rtpipe/base/bloom_filter.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

namespace rtpipe {
namespace {

TEST(BloomFilterTest, AnAddedKeyIsAlwaysMaybeThere) {
  BloomFilter filter(1000);
  for (int i = 0; i < 1000; ++i) filter.Add(fmt::format("uuid-{}", i));
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(filter.MayContain(fmt::format("uuid-{}", i))) << i;
}

TEST(BloomFilterTest, FewKeysNeverAddedAreTakenForAddedOnesUpToItsCapacity) {
  constexpr int kKeys = 100'000;
  BloomFilter filter(kKeys);
  EXPECT_EQ(filter.capacity(), static_cast<size_t>(kKeys));
  for (int i = 0; i < kKeys; ++i) filter.Add(fmt::format("added-{}", i));
  int taken = 0;
  for (int i = 0; i < kKeys; ++i) taken += filter.MayContain(fmt::format("other-{}", i)) ? 1 : 0;
  EXPECT_LT(taken, kKeys / 50) << "more than 2% false positives";  // about 1% by design
}

TEST(BloomFilterTest, AnEmptyFilterHoldsNothing) {
  BloomFilter filter;
  EXPECT_FALSE(filter.MayContain("anything"));
  filter.Add("one");
  EXPECT_TRUE(filter.MayContain("one"));
}

}  // namespace
}  // namespace rtpipe
