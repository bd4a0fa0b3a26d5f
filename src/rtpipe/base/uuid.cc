#include "rtpipe/base/uuid.h"

#include <cstdint>

namespace rtpipe {
namespace {

// The value of each byte as a hex digit, or -1: lowercase digits only, or either case.
constexpr std::array<int8_t, 256> HexDigits(bool uppercase_too) {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<int8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<int8_t>(c - 'a' + 10);
  if (uppercase_too) {
    for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<int8_t>(c - 'A' + 10);
  }
  return table;
}
constexpr std::array<int8_t, 256> kLowercaseHex = HexDigits(false);
constexpr std::array<int8_t, 256> kAnyCaseHex = HexDigits(true);

// Where the 32 digits of 8-4-4-4-12 are.
constexpr std::array<uint8_t, 32> kDigitAt = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11, 12, 14, 15, 16, 17,
                                              19, 20, 21, 22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};

// The 16 bytes `text` spells with the digits of `hex`; false when it is not a UUID in text form.
// No branch per character: the calls come once per record on the landing and store paths.
bool Decode(std::string_view text, const std::array<int8_t, 256>& hex, std::array<char, 16>& bytes) {
  if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-') return false;
  int bad = 0;
  for (size_t i = 0; i < 16; ++i) {
    int high = hex[static_cast<unsigned char>(text[kDigitAt[2 * i]])];
    int low = hex[static_cast<unsigned char>(text[kDigitAt[2 * i + 1]])];
    bad |= high | low;  // negative once any digit is not one
    bytes[i] = static_cast<char>((high << 4) | (low & 0xf));
  }
  return bad >= 0;
}

}  // namespace

bool IsUuid(std::string_view text) {
  std::array<char, 16> bytes;
  return Decode(text, kAnyCaseHex, bytes);
}

std::optional<std::array<char, 16>> CanonicalUuidBytes(std::string_view text) {
  std::array<char, 16> bytes;
  if (!Decode(text, kLowercaseHex, bytes)) return std::nullopt;
  return bytes;
}

}  // namespace rtpipe
