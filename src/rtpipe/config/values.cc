#include "rtpipe/config/values.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace rtpipe {

Result<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::InvalidArgument("expected an integer between {} and {}", min, max);
  }
  if (value < min || value > max) {
    return Status::InvalidArgument("expected an integer between {} and {}", min, max);
  }
  return value;
}

Result<double> ParseDouble(std::string_view text, double min, double max) {
  std::string copy(text);
  char* end = nullptr;
  double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value) || value < min || value > max) {
    return Status::InvalidArgument("expected a number between {} and {}", min, max);
  }
  return value;
}

Result<bool> ParseBool(std::string_view text) {
  if (text == "true" || text == "yes" || text == "on" || text == "1") return true;
  if (text == "false" || text == "no" || text == "off" || text == "0") return false;
  return Status::InvalidArgument("expected true or false");
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [] { return Status::InvalidArgument("expected a duration such as 250ms, 5s, 2m, 1h or 7d"); };
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return bad();
  int64_t total_ms = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    if (pos == start) return bad();
    int64_t number = 0;
    std::from_chars(text.data() + start, text.data() + pos, number);
    size_t unit_start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string_view unit = text.substr(unit_start, pos - unit_start);
    int64_t scale = 0;
    if (unit == "ms")
      scale = 1;
    else if (unit == "s")
      scale = 1000;
    else if (unit == "m")
      scale = 60'000;
    else if (unit == "h")
      scale = 3'600'000;
    else if (unit == "d")
      scale = 86'400'000;
    else
      return bad();
    if (number > std::numeric_limits<int64_t>::max() / scale / 2) return bad();
    total_ms += number * scale;
  }
  return std::chrono::milliseconds(total_ms);
}

Result<int64_t> ParseByteSize(std::string_view text) {
  auto bad = [] {
    return Status::InvalidArgument("expected a size such as 4096, 64KiB, 128MiB or 1GiB (-1: unlimited)");
  };
  if (text == "-1") return int64_t{-1};
  size_t pos = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == 0) return bad();
  int64_t number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + pos, number);
  if (ec != std::errc()) return bad();
  std::string_view unit = text.substr(pos);
  int64_t scale = 0;
  if (unit.empty() || unit == "B")
    scale = 1;
  else if (unit == "KiB")
    scale = int64_t{1} << 10;
  else if (unit == "MiB")
    scale = int64_t{1} << 20;
  else if (unit == "GiB")
    scale = int64_t{1} << 30;
  else if (unit == "TiB")
    scale = int64_t{1} << 40;
  else if (unit == "KB" || unit == "kB")
    scale = 1000;
  else if (unit == "MB")
    scale = 1000 * 1000;
  else if (unit == "GB")
    scale = 1000 * 1000 * 1000;
  else
    return bad();
  if (number > std::numeric_limits<int64_t>::max() / scale) return bad();
  return number * scale;
}

Result<std::string> ParseEnum(std::string_view text, std::initializer_list<std::string_view> allowed) {
  std::string list;
  for (auto a : allowed) {
    if (a == text) return std::string(text);
    if (!list.empty()) list += ", ";
    list += a;
  }
  return Status::InvalidArgument("expected one of: {}", list);
}

std::string DurationText(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms == 0) return "0";
  if (ms % 86'400'000 == 0) return fmt::format("{}d", ms / 86'400'000);
  if (ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string ByteSizeText(int64_t bytes) {
  if (bytes < 0) return "-1";
  if (bytes == 0) return "0";
  for (auto [shift, unit] : {std::pair{40, "TiB"}, {30, "GiB"}, {20, "MiB"}, {10, "KiB"}}) {
    int64_t scale = int64_t{1} << shift;
    if (bytes % scale == 0) return fmt::format("{}{}", bytes / scale, unit);
  }
  return std::to_string(bytes);
}

}  // namespace rtpipe
