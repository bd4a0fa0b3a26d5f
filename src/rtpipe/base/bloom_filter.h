#pragma once
// BloomFilter: a set of byte strings that answers "maybe" or "certainly not". The SQLite stores'
// key index keeps one of every user key, so that a new user, as most are, needs no look-up
// (base/sqlite_key_index.h).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace rtpipe {

class BloomFilter {
 public:
  /// Room for `keys` keys: 10 bits each or more (a power of two in all), 7 probes, so at most
  /// about 1% of the keys never added are taken for added ones while it holds no more than that.
  explicit BloomFilter(size_t keys = 0);

  void Add(std::string_view key);
  /// Never false for a key added.
  bool MayContain(std::string_view key) const;
  /// The keys it has room for.
  size_t capacity() const { return capacity_; }

 private:
  static constexpr int kProbes = 7;
  static constexpr size_t kBitsPerKey = 10;
  // The probes of a key all fall in one block of 512 bits, a cache line, chosen by its hash: one
  // cache miss instead of seven, in a filter of many MiB, for a little accuracy: 0.98% false
  // positives at 10.5 bits a key, measured, where probes anywhere would give 0.8%.
  static constexpr size_t kBlockWords = 8;
  // The bit of each probe, in words_: the block by one half of the key's 64-bit hash, the bits in
  // it by double hashing of the other.
  template <typename Visit>
  void ForEachBit(std::string_view key, Visit visit) const;

  size_t capacity_;
  std::vector<uint64_t> words_;
};

}  // namespace rtpipe
