#include "rtpipe/base/bloom_filter.h"

#include <bit>

#include "rtpipe/base/hash.h"

namespace rtpipe {

BloomFilter::BloomFilter(size_t keys)
    : capacity_(keys), words_(std::bit_ceil(keys * kBitsPerKey / (64 * kBlockWords) + 1) * kBlockWords, 0) {}

template <typename Visit>
void BloomFilter::ForEachBit(std::string_view key, Visit visit) const {
  constexpr uint64_t kBlockBits = kBlockWords * 64;
  uint64_t h = Fnv1a64(key);
  h = (h ^ (h >> 32)) * 0xd6e8feb86659fd93ULL;  // so that each bit depends on all of the key, the low ones too
  h ^= h >> 32;
  const uint64_t blocks = words_.size() / kBlockWords;  // a power of two: the mask below needs no division
  const uint64_t first = ((h >> 32) & (blocks - 1)) * kBlockBits;
  const uint64_t step = (h * 0x9e3779b97f4a7c15ULL) >> 32 | 1;  // odd: the probes of a key differ
  for (int k = 0; k < kProbes; ++k) visit(first + ((h + static_cast<uint64_t>(k) * step) & (kBlockBits - 1)));
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
