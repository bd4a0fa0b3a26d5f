#pragma once
// The ingest stage: pulls users from the Source at the configured pace and lands them in the
// LandingStore, one transaction per batch that also records where the source continues. A
// restart resumes at that position, so no page is fetched twice and none is skipped.
//
// Threads: a fetch thread hands batches to the landing thread (Run's caller) through a bounded
// queue. The landing thread pauses while the capture backlog exceeds landing.max_outbox_backlog.

#include <memory>
#include <optional>
#include <stop_token>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"
#include "rtpipe/landing/landing_store.h"
#include "rtpipe/source/source.h"

namespace rtpipe {

struct IngestMetrics {
  Counter fetched;    // source records received
  Counter inserted;   // new people landed
  Counter updated;    // known people whose record changed
  Counter unchanged;  // known people fetched again, identical
  Counter rejected;   // records that could not be landed (sent to the dead-letter topic)
  Gauge total;        // source records taken since the data directory was created
  Gauge paused;       // 1 while waiting for capture to catch up (backpressure)
};

class IngestService {
 public:
  /// `record_limit`: stop after this many source records in total (since the store was created).
  /// `capture_backlog`: the capture stage's backlog gauge, for backpressure (may be null).
  static Result<std::unique_ptr<IngestService>> Create(const Config& config, Source& source, LandingStore& store,
                                                       IngestMetrics& metrics, std::optional<int64_t> record_limit,
                                                       const Gauge* capture_backlog);
  ~IngestService();

  /// Ingests until `stop`, the record limit, or a non-retryable error (returned).
  Status Run(std::stop_token stop);

  /// True once the record limit has been reached and landed.
  bool Finished() const;

 private:
  struct Impl;
  explicit IngestService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rtpipe
