#pragma once
// The primitive notations of the CQL native protocol v4 (doc/native_protocol_v4.spec §3), big-endian:
//
//   [byte] 1 B   [short] 2 B unsigned   [int] 4 B signed   [long] 8 B signed
//   [string]       [short] n, n bytes of UTF-8          [long string] [int] n, n bytes of UTF-8
//   [bytes]        [int] n, n bytes; n < 0 is null      [short bytes] [short] n, n bytes
//   [value]        [int] n, n bytes; -1 null, -2 "not set" (requests only)
//   [string list]  [short] n, n [string]                [string map]  [short] n, n × <[string][string]>
//   [string multimap] [short] n, n × <[string][string list]>
//   [bytes map]    [short] n, n × <[string][bytes]>
//   [inet]         [byte] n (4 or 16), n address bytes, [int] port
//   [uuid]         16 bytes
//
// CqlWriter appends to a byte string; CqlReader reads from a borrowed span and never reads past it:
// every read of malformed or truncated input returns a Corruption status naming what was being read.
// Neither is thread-safe; both are cheap value types.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"

namespace rtpipe::cql {

/// Appends protocol primitives to `out`.
class CqlWriter {
 public:
  explicit CqlWriter(std::string& out) : out_(out) {}

  void Byte(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void Short(uint16_t v);
  void Int(int32_t v);
  void Long(int64_t v);
  void Raw(std::string_view bytes) { out_.append(bytes); }
  /// [string]; the caller guarantees s.size() <= 65535 (RTPIPE_ASSERT otherwise).
  void String(std::string_view s);
  void LongString(std::string_view s);
  void Bytes(std::string_view b);
  void NullBytes() { Int(-1); }
  void ShortBytes(std::string_view b);
  void StringList(const std::vector<std::string>& list);
  void StringMap(const std::vector<std::pair<std::string, std::string>>& map);

  /// Position of the next byte, for later patching with PatchInt.
  size_t position() const { return out_.size(); }
  void PatchInt(size_t at, int32_t v);

 private:
  std::string& out_;
};

/// Reads protocol primitives from `data` (borrowed; must outlive the reader and its string_views).
class CqlReader {
 public:
  explicit CqlReader(std::string_view data) : data_(data) {}

  Result<uint8_t> Byte();
  Result<uint16_t> Short();
  Result<int32_t> Int();
  Result<int64_t> Long();
  /// Exactly n raw bytes.
  Result<std::string_view> Raw(size_t n);
  Result<std::string_view> String();
  Result<std::string_view> LongString();
  /// [bytes]; `is_null` (optional) is set for a negative length, and the view is then empty.
  Result<std::string_view> Bytes(bool* is_null = nullptr);
  Result<std::string_view> ShortBytes();
  Result<std::vector<std::string>> StringList();
  Result<std::vector<std::pair<std::string, std::string>>> StringMap();
  Result<std::map<std::string, std::vector<std::string>>> StringMultimap();
  Result<std::vector<std::pair<std::string, std::string>>> BytesMap();
  /// [inet] as "a.b.c.d:port" or "[v6]:port".
  Result<std::string> Inet();
  Result<std::array<uint8_t, 16>> Uuid();

  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool AtEnd() const { return pos_ == data_.size(); }
  /// The unread rest of the input.
  std::string_view Rest() const { return data_.substr(pos_); }

 private:
  Status Truncated(std::string_view what, size_t need) const;

  std::string_view data_;
  size_t pos_ = 0;
};

/// Big-endian loads and stores shared by the codec.
inline uint16_t LoadU16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline uint32_t LoadU32(const char* p) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(p[0])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(p[2])) << 8) | static_cast<uint32_t>(static_cast<uint8_t>(p[3]));
}
inline uint64_t LoadU64(const char* p) {
  return (static_cast<uint64_t>(LoadU32(p)) << 32) | static_cast<uint64_t>(LoadU32(p + 4));
}
inline void StoreU16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
inline void StoreU32(char* p, uint32_t v) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}
inline void StoreU64(char* p, uint64_t v) {
  StoreU32(p, static_cast<uint32_t>(v >> 32));
  StoreU32(p + 4, static_cast<uint32_t>(v));
}

}  // namespace rtpipe::cql
