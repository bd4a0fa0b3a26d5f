#include "rtpipe/sink/cassandra/wire.h"

#include <fmt/format.h>

#include <cstring>

namespace rtpipe::cql {

void CqlWriter::Short(uint16_t v) {
  char b[2];
  StoreU16(b, v);
  out_.append(b, 2);
}

void CqlWriter::Int(int32_t v) {
  char b[4];
  StoreU32(b, static_cast<uint32_t>(v));
  out_.append(b, 4);
}

void CqlWriter::Long(int64_t v) {
  char b[8];
  StoreU64(b, static_cast<uint64_t>(v));
  out_.append(b, 8);
}

void CqlWriter::String(std::string_view s) {
  RTPIPE_ASSERT(s.size() <= 0xFFFF, "[string] of {} bytes", s.size());
  Short(static_cast<uint16_t>(s.size()));
  out_.append(s);
}

void CqlWriter::LongString(std::string_view s) {
  RTPIPE_ASSERT(s.size() <= 0x7FFFFFFF, "[long string] of {} bytes", s.size());
  Int(static_cast<int32_t>(s.size()));
  out_.append(s);
}

void CqlWriter::Bytes(std::string_view b) {
  RTPIPE_ASSERT(b.size() <= 0x7FFFFFFF, "[bytes] of {} bytes", b.size());
  Int(static_cast<int32_t>(b.size()));
  out_.append(b);
}

void CqlWriter::ShortBytes(std::string_view b) {
  RTPIPE_ASSERT(b.size() <= 0xFFFF, "[short bytes] of {} bytes", b.size());
  Short(static_cast<uint16_t>(b.size()));
  out_.append(b);
}

void CqlWriter::StringList(const std::vector<std::string>& list) {
  RTPIPE_ASSERT(list.size() <= 0xFFFF);
  Short(static_cast<uint16_t>(list.size()));
  for (const auto& s : list) String(s);
}

void CqlWriter::StringMap(const std::vector<std::pair<std::string, std::string>>& map) {
  RTPIPE_ASSERT(map.size() <= 0xFFFF);
  Short(static_cast<uint16_t>(map.size()));
  for (const auto& [k, v] : map) {
    String(k);
    String(v);
  }
}

void CqlWriter::PatchInt(size_t at, int32_t v) {
  RTPIPE_ASSERT(at + 4 <= out_.size());
  StoreU32(out_.data() + at, static_cast<uint32_t>(v));
}

Status CqlReader::Truncated(std::string_view what, size_t need) const {
  return Status::Corruption("truncated CQL message: {} needs {} bytes at offset {}, {} left", what, need, pos_,
                            remaining());
}

Result<uint8_t> CqlReader::Byte() {
  if (remaining() < 1) return Truncated("[byte]", 1);
  return static_cast<uint8_t>(data_[pos_++]);
}

Result<uint16_t> CqlReader::Short() {
  if (remaining() < 2) return Truncated("[short]", 2);
  uint16_t v = LoadU16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

Result<int32_t> CqlReader::Int() {
  if (remaining() < 4) return Truncated("[int]", 4);
  auto v = static_cast<int32_t>(LoadU32(data_.data() + pos_));
  pos_ += 4;
  return v;
}

Result<int64_t> CqlReader::Long() {
  if (remaining() < 8) return Truncated("[long]", 8);
  auto v = static_cast<int64_t>(LoadU64(data_.data() + pos_));
  pos_ += 8;
  return v;
}

Result<std::string_view> CqlReader::Raw(size_t n) {
  if (remaining() < n) return Truncated("raw bytes", n);
  auto v = data_.substr(pos_, n);
  pos_ += n;
  return v;
}

Result<std::string_view> CqlReader::String() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  if (remaining() < n) return Truncated("[string]", n);
  return Raw(n);
}

Result<std::string_view> CqlReader::LongString() {
  RTPIPE_ASSIGN_OR_RETURN(int32_t n, Int());
  if (n < 0) return Status::Corruption("[long string] with negative length {} at offset {}", n, pos_ - 4);
  if (remaining() < static_cast<size_t>(n)) return Truncated("[long string]", static_cast<size_t>(n));
  return Raw(static_cast<size_t>(n));
}

Result<std::string_view> CqlReader::Bytes(bool* is_null) {
  RTPIPE_ASSIGN_OR_RETURN(int32_t n, Int());
  if (is_null != nullptr) *is_null = n < 0;
  if (n < 0) return std::string_view();
  if (remaining() < static_cast<size_t>(n)) return Truncated("[bytes]", static_cast<size_t>(n));
  return Raw(static_cast<size_t>(n));
}

Result<std::string_view> CqlReader::ShortBytes() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  if (remaining() < n) return Truncated("[short bytes]", n);
  return Raw(n);
}

