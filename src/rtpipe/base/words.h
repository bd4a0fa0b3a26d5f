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

}  // namespace rtpipe::words
