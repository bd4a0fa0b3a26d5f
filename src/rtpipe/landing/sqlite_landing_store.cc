#include "rtpipe/landing/sqlite_landing_store.h"

#include <unistd.h>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/sqlite_landing_schema.h"
#include "rtpipe/landing/sqlite_outbox_entries.h"

namespace rtpipe {
namespace {

// A new person is inserted; a known one is updated only when its bytes changed. Two statements
// rather than one upsert with RETURNING, which SQLite runs through an ephemeral table (slow).
constexpr std::string_view kInsertUser = R"sql(
INSERT OR IGNORE INTO user_records (uuid_key, raw, event_time_ms, ingested_at, run_id, uuid)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
)sql";
constexpr std::string_view kUpdateUser = R"sql(
UPDATE user_records SET raw = ?2, event_time_ms = ?3, ingested_at = ?4, run_id = ?5, version = version + 1
WHERE uuid_key = ?1 AND raw IS NOT ?2
)sql";

// A row of changes for the outbox, numbered on from the last row's (sqlite_landing_schema.h).
constexpr std::string_view kAppendOutbox = R"sql(
INSERT INTO outbox (topic, first_change, changes, entries)
SELECT ?1, COALESCE((SELECT first_change + changes FROM outbox ORDER BY seq DESC LIMIT 1), 1), ?2, ?3
)sql";

// Brings a landing database of schema version 1 to version 2 (sqlite_landing_schema.h), in one
// transaction: a crash leaves it as it was.
Status MigrateFromV1(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt("SELECT COUNT(*) FROM user_records"));
  GetLogger("landing")->info("{}: keying user_records by uuid_key(uuid) (schema version 1 -> 2), {} rows", db.path(),
                             rows.value_or(0));
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV1));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCreateSchema));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCopyFromV1));
  return tx.Commit();
}

// Brings a landing database of schema version 2 to version 3 (sqlite_landing_schema.h), in one
// transaction, unless another process (the capture stage's) has just done so.
Status MigrateFromV2(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (version >= 3) return Status::OK();
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt("SELECT COUNT(*) FROM outbox"));
  GetLogger("landing")->info("{}: outbox rows of many changes, not one (schema version 2 -> 3), {} rows", db.path(),
                             rows.value_or(0));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV2));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCreateSchema));
  RTPIPE_ASSIGN_OR_RETURN(auto read, db.Prepare(sqlite_landing::kReadV2Outbox));
  RTPIPE_ASSIGN_OR_RETURN(auto insert, db.Prepare("INSERT INTO outbox (seq, topic, first_change, changes, entries) "
                                                  "VALUES (?1, ?2, ?1, 1, ?3)"));
  std::string entries;
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(bool row, read.Step());
    if (!row) break;
    entries.clear();
    std::optional<std::string_view> key;
    if (!read.ColumnIsNull(2)) key = read.ColumnText(2);
    AppendOutboxEntry({key, read.ColumnBlob(3), read.ColumnInt(4), read.ColumnInt(5)}, &entries);
    insert.BindInt(1, read.ColumnInt(0));
    insert.BindText(2, read.ColumnText(1));
    insert.BindBlob(3, entries);
    RTPIPE_RETURN_IF_ERROR(insert.Run());
  }
  read.Reset();
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kDropV2Outbox));
  return tx.Commit();
}

}  // namespace

Status OpenLandingSchema(SqliteDb& db) {
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCreateSchema));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (!version) {
    return db.Exec(fmt::format("INSERT INTO schema_version VALUES ({})", sqlite_landing::kSchemaVersion));
  }
  if (*version > sqlite_landing::kSchemaVersion) {
    return Status::FailedPrecondition("landing database {} has schema version {}, newer than this rtpipe ({})",
                                      db.path(), *version, sqlite_landing::kSchemaVersion);
  }
  if (*version == 1) RTPIPE_RETURN_IF_ERROR(MigrateFromV1(db).WithContext("migrating " + db.path()));
  if (*version <= 2) RTPIPE_RETURN_IF_ERROR(MigrateFromV2(db).WithContext("migrating " + db.path()));
  return Status::OK();
}

Result<std::unique_ptr<SqliteLandingStore>> SqliteLandingStore::Open(const std::string& path, std::string topic,
                                                                     std::string dlq_topic) {
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(OpenLandingSchema(*db));
  RTPIPE_RETURN_IF_ERROR(db->CheckpointInBackground());
  RTPIPE_ASSIGN_OR_RETURN(auto insert, db->Prepare(kInsertUser));
  RTPIPE_ASSIGN_OR_RETURN(auto update, db->Prepare(kUpdateUser));
  RTPIPE_ASSIGN_OR_RETURN(auto reject, db->Prepare("INSERT INTO rejected_records (source_key, dead_letter, "
                                                   "event_time, ingested_at, run_id) VALUES (?1, ?2, ?3, ?4, ?5) "
                                                   "ON CONFLICT (source_key) DO NOTHING"));
  RTPIPE_ASSIGN_OR_RETURN(auto outbox, db->Prepare(kAppendOutbox));
  RTPIPE_ASSIGN_OR_RETURN(auto state,
                          db->Prepare("INSERT INTO ingest_state (id, seed, page, skip, source_records) "
                                      "VALUES (1, ?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET "
                                      "seed = excluded.seed, page = excluded.page, skip = excluded.skip, "
                                      "source_records = ingest_state.source_records + excluded.source_records"));
  return std::unique_ptr<SqliteLandingStore>(
      new SqliteLandingStore(std::move(db), std::move(insert), std::move(update), std::move(reject), std::move(outbox),
                             std::move(state), std::move(topic), std::move(dlq_topic)));
}

