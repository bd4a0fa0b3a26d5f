#include "rtpipe/base/json.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

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

void Store(char* p, uint64_t word) { std::memcpy(p, &word, sizeof word); }

// Writes the escape of `c` (a byte that needs one) at `p`; returns the end.
char* WriteEscaped(char* p, uint8_t c) {
  static constexpr char kHex[] = "0123456789abcdef";
  *p++ = '\\';
  switch (c) {
    case '"':
    case '\\':
      *p++ = static_cast<char>(c);
      break;
    case '\n':
      *p++ = 'n';
      break;
    case '\r':
      *p++ = 'r';
      break;
    case '\t':
      *p++ = 't';
      break;
    case '\b':
      *p++ = 'b';
      break;
    case '\f':
      *p++ = 'f';
      break;
    default:
      std::memcpy(p, "u00", 3);
      p[3] = kHex[c >> 4];
      p[4] = kHex[c & 0xF];
      p += 5;
  }
  return p;
}

// Writes `text` as a JSON string literal at `p`, which has room for JsonStringRoom(text.size())
// bytes; returns the end. Plain words are stored whole as they are loaded (the room allows for
// storing a whole word past the end), and the last word of a plain text overlaps the one before.
char* WriteJsonString(char* p, std::string_view text) {
  const char* s = text.data();
  const size_t n = text.size();
  size_t i = 0;
  *p++ = '"';
  for (; i + 8 <= n; i += 8) {
    const uint64_t word = words::Load(s + i);
    if (AnyByteToEscape(word)) break;
    Store(p, word);
    p += 8;
  }
  if (i < n && i + 8 > n && n >= 8) {
    // Fewer than 8 bytes are left and everything before them was plain, so s[n - 8] went to
    // p - (i - (n - 8)).
    const uint64_t word = words::Load(s + n - 8);
    if (!AnyByteToEscape(word)) {
      Store(p - (i - (n - 8)), word);
      p += n - i;
      i = n;
    }
  }
  for (; i < n; ++i) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (NeedsEscape(c)) {
      p = WriteEscaped(p, c);
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  *p++ = '"';
  return p;
}

// Room that WriteJsonString may use for `n` bytes of text: each byte escaped as \u00XX at worst,
// the quotes, and a whole word stored past the end.
constexpr size_t JsonStringRoom(size_t n) { return 6 * n + 2 + 8; }

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  const size_t at = out.size();
  out.resize(at + JsonStringRoom(text.size()));
  out.resize(static_cast<size_t>(WriteJsonString(out.data() + at, text) - out.data()));
}

JsonWriter::JsonWriter() : buffer_(new char[kInitialCapacity]), capacity_(kInitialCapacity) {}

void JsonWriter::String(std::string_view text) {
  size_ = static_cast<size_t>(WriteJsonString(Room(JsonStringRoom(text.size())), text) - buffer_.get());
}

char* JsonWriter::Grow(size_t n) {
  size_t capacity = std::max(2 * capacity_, size_ + n);
  std::unique_ptr<char[]> bigger(new char[capacity]);
  std::memcpy(bigger.get(), buffer_.get(), size_);
  buffer_ = std::move(bigger);
  capacity_ = capacity;
  return buffer_.get() + size_;
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
