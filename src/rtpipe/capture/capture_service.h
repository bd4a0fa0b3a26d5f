#pragma once
// The capture stage: reads the landing store's changes in order and appends them to the log,
// committing its position only after the appends are durable. After a crash it resumes from the
// last commit; the replay guard drops re-appends, so every change is in the log exactly once.

#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/capture/change_feed.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/log.h"

namespace rtpipe {

struct CaptureMetrics {
  Counter captured;        // changes appended to the log
  Counter duplicates;      // re-appends dropped by the replay guard after a restart
  Gauge backlog;           // changes landed but not yet captured
  Counter empty_reads;     // rounds that found nothing to capture (drain detection)
  Histogram round_micros;  // one read-append-commit round
  Gauge retained_bytes;    // what the feed holds back on its source (PostgreSQL: the slot's WAL); -1: none
  Gauge lag_millis;        // how long landed changes have been waiting for capture
  Gauge lag_alarm;         // 1 while a configured lag limit (capture.max_slot_lag*) is exceeded
};

/// Owns nothing but its producer; runs on the caller's thread (Run).
class CaptureService {
 public:
  /// Resolves the topics' partition counts (creating the topics if missing) and loads the guard.
  static Result<std::unique_ptr<CaptureService>> Create(const Config& config, ChangeFeed& feed, Log& log,
                                                        CaptureMetrics& metrics);

  /// Captures until `stop` is requested or an error occurs (then returns it).
  Status Run(std::stop_token stop);

  /// Captures whatever is pending, once (tests and `--records` draining use Run; this is a step).
  /// Commits the position unless that would wait for the landing thread's writes, and fewer than
  /// kUncommittedRounds rounds are uncommitted; a round that finds nothing commits in any case.
  Result<size_t> RunOnce(std::stop_token stop, std::chrono::milliseconds wait);

 private:
  static constexpr int kUncommittedRounds = 4;

  CaptureService(const Config& config, ChangeFeed& feed, Log& log, CaptureMetrics& metrics)
      : config_(config), feed_(feed), log_(log), metrics_(metrics) {}

  // Commits appended_ if uncommitted; with `wait` false, only if the feed can without waiting.
  Status CommitAppended(bool wait);

  const Config& config_;
  ChangeFeed& feed_;
  Log& log_;
  CaptureMetrics& metrics_;
  std::unique_ptr<Producer> producer_;
  std::map<std::string, int> partitions_;  // topic -> partition count
  ReplayGuard guard_;
  CaptureCheckpoint committed_;  // durable in the feed
  CaptureCheckpoint appended_;   // durable in the log: committed_ plus the rounds since
  int64_t uncommitted_ = 0;      // changes read from the feed between committed_ and appended_
};

}  // namespace rtpipe
