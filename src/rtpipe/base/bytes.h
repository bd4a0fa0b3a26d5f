#pragma once
// Byte-level helpers of binary formats (the embedded log's files, the SQLite outbox's entries):
// big-endian fixed-width integers (Kafka's network order) and Kafka's zig-zag varints
// (protobuf-style base-128, least significant group first).
// The reader never reads past its end: every call checks the bounds and reports failure.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rtpipe {

inline void PutBe16(char* p, uint16_t v) {
  p[0] = static_cast<char>(v >> 8);
  p[1] = static_cast<char>(v);
}
inline void PutBe32(char* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v);
}
inline void PutBe64(char* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v);
}
inline uint16_t GetBe16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
inline uint32_t GetBe32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
inline uint64_t GetBe64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

inline void AppendBe16(std::string* out, uint16_t v) {
  char b[2];
  PutBe16(b, v);
  out->append(b, 2);
}
inline void AppendBe32(std::string* out, uint32_t v) {
  char b[4];
  PutBe32(b, v);
  out->append(b, 4);
}
inline void AppendBe64(std::string* out, uint64_t v) {
  char b[8];
  PutBe64(b, v);
  out->append(b, 8);
}

/// Appends a zig-zag varlong (at most 10 bytes); Kafka's varint is the same for 32-bit values.
inline void AppendVarlong(std::string* out, int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, static_cast<size_t>(n));
}
inline void AppendVarint(std::string* out, int32_t value) { AppendVarlong(out, value); }

/// Bytes a zig-zag varlong takes.
inline size_t VarlongSize(int64_t value) {
  uint64_t v = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

/// Bounds-checked sequential reader over untrusted bytes.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  size_t remaining() const { return static_cast<size_t>(end_ - p_); }
  const char* position() const { return p_; }

  bool ReadVarlong(int64_t* out) { return ReadZigZag(out, 10); }
  bool ReadVarint(int32_t* out) {
    int64_t v = 0;
    if (!ReadZigZag(&v, 5) || v < INT32_MIN || v > INT32_MAX) return false;
    *out = static_cast<int32_t>(v);
    return true;
  }
  bool ReadInt8(int8_t* out) {
    if (p_ == end_) return false;
    *out = static_cast<int8_t>(*p_++);
    return true;
  }
  bool ReadBytes(size_t n, std::string_view* out) {
    if (remaining() < n) return false;
    *out = std::string_view(p_, n);
    p_ += n;
    return true;
  }

 private:
  bool ReadZigZag(int64_t* out, int max_bytes) {
    uint64_t v = 0;
    for (int i = 0; i < max_bytes; ++i) {
      if (p_ == end_) return false;
      auto b = static_cast<uint8_t>(*p_++);
      if (i == 9 && b > 1) return false;  // more than 64 bits
      v |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
      if ((b & 0x80) == 0) {
        *out = static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
        return true;
      }
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

}  // namespace rtpipe
