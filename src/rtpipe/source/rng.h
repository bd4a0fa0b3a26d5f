#pragma once
// Deterministic pseudo-random numbers for the generator: a user is a pure function of
// (seed, page, index), so every user draws from its own stream keyed by those three values.

#include <cstdint>
#include <iterator>
#include <string_view>

namespace rtpipe::gen {

/// SplitMix64's finaliser: a bijective 64-bit mixer with good avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// A 64-bit hash of bytes (FNV-1a, then mixed): stable across platforms and runs.
constexpr uint64_t HashBytes(std::string_view bytes) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return Mix64(h ^ bytes.size());
}

/// The key of user `index` of page `page` of the seed whose hash is `seed_hash`.
constexpr uint64_t UserKey(uint64_t seed_hash, int64_t page, int64_t index) {
  return Mix64(Mix64(seed_hash ^ Mix64(static_cast<uint64_t>(page))) + static_cast<uint64_t>(index));
}

__extension__ using Uint128 = unsigned __int128;

/// xoshiro256** seeded through SplitMix64 (Blackman & Vigna's recommended seeding).
class Rng {
 public:
  explicit Rng(uint64_t key) {
    uint64_t x = key;
    for (auto& s : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      uint64_t z = x;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  /// Uniform in [0, n) (n > 0), by Lemire's multiply-shift (bias < 2^-32 for the n used here).
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64); }
  /// Uniform in [lo, hi].
  int64_t Range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1)); }
  /// Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }

  template <typename List>
  const auto& Pick(const List& list) {
    return list[Below(std::size(list))];
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace rtpipe::gen
