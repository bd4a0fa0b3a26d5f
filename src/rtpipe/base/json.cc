#include "rtpipe/base/json.h"

#include <cstdint>

#include "rtpipe/base/words.h"

namespace rtpipe {

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    auto c = static_cast<uint8_t>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<uint8_t>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values above U+10FFFF.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

using words::BytesBelow;
using words::kEveryByte;

// Whether any byte of `word` needs escaping in a JSON string: a control character, '"' or '\\'.
constexpr bool AnyByteToEscape(uint64_t word) {
  return (BytesBelow(word, 0x20) | BytesBelow(word ^ (kEveryByte * '"'), 1) |
          BytesBelow(word ^ (kEveryByte * '\\'), 1)) != 0;
}

constexpr bool NeedsEscape(uint8_t c) { return c < 0x20 || c == '"' || c == '\\'; }

// The length of the prefix of `text` that needs no escaping, found 8 bytes at a time (the last
// word overlapping the one before).
size_t PlainPrefix(std::string_view text) {
  const size_t n = text.size();
  size_t i = 0;
  while (i + 8 <= n && !AnyByteToEscape(words::Load(text.data() + i))) i += 8;
  if (i + 8 > n && n >= 8 && !AnyByteToEscape(words::Load(text.data() + n - 8))) return n;
  while (i < n && !NeedsEscape(static_cast<uint8_t>(text[i]))) ++i;
  return i;
}

void AppendEscaped(std::string& out, uint8_t c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += "\\u00";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (;;) {
    const size_t plain = PlainPrefix(text);
    out.append(text.data(), plain);
    if (plain == text.size()) break;
    AppendEscaped(out, static_cast<uint8_t>(text[plain]));
    text.remove_prefix(plain + 1);
  }
  out.push_back('"');
}

std::string Base64Encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) | (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                 static_cast<uint8_t>(bytes[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

}  // namespace rtpipe
