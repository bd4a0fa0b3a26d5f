#pragma once
// Wall-clock timestamps (millisecond precision, as Kafka and the API use) and the Clock seam.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"

namespace rtpipe {

using Timestamp = std::chrono::time_point<std::chrono::system_clock, std::chrono::milliseconds>;
using MonoTime = std::chrono::steady_clock::time_point;
using Duration = std::chrono::nanoseconds;

inline Timestamp TimestampFromMillis(int64_t ms) { return Timestamp(std::chrono::milliseconds(ms)); }
inline int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }

/// Wall-clock microseconds since the Unix epoch (for latency tracing across processes).
int64_t WallMicros();

/// "2024-03-08T15:13:16.688Z" (always UTC, always milliseconds), as the randomuser.me API writes dates.
std::string FormatIso8601(Timestamp t);

/// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" or with a "+hh:mm"/"-hh:mm" offset. Rejects anything else,
/// including impossible dates (2023-02-30).
Result<Timestamp> ParseIso8601(std::string_view text);

/// "1.5s", "250ms", "3m12s": a human rendering of a duration for logs and the status line.
std::string FormatDuration(Duration d);

/// The time seam: production code asks a Clock, tests substitute a ManualClock.
/// Thread-safe: all methods may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
  virtual MonoTime Monotonic() const = 0;

  /// The process-wide real clock.
  static const Clock& System();
};

/// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : now_ms_(ToMillis(start)) {}
  Timestamp Now() const override { return TimestampFromMillis(now_ms_.load()); }
  MonoTime Monotonic() const override { return MonoTime(std::chrono::milliseconds(now_ms_.load())); }
  void Advance(std::chrono::milliseconds d) { now_ms_ += d.count(); }

 private:
  std::atomic<int64_t> now_ms_;
};

}  // namespace rtpipe
