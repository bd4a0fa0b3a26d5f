#include "rtpipe/base/uuid.h"

namespace rtpipe {
namespace {

constexpr bool IsDashAt(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

// The value of a hex digit of the given case, or -1.
int HexDigit(char c, bool lowercase_only) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (!lowercase_only && c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls digit(value) for each of the 32 hex digits of a UUID in text form; false when `text` is
// not one.
template <typename Digit>
bool ForEachDigit(std::string_view text, bool lowercase_only, Digit digit) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsDashAt(i)) {
      if (text[i] != '-') return false;
      continue;
    }
    int value = HexDigit(text[i], lowercase_only);
    if (value < 0) return false;
    digit(value);
  }
  return true;
}

}  // namespace

bool IsUuid(std::string_view text) {
  return ForEachDigit(text, false, [](int) {});
}

std::optional<std::array<char, 16>> CanonicalUuidBytes(std::string_view text) {
  std::array<char, 16> bytes{};
  size_t n = 0;
  bool ok = ForEachDigit(text, true, [&](int value) {
    bytes[n / 2] = static_cast<char>(n % 2 == 0 ? value << 4 : (bytes[n / 2] | value));
    ++n;
  });
  if (!ok) return std::nullopt;
  return bytes;
}

}  // namespace rtpipe
