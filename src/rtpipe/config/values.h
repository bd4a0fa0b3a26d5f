#pragma once
// Parsers for the value types that config keys and flags take. Each error says what was expected.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// Decimal integer within [min, max].
Result<int64_t> ParseInt(std::string_view text, int64_t min, int64_t max);
/// Decimal number within [min, max].
Result<double> ParseDouble(std::string_view text, double min, double max);
/// true/false, yes/no, on/off, 1/0.
Result<bool> ParseBool(std::string_view text);
/// "250ms", "5s", "2m", "1h", "7d", "0"; combinations such as "1m30s" too.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
/// "4096", "64KiB", "128MiB", "1GiB", "10MB" (decimal units), "-1" meaning unlimited.
Result<int64_t> ParseByteSize(std::string_view text);
/// One of `allowed`, compared exactly.
Result<std::string> ParseEnum(std::string_view text, std::initializer_list<std::string_view> allowed);

/// "5s" for 5000 ms, "250ms" for 250 ms: the inverse of ParseDuration for round values.
std::string DurationText(std::chrono::milliseconds d);
/// "128MiB" for 134217728: the inverse of ParseByteSize for round values.
std::string ByteSizeText(int64_t bytes);

}  // namespace rtpipe
