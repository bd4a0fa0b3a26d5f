#pragma once
// Reading text 8 bytes at a time ("SWAR"): a word loaded from any address, and a test of all its
// bytes at once. Little-endian: byte i of the text is bits 8i..8i+7 of the word.

#include <bit>
#include <cstdint>
#include <cstring>

namespace rtpipe::words {

static_assert(std::endian::native == std::endian::little);

inline constexpr uint64_t kEveryByte = 0x0101010101010101ULL;
inline constexpr uint64_t kHighBits = 0x8080808080808080ULL;

/// The 8 bytes at `p`, which need not be aligned.
[[gnu::always_inline]] inline uint64_t Load(const char* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

/// The high bit of each byte of `word` that is below `n` (n <= 0x80), and maybe of bytes above such
/// a byte (a borrow): exact as to whether there is one.
constexpr uint64_t BytesBelow(uint64_t word, uint8_t n) { return (word - kEveryByte * n) & ~word & kHighBits; }

/// The high bit of each byte of `word` that equals `c`, exactly (no borrow crosses bytes).
constexpr uint64_t BytesEqual(uint64_t word, uint8_t c) {
  constexpr uint64_t kLow7 = ~kHighBits;
  const uint64_t x = word ^ (kEveryByte * c);  // a zero byte where `word` has c
  return ~(((x & kLow7) + kLow7) | x | kLow7);
}

/// The high bit of each byte of `word` in [lo, hi] (1 <= lo <= hi < 0x80), exactly.
constexpr uint64_t BytesIn(uint64_t word, uint8_t lo, uint8_t hi) {
  constexpr uint64_t kLow7 = ~kHighBits;
  const uint64_t low7 = word & kLow7;
  const uint64_t at_least_lo = low7 + kEveryByte * (0x80 - lo);  // high bit set where the low 7 bits >= lo
  const uint64_t above_hi = low7 + kEveryByte * (0x7f - hi);     // ... where they are > hi
  return at_least_lo & ~above_hi & ~word & kHighBits;
}

}  // namespace rtpipe::words
