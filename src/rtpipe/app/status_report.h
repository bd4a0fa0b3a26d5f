#pragma once
// The live status line of `rtpipe run`: one segment per running stage with its rate and totals,
// the processor's lag and dead letters, and source-to-store latency.

#include <cstdint>
#include <string>

#include "rtpipe/base/time.h"
#include "rtpipe/capture/capture_service.h"
#include "rtpipe/config/config.h"
#include "rtpipe/landing/ingest_service.h"
#include "rtpipe/log/log.h"
#include "rtpipe/process/process_service.h"

namespace rtpipe {

/// "950", "12.3k", "4.57M".
std::string HumanCount(double value);

/// Not thread-safe: the pipeline's watch loop owns it. Null pointers are stages not running here.
class StatusReport {
 public:
  StatusReport(const Config& config, Log* log, const IngestMetrics* ingest, const CaptureMetrics* capture,
               const ProcessMetrics* process, const ProcessService* process_service);

  /// Recomputes rates since the last call and shows the line (StatusLine). On a terminal every
  /// call redraws it; otherwise a line is printed at most every 10 s.
  void Update();
  /// The line as last computed.
  const std::string& line() const { return line_; }

 private:
  std::string Compose(double seconds);

  const Config& config_;
  Log* log_;
  const IngestMetrics* ingest_;
  const CaptureMetrics* capture_;
  const ProcessMetrics* process_;
  const ProcessService* process_service_;
  MonoTime last_ = Clock::System().Monotonic();
  MonoTime last_printed_{};
  uint64_t last_fetched_ = 0, last_captured_ = 0, last_committed_ = 0;
  std::string line_;
};

}  // namespace rtpipe
