#pragma once
// LandingStore on SQLite (WAL mode): the embedded default.

#include <memory>
#include <string>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/landing/landing_store.h"

namespace rtpipe {

class SqliteLandingStore final : public LandingStore {
 public:
  /// Opens (creating) the database at `path`; `topic` and `dlq_topic` name the outbox's targets.
  static Result<std::unique_ptr<SqliteLandingStore>> Open(const std::string& path, std::string topic,
                                                          std::string dlq_topic);

  Result<RunId> BeginRun() override;
  Result<IngestState> LoadIngestState() override;
  Result<LandingCounts> Write(const LandingBatch& batch) override;
  bool NeedsParsedUsers() const override { return false; }  // it keeps the raw bytes, typed by a view

 private:
  SqliteLandingStore(std::unique_ptr<SqliteDb> db, SqliteStatement insert, SqliteStatement update,
                     SqliteStatement reject, SqliteStatement outbox, SqliteStatement state, std::string topic,
                     std::string dlq_topic)
      : db_(std::move(db)),
        insert_(std::move(insert)),
        update_(std::move(update)),
        reject_(std::move(reject)),
        outbox_(std::move(outbox)),
        state_(std::move(state)),
        topic_(std::move(topic)),
        dlq_topic_(std::move(dlq_topic)) {}

  enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };
  Result<UpsertOutcome> UpsertUser(const LandingUser& u, const std::string& ingested_at, RunId run);
  Status AppendOutbox(const std::string& topic, std::optional<std::string_view> key, std::string_view value,
                      Timestamp event_time, int64_t ingested_us);

  std::unique_ptr<SqliteDb> db_;
  SqliteStatement insert_;  // new person
  SqliteStatement update_;  // known person whose bytes changed
  SqliteStatement reject_;
  SqliteStatement outbox_;
  SqliteStatement state_;
  std::string topic_;
  std::string dlq_topic_;
};

}  // namespace rtpipe