Result<RunId> SqliteLandingStore::BeginRun() {
  RTPIPE_ASSIGN_OR_RETURN(auto insert, db_->Prepare("INSERT INTO ingest_runs (started_at, pid) VALUES (?1, ?2)"));
  std::string now = FormatIso8601(Clock::System().Now());
  insert.BindText(1, now);
  insert.BindInt(2, ::getpid());
  RTPIPE_RETURN_IF_ERROR(insert.Run());
  return RunId(sqlite3_last_insert_rowid(db_->handle()));
}

Result<IngestState> SqliteLandingStore::LoadIngestState() {
  RTPIPE_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT seed, page, skip, source_records FROM ingest_state"));
  IngestState state;
  RTPIPE_ASSIGN_OR_RETURN(bool row, query.Step());
  if (row) {
    state.position =
        SourcePosition{std::string(query.ColumnText(0)), query.ColumnInt(1), static_cast<int>(query.ColumnInt(2))};
    state.source_records = query.ColumnInt(3);
  }
  return state;
}

Result<SqliteLandingStore::UpsertOutcome> SqliteLandingStore::UpsertUser(const LandingUser& lu,
                                                                         const std::string& ingested_at, RunId run) {
  insert_.BindText(6, lu.key);
  for (SqliteStatement* s : {&insert_, &update_}) {
    s->BindUuidKey(1, lu.key);
    s->BindText(2, lu.raw);
    s->BindInt(3, ToMillis(lu.event_time));
    s->BindText(4, ingested_at);
    s->BindInt(5, run.value());
    RTPIPE_RETURN_IF_ERROR(s->Run());
    if (db_->Changes() > 0) return s == &insert_ ? UpsertOutcome::kInserted : UpsertOutcome::kUpdated;
  }
  return UpsertOutcome::kUnchanged;
}

Status SqliteLandingStore::AddToOutbox(const std::string& topic, const OutboxEntry& entry) {
  AppendOutboxEntry(entry, &row_entries_);
  ++row_changes_;
  return row_entries_.size() < kOutboxRowBytes ? Status::OK() : FlushOutbox(topic);
}

Status SqliteLandingStore::FlushOutbox(const std::string& topic) {
  if (row_changes_ == 0) return Status::OK();
  outbox_.BindText(1, topic);
  outbox_.BindInt(2, row_changes_);
  outbox_.BindBlob(3, row_entries_);
  RTPIPE_RETURN_IF_ERROR(outbox_.Run());
  row_entries_.clear();
  row_changes_ = 0;
  return Status::OK();
}

Result<LandingCounts> SqliteLandingStore::Write(const LandingBatch& batch) {
  LandingCounts counts;
  const std::string ingested_at = FormatIso8601(Clock::System().Now());
  // When each record arrived, for latency tracing: the batches landed together each keep theirs.
  const int64_t now_us = WallMicros();
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(*db_));
  row_entries_.clear();  // what a failed Write may have left
  row_changes_ = 0;
  // Users are upserted in key order, then their changes go to the outbox in arrival order.
  const std::vector<LandingUser>& users = batch.users;
  std::vector<UpsertOutcome> outcomes(users.size());
  const std::vector<uint32_t> order =
      KeyOrder(users.size(), [&](uint32_t i) -> const std::string& { return users[i].key; });
  // Key order is not the users' order in memory: each one's key and bytes are fetched ahead.
  auto prefetch_bytes = [](const LandingUser& u) {
    PrefetchBytes(u.key.data(), u.key.size());
    PrefetchBytes(u.raw.data(), u.raw.size());
  };
  RTPIPE_RETURN_IF_ERROR(VisitInOrder<LandingUser>(users, order, prefetch_bytes, [&](uint32_t i) -> Status {
    RTPIPE_ASSIGN_OR_RETURN(outcomes[i], UpsertUser(users[i], ingested_at, batch.run));
    return Status::OK();
  }));
  for (size_t i = 0; i < users.size(); ++i) {
    const auto& u = users[i];
    UpsertOutcome outcome = outcomes[i];
    if (outcome == UpsertOutcome::kUnchanged) {
      ++counts.unchanged;
      continue;
    }
    ++(outcome == UpsertOutcome::kInserted ? counts.inserted : counts.updated);
    RTPIPE_RETURN_IF_ERROR(
        AddToOutbox(topic_, {u.key, u.message, ToMillis(u.event_time), ArrivedMicros(u.ingested_us, now_us)}));
  }
  RTPIPE_RETURN_IF_ERROR(FlushOutbox(topic_));
  for (const auto& r : batch.rejects) {
    std::string event_time = FormatIso8601(r.event_time);
    reject_.BindText(1, r.source_key);
    reject_.BindText(2, r.dead_letter);
    reject_.BindText(3, event_time);
    reject_.BindText(4, ingested_at);
    reject_.BindInt(5, batch.run.value());
    RTPIPE_RETURN_IF_ERROR(reject_.Run());
    if (db_->Changes() == 0) continue;  // rejected before: its dead letter is already published
    RTPIPE_RETURN_IF_ERROR(
        AddToOutbox(dlq_topic_, {r.key, r.dead_letter, ToMillis(r.event_time), ArrivedMicros(r.ingested_us, now_us)}));
    ++counts.rejected;
  }
  RTPIPE_RETURN_IF_ERROR(FlushOutbox(dlq_topic_));
  state_.BindText(1, batch.next_position.seed);
  state_.BindInt(2, batch.next_position.page);
  state_.BindInt(3, batch.next_position.skip);
  state_.BindInt(4, batch.source_records);
  RTPIPE_RETURN_IF_ERROR(state_.Run());
  RTPIPE_RETURN_IF_ERROR(tx.Commit());
  return counts;
}

}  // namespace rtpipe
