#pragma once
// PgLsn: a PostgreSQL write-ahead-log position (XLogRecPtr), written the way the server writes it
// ("16/B374D848": the high and low 32 bits in upper-case hex).

#include <fmt/format.h>

#include <charconv>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"

namespace rtpipe {

struct PgLsn {
  uint64_t value = 0;  // 0 is InvalidXLogRecPtr: "no position"

  bool valid() const { return value != 0; }
  friend auto operator<=>(const PgLsn&, const PgLsn&) = default;
};

inline std::string FormatLsn(PgLsn lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn.value >> 32), static_cast<uint32_t>(lsn.value));
}

/// Parses "X/Y" (hex halves, any case) as the server prints it.
inline Result<PgLsn> ParseLsn(std::string_view text) {
  size_t slash = text.find('/');
  uint32_t hi = 0, lo = 0;
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size() || slash > 8 ||
      text.size() - slash - 1 > 8) {
    return Status::InvalidArgument("\"{}\" is not a PostgreSQL LSN (expected X/Y in hex)", text);
  }
  auto a = std::from_chars(text.data(), text.data() + slash, hi, 16);
  auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), lo, 16);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size()) {
    return Status::InvalidArgument("\"{}\" is not a PostgreSQL LSN (expected X/Y in hex)", text);
  }
  return PgLsn{(uint64_t{hi} << 32) | lo};
}

}  // namespace rtpipe
