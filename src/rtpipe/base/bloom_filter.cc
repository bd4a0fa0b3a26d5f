#include "rtpipe/base/bloom_filter.h"

#include <bit>

#include "rtpipe/base/hash.h"

namespace rtpipe {

BloomFilter::BloomFilter(size_t keys) : capacity_(keys), words_(std::bit_ceil(keys * kBitsPerKey / 64 + 1), 0) {}

template <typename Visit>
void BloomFilter::ForEachBit(std::string_view key, Visit visit) const {
  const uint64_t h = Fnv1a64(key);
  const uint64_t step = ((h >> 32) | (h << 32)) * 0x9e3779b97f4a7c15ULL | 1;  // odd: every probe differs
  const uint64_t mask = words_.size() * 64 - 1;                               // a power of two, less one: no division
  for (int k = 0; k < kProbes; ++k) visit((h + static_cast<uint64_t>(k) * step) & mask);
}

void BloomFilter::Add(std::string_view key) {
  ForEachBit(key, [&](uint64_t bit) { words_[bit / 64] |= uint64_t{1} << (bit % 64); });
}

bool BloomFilter::MayContain(std::string_view key) const {
  bool all = true;
  ForEachBit(key, [&](uint64_t bit) { all = all && (words_[bit / 64] >> (bit % 64) & 1) != 0; });
  return all;
}

}  // namespace rtpipe
