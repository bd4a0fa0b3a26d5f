#pragma once
// Minimal JSON writing helpers for hot paths that build documents by hand.

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace rtpipe {

/// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

/// Appends `text` as a JSON string literal (quotes included), escaping per RFC 8259: `"`, `\`, and
/// control characters; other bytes pass through (the caller ensures valid UTF-8).
void AppendJsonString(std::string& out, std::string_view text);

/// Builds JSON text in a buffer of its own, where each piece is a few plain stores, then hands it
/// over in one copy: appending piece by piece to a std::string checks its capacity and calls memcpy
/// for every piece. For documents written often, as a thread_local (Clear() between documents).
class JsonWriter {
 public:
  JsonWriter();

  /// Text as it is: punctuation, quoted keys with their colon, numbers.
  void Raw(std::string_view text) {
    std::memcpy(Room(text.size()), text.data(), text.size());
    size_ += text.size();
  }
  void Char(char c) {
    *Room(1) = c;
    ++size_;
  }
  /// `text` as a JSON string literal, as AppendJsonString writes it.
  void String(std::string_view text);
  void Int(int64_t value) {
    fmt::format_int digits(value);
    Raw(std::string_view(digits.data(), digits.size()));
  }

  std::string_view view() const { return {buffer_.get(), size_}; }
  void Clear() { size_ = 0; }

 private:
  static constexpr size_t kInitialCapacity = 4096;

  // Where the next `n` bytes go, with room for them.
  char* Room(size_t n) { return capacity_ - size_ >= n ? buffer_.get() + size_ : Grow(n); }
  char* Grow(size_t n);

  std::unique_ptr<char[]> buffer_;
  size_t size_ = 0;
  size_t capacity_ = 0;
};

/// Standard base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view bytes);

}  // namespace rtpipe
