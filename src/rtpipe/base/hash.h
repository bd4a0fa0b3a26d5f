#pragma once
// Stable, non-cryptographic hashing (the same value on every machine and build, unlike std::hash).

#include <cstdint>
#include <string_view>

namespace rtpipe {

/// 64-bit FNV-1a.
constexpr uint64_t Fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ULL) {
  uint64_t h = seed;
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

}  // namespace rtpipe
