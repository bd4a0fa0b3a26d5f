#pragma once
// GeneratorSource: the offline source. Users come from the generator as per-record texts (so
// `malformed` records can occur, at source.bad_rate), delivered as the HTTP source delivers the
// API's: as bytes, which their consumer parses with ParseUser.
//
// Event time is a clock derived from seed and page, so two runs with the same seed give the same
// event times: page p starts at 2026-01-01T00:00:00Z + (p-1) * source.interval, and user i of the
// page is at + i * (source.interval / source.results) (the step in whole microseconds). An
// unpaged source (seed "") stamps records with the clock's time instead.
//
// Fetch never sleeps: pacing (source.interval between requests) is the caller's job.

#include <string>
#include <vector>

#include "rtpipe/source/generator.h"
#include "rtpipe/source/source.h"

namespace rtpipe {

class GeneratorSource final : public Source {
 public:
  GeneratorSource(const SourceConfig& config, const Clock& clock);

  Result<SourceBatch> Fetch(const SourcePosition& position, int max_users, std::stop_token stop) override;
  const SourceMetrics& metrics() const override { return metrics_; }

 private:
  const SourceConfig config_;
  const Clock& clock_;
  const Generator generator_;
  std::vector<std::string> nats_;
  SourceMetrics metrics_;
};

}  // namespace rtpipe
