#pragma once
// The composition root of `rtpipe run`: builds the stages named by the config, starts them (each
// on its own threads) in order — process, capture, ingest — watches them, shows the live status
// line, and stops them in reverse order.

#include <memory>
#include <optional>
#include <stop_token>
#include <string_view>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"

namespace rtpipe {

enum class Role { kAll, kIngest, kCapture, kProcess };
Result<Role> ParseRole(std::string_view text);

/// `--replay --from`: the start of a backfill.
struct ReplayStart {
  enum class Kind { kBeginning, kTime, kOffset } kind = Kind::kBeginning;
  Timestamp time{};    // kTime: the first offset at or after this event time, in each partition
  int64_t offset = 0;  // kOffset: this offset in each partition
};
/// "beginning", an ISO-8601 time ("2026-01-01T00:00:00Z") or an offset ("12000").
Result<ReplayStart> ParseReplayStart(std::string_view text);

struct PipelineOptions {
  Role role = Role::kAll;
  /// Reprocess the log from here into the store (only the process stage runs, as the consumer group
  /// "<process.group>.replay"), then stop.
  std::optional<ReplayStart> replay;
  /// Stop once this many source records (since the data directory was created) have reached the
  /// analytics store or the dead-letter topic. Only with role all.
  std::optional<int64_t> record_limit;
};

class Pipeline {
 public:
  static Result<std::unique_ptr<Pipeline>> Open(const Config& config, const PipelineOptions& options);
  ~Pipeline();

  /// Runs until `stop` is requested, the record limit has drained through every stage, or a stage
  /// fails (its error is returned after the others have stopped).
  Status Run(std::stop_token stop);

  /// Source-to-store latency of this run's records, in microseconds.
  const Histogram& LatencyMicros() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtpipe
