#include "rtpipe/log/embedded/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace rtpipe::embedded {
namespace {

constexpr uint32_t kPolyReflected = 0x82F63B78;

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? (c >> 1) ^ kPolyReflected : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

// Multiplication of two polynomials modulo the CRC polynomial, in the reflected representation
// (x^0 is bit 31). Moving a CRC register past n zero bytes multiplies it by x^(8n).
uint32_t MulModPoly(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (int i = 0; i < 32; ++i) {
    if ((a & (0x80000000U >> i)) != 0) product ^= b;
    b = (b & 1U) != 0 ? (b >> 1) ^ kPolyReflected : b >> 1;
  }
  return product;
}

#if defined(__x86_64__)
// The hardware path runs three independent streams over three adjacent blocks (the crc32
// instruction has a latency of 3 cycles and a throughput of 1), then combines them: the CRC of
// A followed by B is Shift(crc(A), |B|) ^ crc_from_zero(B), where Shift multiplies by x^(8|B|).
constexpr size_t kStreamBlock = 1024;

struct ShiftTables {
  std::array<std::array<uint32_t, 256>, 4> t{};
  ShiftTables() {
    uint32_t k = 0x80000000U;  // x^0
    for (size_t i = 0; i < 8 * kStreamBlock; ++i) k = (k & 1U) != 0 ? (k >> 1) ^ kPolyReflected : k >> 1;
    for (uint32_t j = 0; j < 4; ++j) {
      for (uint32_t v = 0; v < 256; ++v) t[j][v] = MulModPoly(v << (8 * j), k);
    }
  }
  uint32_t Shift(uint32_t crc) const {
    return t[0][crc & 0xFF] ^ t[1][(crc >> 8) & 0xFF] ^ t[2][(crc >> 16) & 0xFF] ^ t[3][crc >> 24];
  }
};

const ShiftTables kShift;

__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint64_t c = ~crc;
  while (size > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --size;
  }
  while (size >= 3 * kStreamBlock) {
    uint64_t c1 = 0;
    uint64_t c2 = 0;
    for (size_t i = 0; i < kStreamBlock; i += 8) {
      uint64_t w0 = 0;
      uint64_t w1 = 0;
      uint64_t w2 = 0;
      std::memcpy(&w0, p + i, 8);
      std::memcpy(&w1, p + kStreamBlock + i, 8);
      std::memcpy(&w2, p + 2 * kStreamBlock + i, 8);
      c = _mm_crc32_u64(c, w0);
      c1 = _mm_crc32_u64(c1, w1);
      c2 = _mm_crc32_u64(c2, w2);
    }
    c = kShift.Shift(static_cast<uint32_t>(c)) ^ static_cast<uint32_t>(c1);
    c = kShift.Shift(static_cast<uint32_t>(c)) ^ static_cast<uint32_t>(c2);
    p += 3 * kStreamBlock;
    size -= 3 * kStreamBlock;
  }
  while (size >= 8) {
    uint64_t word = 0;
    std::memcpy(&word, p, 8);
    c = _mm_crc32_u64(c, word);
    p += 8;
    size -= 8;
  }
  while (size > 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --size;
  }
  return ~static_cast<uint32_t>(c);
}

bool DetectHardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}
#else
bool DetectHardware() { return false; }
#endif

const bool kHardware = DetectHardware();

}  // namespace

uint32_t Crc32cPortable(uint32_t crc, const void* data, size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = ~crc;
  while (size >= 8) {
    uint32_t lo = 0;
    uint32_t hi = 0;
    std::memcpy(&lo, p, 4);  // little-endian hosts only (x86-64, aarch64)
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xFF] ^ kTables[6][(lo >> 8) & 0xFF] ^ kTables[5][(lo >> 16) & 0xFF] ^ kTables[4][lo >> 24] ^
        kTables[3][hi & 0xFF] ^ kTables[2][(hi >> 8) & 0xFF] ^ kTables[1][(hi >> 16) & 0xFF] ^ kTables[0][hi >> 24];
    p += 8;
    size -= 8;
  }
  while (size-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFF];
  return ~c;
}

uint32_t Crc32c(uint32_t crc, const void* data, size_t size) {
#if defined(__x86_64__)
  if (kHardware) return Crc32cSse42(crc, data, size);
#endif
  return Crc32cPortable(crc, data, size);
}

bool Crc32cIsHardware() { return kHardware; }

}  // namespace rtpipe::embedded
