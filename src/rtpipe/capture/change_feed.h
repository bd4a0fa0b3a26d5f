#pragma once
// The ChangeFeed seam: the ordered changes of the landing store, as the capture stage reads them.
// Implementations: the SQLite outbox (`sqlite:` landing) and PostgreSQL logical replication.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/replay_guard.h"

namespace rtpipe {

/// One change to publish.
struct Change {
  std::string id;  // stable origin id, unique per change ("outbox:1234")
  std::string topic;
  std::optional<std::string> key;
  std::string value;
  Timestamp event_time{};
  int64_t ingested_us = 0;  // wall-clock microseconds when it was landed
};

/// The capture stage's durable state.
struct CaptureCheckpoint {
  std::string position;  // opaque to the capture stage: everything up to it is in the log
  LogEnds log_ends;      // the log's end offsets right after those appends were durable
};

/// What a feed holds back on its source for the changes not yet committed, for the status line
/// and alarms (PostgreSQL: the WAL its replication slot retains).
struct FeedLag {
  int64_t bytes = -1;  // retained on the source; -1: the feed retains nothing beyond its backlog
  int64_t millis = 0;  // how long landed changes have been waiting for capture
  bool alarm = false;  // a configured limit is exceeded
};

/// Used by one capture thread.
class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;

  /// The last committed checkpoint (empty position before the first commit).
  virtual Result<CaptureCheckpoint> LoadCheckpoint() = 0;
  /// Up to `max` changes after `position`, in order (more only where a feed cannot split its unit:
  /// the SQLite outbox reads whole rows); waits up to `wait` for the first one.
  /// Returns the changes and the position just after the last of them.
  virtual Result<std::pair<std::vector<Change>, std::string>> Read(const std::string& position, int max,
                                                                   std::chrono::milliseconds wait,
                                                                   std::stop_token stop) = 0;
  /// Makes the checkpoint durable; changes up to its position may be discarded.
  virtual Status Commit(const CaptureCheckpoint& checkpoint) = 0;
  /// Commit, unless that would wait for the landing store's writers: then false, and nothing is
  /// committed. (A feed whose commits never wait for them just commits.)
  virtual Result<bool> TryCommit(const CaptureCheckpoint& checkpoint) {
    RTPIPE_RETURN_IF_ERROR(Commit(checkpoint));
    return true;
  }
  /// Changes not yet committed, for the status line (-1 if unknown).
  virtual Result<int64_t> Backlog() = 0;
  /// The prefix of every Change::id of this feed (the replay guard keeps only such ids).
  virtual std::string_view IdPrefix() const { return "outbox:"; }
  /// The lag as of the last Backlog() call.
  virtual FeedLag Lag() const { return {}; }
};

/// The change feed of the landing store named by `landing.url`.
Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const Config& config);

}  // namespace rtpipe
