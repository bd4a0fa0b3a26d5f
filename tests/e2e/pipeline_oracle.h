#pragma once
// The oracle of the end-to-end tests: what the analytics store and the dead-letter topic must hold
// after a run, computed straight from the source (the same seed and pages) and the documented
// rules; and readers of what a run actually left behind.

#include <map>
#include <string>
#include <vector>

#include "rtpipe/config/config.h"
#include "rtpipe/model/created_user.h"

namespace rtpipe::testing {

struct DeadLetterSummary {
  std::string reason;
  std::string stage;
  std::string original;  // decoded from original / original_base64
  friend bool operator<(const DeadLetterSummary& a, const DeadLetterSummary& b) {
    return std::tie(a.reason, a.stage, a.original) < std::tie(b.reason, b.stage, b.original);
  }
  friend bool operator==(const DeadLetterSummary&, const DeadLetterSummary&) = default;
};

struct PipelineOutcome {
  std::map<std::string, CreatedUser> rows;      // by id
  std::vector<DeadLetterSummary> dead_letters;  // sorted
  int64_t row_count = 0;                        // rows in the table (duplicates would show here)
};

/// What `records` source records of `config` must become.
PipelineOutcome ExpectedOutcome(const Config& config, int64_t records);

/// What the run under `dir` (using `config`'s stores) left in the analytics store and the DLQ.
/// The store is SQLite, or Cassandra when sink.url is cassandra:// (read at sink.consistency).
PipelineOutcome ActualOutcome(const Config& config);

/// Fails the current test where `actual` differs from `expected` (naming the first few rows).
void ExpectSameOutcome(const PipelineOutcome& expected, const PipelineOutcome& actual);

}  // namespace rtpipe::testing
