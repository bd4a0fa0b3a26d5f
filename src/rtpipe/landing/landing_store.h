#pragma once
// The LandingStore seam: the operational (OLTP) store where users land, one row per person
// (upsert by login.uuid), written in batches of one transaction each. Implementations: SQLite
// (`sqlite:` URLs) and PostgreSQL (`postgresql://`).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/strong_id.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/model/user.h"
#include "rtpipe/source/source.h"

namespace rtpipe {

/// A user to land, with the users_created message the capture stage will publish for it.
struct LandingUser {
  std::string key;  // login.uuid
  std::string raw;  // the record's bytes as received
  Timestamp event_time{};
  std::string message;         // users_created JSON
  const User* user = nullptr;  // the parsed record, for a store that NeedsParsedUsers(); null otherwise
  int64_t ingested_us = 0;     // wall-clock microseconds when it was fetched (latency tracing); 0: when landed
};

/// When a record to land arrived (LandingUser/LandingReject::ingested_us), or `landed_us` for one
/// that does not say.
inline int64_t ArrivedMicros(int64_t ingested_us, int64_t landed_us) {
  return ingested_us != 0 ? ingested_us : landed_us;
}

/// A LandingUser that points to `user`, as a store that NeedsParsedUsers() is given it.
inline LandingUser LandingUserOf(const User& user, std::string raw, Timestamp event_time, std::string message) {
  return {user.login.uuid, std::move(raw), event_time, std::move(message), &user};
}

/// A source record that cannot be landed (no usable key, unparseable): it goes to the dead-letter
/// topic through the same transactional outbox, so it is published exactly once too.
struct LandingReject {
  std::string source_key;  // identity of the rejected record: position + hash of its bytes
  std::optional<std::string> key;
  std::string dead_letter;  // DeadLetterJson
  Timestamp event_time{};
  int64_t ingested_us = 0;  // as LandingUser::ingested_us
};

/// Everything one ingest round writes, atomically.
struct LandingBatch {
  RunId run;
  std::vector<LandingUser> users;
  std::vector<LandingReject> rejects;
  SourcePosition next_position;  // where the source continues after this batch
  int64_t source_records = 0;    // records this batch took from the source (users + rejects)
};

/// What the landing store remembers about ingest.
struct IngestState {
  std::optional<SourcePosition> position;  // nullopt before the first batch
  int64_t source_records = 0;              // total records taken from the source so far
};

struct LandingCounts {
  int64_t inserted = 0;   // new people
  int64_t updated = 0;    // known people whose record changed
  int64_t unchanged = 0;  // known people fetched again with identical bytes
  int64_t rejected = 0;   // new rejected records (sent to the dead-letter topic)
};

/// Used by one ingest thread. Topic names come from the config given at Open.
class LandingStore {
 public:
  virtual ~LandingStore() = default;

  /// Starts an ingest run (recorded with each row it lands) and returns its id.
  virtual Result<RunId> BeginRun() = 0;
  virtual Result<IngestState> LoadIngestState() = 0;

  /// One transaction: upsert the users by login.uuid (a row changes only when its bytes changed),
  /// record the rejects by source key, append an outbox entry for every inserted or changed user and
  /// every new reject, and store the source position and record count. All of it, or nothing.
  virtual Result<LandingCounts> Write(const LandingBatch& batch) = 0;

  /// Whether Write reads LandingUser::user, the parsed record. Ingest drops the parsed records of a
  /// store that does not as soon as each user's message is built, rather than keeping them until the
  /// batch is landed: queued users then hold only their key, bytes and message.
  virtual bool NeedsParsedUsers() const = 0;
};

/// Where the capture stage that reads the store runs.
enum class CaptureRuns { kElsewhere, kInThisProcess };

/// Opens the store named by `landing.url` (schema created or migrated on open). With capture in
/// this process, the SQLite store puts its commits on disk in background, and that capture reads
/// only what is on disk (SqliteLandingStore::Durability::kBeforeCapture); PostgreSQL commits
/// durably either way.
Result<std::unique_ptr<LandingStore>> OpenLandingStore(const Config& config,
                                                       CaptureRuns capture = CaptureRuns::kElsewhere);

}  // namespace rtpipe
