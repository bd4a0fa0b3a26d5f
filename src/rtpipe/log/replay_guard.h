#pragma once
// ReplayGuard: exactly-once appends for a producer that resumes from its last durable commit.
//
// A producer stage (capture, the processor's dead letters) commits its input position durably
// after its appends are durable. A crash between append and commit makes it re-append on restart.
// To absorb that, every record it appends carries the header `rtpipe.src` = a stable id of its
// origin ("outbox:1234", "users_created/2@5678"), and each commit also stores the log end offsets
// of the partitions it writes, read right after its appends became durable. On restart the guard
// reads the records at or after those offsets — only they can be re-appends — and the producer
// skips any record whose id is already there. Bounded (what the producer appended since its last
// commit: a few rounds at most), exact, and it works with other producers writing to the same topics.

#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/log/log.h"

namespace rtpipe {

inline constexpr std::string_view kSourceIdHeader = "rtpipe.src";
inline constexpr std::string_view kIngestedMicrosHeader = "rtpipe.ingested_us";

using LogEnds = std::map<TopicPartition, Offset>;

/// The end offset of every partition of `topics`.
Result<LogEnds> CurrentLogEnds(Log& log, const std::vector<std::string>& topics);

/// LogEnds as compact JSON ({"topic":{"0":123,"1":456}}) for storing in a checkpoint, and back.
std::string EncodeLogEnds(const LogEnds& ends);
Result<LogEnds> DecodeLogEnds(std::string_view json);

class ReplayGuard {
 public:
  ReplayGuard() = default;

  /// Reads the records of `topics` from `committed_ends` (a partition absent there: from its
  /// start) to the current end, keeping the ids that start with `id_prefix`. Waits for a log that
  /// returns nothing (a broker restarting); Unavailable after 2 minutes of that.
  static Result<ReplayGuard> Load(Log& log, const std::vector<std::string>& topics, const LogEnds& committed_ends,
                                  std::string_view id_prefix);

  bool AlreadyAppended(const std::string& id) const { return !ids_.empty() && ids_.contains(id); }
  /// Adds the ids another Load found (e.g. for a partition this producer has just taken over).
  void Absorb(ReplayGuard other) { ids_.merge(other.ids_); }

  /// At most the producer's uncommitted rounds: small enough to keep until the next restart.
  size_t size() const { return ids_.size(); }

 private:
  std::unordered_set<std::string> ids_;
};

}  // namespace rtpipe