Result<std::vector<std::string>> CqlReader::StringList() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  // Each [string] takes at least 2 bytes: a count larger than that is a lie; refuse before allocating.
  if (static_cast<size_t>(n) * 2 > remaining()) return Truncated("[string list]", static_cast<size_t>(n) * 2);
  std::vector<std::string> list;
  list.reserve(n);
  for (uint16_t i = 0; i < n; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(auto s, String());
    list.emplace_back(s);
  }
  return list;
}

Result<std::vector<std::pair<std::string, std::string>>> CqlReader::StringMap() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  if (static_cast<size_t>(n) * 4 > remaining()) return Truncated("[string map]", static_cast<size_t>(n) * 4);
  std::vector<std::pair<std::string, std::string>> map;
  map.reserve(n);
  for (uint16_t i = 0; i < n; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(auto k, String());
    RTPIPE_ASSIGN_OR_RETURN(auto v, String());
    map.emplace_back(std::string(k), std::string(v));
  }
  return map;
}

Result<std::map<std::string, std::vector<std::string>>> CqlReader::StringMultimap() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  if (static_cast<size_t>(n) * 4 > remaining()) return Truncated("[string multimap]", static_cast<size_t>(n) * 4);
  std::map<std::string, std::vector<std::string>> map;
  for (uint16_t i = 0; i < n; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(auto k, String());
    RTPIPE_ASSIGN_OR_RETURN(auto v, StringList());
    map[std::string(k)] = std::move(v);
  }
  return map;
}

Result<std::vector<std::pair<std::string, std::string>>> CqlReader::BytesMap() {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t n, Short());
  if (static_cast<size_t>(n) * 6 > remaining()) return Truncated("[bytes map]", static_cast<size_t>(n) * 6);
  std::vector<std::pair<std::string, std::string>> map;
  map.reserve(n);
  for (uint16_t i = 0; i < n; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(auto k, String());
    RTPIPE_ASSIGN_OR_RETURN(auto v, Bytes());
    map.emplace_back(std::string(k), std::string(v));
  }
  return map;
}

Result<std::string> CqlReader::Inet() {
  RTPIPE_ASSIGN_OR_RETURN(uint8_t n, Byte());
  if (n != 4 && n != 16) return Status::Corruption("[inet] address of {} bytes (must be 4 or 16)", n);
  RTPIPE_ASSIGN_OR_RETURN(auto addr, Raw(n));
  RTPIPE_ASSIGN_OR_RETURN(int32_t port, Int());
  auto u = [&](size_t i) { return static_cast<unsigned>(static_cast<uint8_t>(addr[i])); };
  if (n == 4) return fmt::format("{}.{}.{}.{}:{}", u(0), u(1), u(2), u(3), port);
  std::string text = "[";
  for (size_t i = 0; i < 16; i += 2) {
    if (i > 0) text += ':';
    text += fmt::format("{:x}", (u(i) << 8) | u(i + 1));
  }
  return fmt::format("{}]:{}", text, port);
}

Result<std::array<uint8_t, 16>> CqlReader::Uuid() {
  RTPIPE_ASSIGN_OR_RETURN(auto raw, Raw(16));
  std::array<uint8_t, 16> out{};
  std::memcpy(out.data(), raw.data(), 16);
  return out;
}

}  // namespace rtpipe::cql
