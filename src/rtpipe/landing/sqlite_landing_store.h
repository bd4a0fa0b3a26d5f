#pragma once
// LandingStore on SQLite (WAL mode): the embedded default.

#include <memory>
#include <string>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/landing/landing_store.h"
#include "rtpipe/landing/sqlite_outbox_entries.h"

namespace rtpipe {

/// Creates the landing schema (sqlite_landing_schema.h) in `db`, or brings an older one to this
/// version. Both the landing store and the capture stage's outbox feed call it when they open.
Status OpenLandingSchema(SqliteDb& db);

class SqliteLandingStore final : public LandingStore {
 public:
  /// When a Write is on disk.
  enum class Durability {
    kAtCommit,  // when Write returns
    // After Write returns, on the "wal-sync" thread (SqliteDb::SyncInBackground), so the landing
    // thread goes on with the next batch while the disk takes the last. The outbox feed of the
    // process (capture) reads only changes already on disk. Only for a process that runs capture
    // too: a feed in another process would read changes a power loss could still take back.
    kBeforeCapture,
  };

  /// Opens (creating) the database at `path`; `topic` and `dlq_topic` name the outbox's targets.
  static Result<std::unique_ptr<SqliteLandingStore>> Open(const std::string& path, std::string topic,
                                                          std::string dlq_topic,
                                                          Durability durability = Durability::kAtCommit);

  ~SqliteLandingStore() override;

  Result<RunId> BeginRun() override;
  Result<IngestState> LoadIngestState() override;
  Result<LandingCounts> Write(const LandingBatch& batch) override;
  bool NeedsParsedUsers() const override { return false; }  // it keeps the raw bytes, typed by a view

 private:
  struct Statements;
  SqliteLandingStore(std::unique_ptr<SqliteDb> db, std::unique_ptr<Statements> statements, std::string topic,
                     std::string dlq_topic, int64_t outbox_end);

  enum class UpsertOutcome { kInserted, kUpdated, kUnchanged };
  // Lands `users` in key order: a new person's row is appended, many to an insert statement, and
  // its key indexed; a known one's row is updated if its bytes changed. outcomes[i] is users[i]'s.
  Status UpsertUsers(const std::vector<LandingUser>& users, const std::string& ingested_at, RunId run,
                     std::vector<UpsertOutcome>& outcomes);
  // An outbox row holds the changes of one topic in a transaction, up to about kOutboxRowBytes of
  // them: a row of 5,000 changes (3 MB) would be copied into a buffer of its size for SQLite's
  // record, allocated afresh (and page-faulted) for each transaction.
  static constexpr size_t kOutboxRowBytes = 64 * 1024;
  // Adds a change to the outbox row being filled, and appends that row once it is full.
  Status AddToOutbox(const std::string& topic, const OutboxEntry& entry);
  // Appends the row being filled, if it holds any change.
  Status FlushOutbox(const std::string& topic);

  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<Statements> statements_;
  std::string topic_;
  std::string dlq_topic_;
  std::string row_entries_;  // the outbox row being filled (sqlite_outbox_entries.h)
  int64_t row_changes_ = 0;
  int64_t outbox_end_;          // the seq of the last outbox row committed: a commit's durable mark
  int64_t written_outbox_end_;  // ... and of the last one the open transaction wrote
};

}  // namespace rtpipe
