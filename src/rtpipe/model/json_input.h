#pragma once
// Internal to model/: the simdjson plumbing shared by the user and message parsers.
// simdjson reads up to SIMDJSON_PADDING bytes past the end of its input, so untrusted bytes are
// first copied into a padded scratch buffer (one per thread and purpose, reused across calls).

#include <simdjson.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace rtpipe::model_internal {

/// A growable buffer whose bytes after the copied input are readable padding (zeros).
class PaddedScratch {
 public:
  /// Copies `input`; returns the copy. Valid until the next Fill.
  std::string_view Fill(std::string_view input) {
    size_t need = input.size() + simdjson::SIMDJSON_PADDING;
    if (need > capacity_) {
      capacity_ = need < 4096 ? 4096 : need + need / 2;
      data_ = std::make_unique_for_overwrite<char[]>(capacity_);
    }
    if (!input.empty()) std::memcpy(data_.get(), input.data(), input.size());
    std::memset(data_.get() + input.size(), 0, simdjson::SIMDJSON_PADDING);
    size_ = input.size();
    return {data_.get(), size_};
  }
  const char* data() const { return data_.get(); }
  /// Bytes readable from data(): the input plus at least SIMDJSON_PADDING.
  size_t capacity() const { return size_ + simdjson::SIMDJSON_PADDING; }

 private:
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t size_ = 0;
};

inline std::string_view JsonTypeName(simdjson::ondemand::json_type type) {
  using simdjson::ondemand::json_type;
  switch (type) {
    case json_type::array:
      return "array";
    case json_type::object:
      return "object";
    case json_type::number:
      return "number";
    case json_type::string:
      return "string";
    case json_type::boolean:
      return "boolean";
    case json_type::null:
      return "null";
  }
  return "unknown";
}

/// True when `text` is exactly one JSON number (RFC 8259 grammar).
inline bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  auto digit = [&](size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  if (i < text.size() && text[i] == '-') ++i;
  if (!digit(i)) return false;
  if (text[i] == '0') {
    ++i;
  } else {
    while (digit(i)) ++i;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == text.size();
}

inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

inline std::string_view TrimJsonSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace rtpipe::model_internal
