#include "rtpipe/base/words.h"

#include <gtest/gtest.h>

#include <array>

namespace rtpipe::words {
namespace {

// The high bit of each byte of `bytes` for which `pick` holds.
template <typename Pick>
uint64_t Reference(const std::array<uint8_t, 8>& bytes, Pick pick) {
  uint64_t mask = 0;
  for (size_t i = 0; i < 8; ++i) {
    if (pick(bytes[i])) mask |= uint64_t{0x80} << (8 * i);
  }
  return mask;
}

// Every byte value at every place of a word, among neighbours of every kind (below, at and above
// what is looked for, and the bytes that make borrows and carries): the masks are exact.
TEST(Words, BytesEqualAndBytesInMarkExactlyTheirBytes) {
  for (uint8_t fill : {0x00, 0x01, 0x1f, 0x20, 0x21, 0x40, 0x41, 0x5a, 0x5b, 0x7f, 0x80, 0xa0, 0xc1, 0xff}) {
    for (size_t at = 0; at < 8; ++at) {
      for (int value = 0; value < 256; ++value) {
        std::array<uint8_t, 8> bytes;
        bytes.fill(fill);
        bytes[at] = static_cast<uint8_t>(value);
        uint64_t word = 0;
        for (size_t i = 0; i < 8; ++i) word |= uint64_t{bytes[i]} << (8 * i);
        ASSERT_EQ(BytesEqual(word, ' '), Reference(bytes, [](uint8_t b) { return b == ' '; }))
            << int{fill} << " " << at << " " << value;
        ASSERT_EQ(BytesIn(word, 'A', 'Z'), Reference(bytes, [](uint8_t b) { return b >= 'A' && b <= 'Z'; }))
            << int{fill} << " " << at << " " << value;
        ASSERT_EQ(BytesIn(word, 1, 0x7f), Reference(bytes, [](uint8_t b) { return b >= 1 && b <= 0x7f; }))
            << int{fill} << " " << at << " " << value;
        ASSERT_EQ(BytesBelow(word, ' ') != 0, Reference(bytes, [](uint8_t b) { return b < ' '; }) != 0)
            << int{fill} << " " << at << " " << value;
      }
    }
  }
}

}  // namespace
}  // namespace rtpipe::words
