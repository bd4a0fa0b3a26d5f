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

TEST(BloomFilterTest, FewBinaryKeysNeverAddedAreTakenForAddedOnes) {
  // Keys as the stores hold them: the 16 bytes of a UUID, here counters in either half.
  constexpr uint64_t kKeys = 200'000;
  auto key = [](uint64_t high, uint64_t low) {
    std::string bytes(16, '\0');
    for (int b = 0; b < 8; ++b) {
      bytes[b] = static_cast<char>(high >> (8 * b));
      bytes[8 + b] = static_cast<char>(low >> (8 * b));
    }
    return bytes;
  };
  BloomFilter filter(kKeys);
  for (uint64_t i = 0; i < kKeys; ++i) filter.Add(key(i, 0));
  uint64_t taken = 0;
  for (uint64_t i = 0; i < kKeys; ++i) {
    taken += filter.MayContain(key(i, 1)) ? 1 : 0;
    taken += filter.MayContain(key(kKeys + i, 0)) ? 1 : 0;
  }
  EXPECT_LT(taken, 2 * kKeys / 50) << "more than 2% false positives";
}

TEST(BloomFilterTest, AnEmptyFilterHoldsNothing) {
  BloomFilter filter;
  EXPECT_FALSE(filter.MayContain("anything"));
  filter.Add("one");
  EXPECT_TRUE(filter.MayContain("one"));
}

}  // namespace
}  // namespace rtpipe
