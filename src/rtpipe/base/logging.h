#pragma once
// Logging (spdlog) to stderr, and the live status line kept below the log on a terminal.
//
// Every component logs through its own named logger ("source", "capture", ...) so a line says who
// is speaking: `2026-11-26T11:11:23.123Z INFO  [capture] appended 500 records to users_created`.

#include <spdlog/spdlog.h>

#include <memory>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// Parses trace|debug|info|warn|error|off.
Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text);

/// Sets up the shared stderr sink and the level of every logger. Safe to call more than once.
void InitLogging(spdlog::level::level_enum level);

/// The logger of one component; created on first use, shares the stderr sink. Thread-safe.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& component);

/// The live status line. On a terminal it stays on the last line of stderr and log lines scroll
/// above it; otherwise each update is printed as an ordinary line. Thread-safe.
class StatusLine {
 public:
  static void Set(const std::string& text);
  static void Clear();
  static bool IsTerminal();
};

}  // namespace rtpipe
