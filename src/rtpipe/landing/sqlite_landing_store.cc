#include "rtpipe/landing/sqlite_landing_store.h"

#include <unistd.h>

#include <optional>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/base/sqlite_key_index.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/sqlite_landing_schema.h"
#include "rtpipe/landing/sqlite_outbox_entries.h"

namespace rtpipe {
namespace {

// A new person's row is appended, and its key indexed (base/sqlite_key_index.h); a known one's row
// is updated, by rowid, only when its bytes changed.
constexpr int kInsertParameters = 6;  // per row

// The insert of `rows` people. Each row gets the rowid after the highest (user_records has no
// AUTOINCREMENT), so the rows of one statement have consecutive rowids. OR IGNORE, though nothing
// is ever ignored (every value bound is there; SqliteKeyIndex checks): a statement of many rows that
// could stop halfway (ABORT, the default, on a NOT NULL conflict) makes SQLite keep a statement
// journal, a copy of every page it changes.
std::string InsertUsersSql(int rows) {
  return fmt::format(
      "INSERT OR IGNORE INTO user_records (uuid_key, raw, event_time_ms, ingested_at, run_id, uuid)\n"
      "VALUES {}",
      SqlValueRows(rows, kInsertParameters));
}
constexpr std::string_view kUpdateUser = R"sql(
UPDATE user_records SET raw = ?2, event_time_ms = ?3, ingested_at = ?4, run_id = ?5, version = version + 1
WHERE rowid = ?1 AND raw IS NOT ?2
)sql";

// The current schema's tables: what kCreateSchema makes, and the key index's tables. The key
// index's view comes after the migrations, which rename user_records (OpenLandingSchema).
Status CreateSchema(SqliteDb& db) {
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCreateSchema));
  return db.Exec(SqliteKeyIndex::CreateTablesSql(sqlite_landing::kUserKeys, sqlite_landing::kKeyColumn));
}

// A row of changes for the outbox, numbered on from the last row's (sqlite_landing_schema.h). One
// row of VALUES, not INSERT ... SELECT: SQLite runs an INSERT ... SELECT into a table with NOT NULL
// columns with a statement journal, a copy of each page it changes that the database held before,
// and the rows' pages (32 KiB each, about 90 for the rows of 5,000 users) come from the free list,
// where capture's deletes left them.
constexpr std::string_view kAppendOutbox = R"sql(
INSERT INTO outbox (topic, first_change, changes, entries)
VALUES (?1, COALESCE((SELECT first_change + changes FROM outbox ORDER BY seq DESC LIMIT 1), 1), ?2, ?3)
)sql";

// Brings a landing database of schema version 1 to version 2 (sqlite_landing_schema.h), in one
// transaction: a crash leaves it as it was.
Status MigrateFromV1(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt("SELECT COUNT(*) FROM user_records"));
  GetLogger("landing")->info("{}: keying user_records by uuid_key(uuid) (schema version 1 -> 2), {} rows", db.path(),
                             rows.value_or(0));
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV1));
  RTPIPE_RETURN_IF_ERROR(CreateSchema(db));
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
  RTPIPE_RETURN_IF_ERROR(CreateSchema(db));
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

// Brings a landing database of schema version 3 to version 4 (sqlite_landing_schema.h), in one
// transaction, unless another process (the capture stage's) has just done so.
Status MigrateFromV3(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (version >= 4) return Status::OK();
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt("SELECT COUNT(*) FROM user_records"));
  GetLogger("landing")->info("{}: user_records keyed in user_keys (schema version 3 -> 4), {} rows", db.path(),
                             rows.value_or(0));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV3));
  RTPIPE_RETURN_IF_ERROR(CreateSchema(db));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCopyFromV3));
  return tx.Commit();
}

// Brings a landing database of schema version 4 to version 5 (sqlite_landing_schema.h), in one
// transaction, unless another process (the capture stage's) has just done so.
Status MigrateFromV4(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (version >= 5) return Status::OK();
  GetLogger("landing")->info("{}: every key in user_keys, none in recent_keys (schema version 4 -> 5)", db.path());
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV4));
  RTPIPE_RETURN_IF_ERROR(CreateSchema(db));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kIndexedFromV4));
  return tx.Commit();
}

}  // namespace

struct SqliteLandingStore::Statements {
  SqliteKeyIndex keys;
  SqliteStatement insert_user;   // a new person
  SqliteStatement insert_users;  // SqliteKeyIndex::kRowsPerInsert new people
  SqliteStatement update_user;   // a known person, by rowid, if their bytes changed
  SqliteStatement reject;
  SqliteStatement outbox;
  SqliteStatement state;
};

SqliteLandingStore::SqliteLandingStore(std::unique_ptr<SqliteDb> db, std::unique_ptr<Statements> statements,
                                       std::string topic, std::string dlq_topic, int64_t outbox_end)
    : db_(std::move(db)),
      statements_(std::move(statements)),
      topic_(std::move(topic)),
      dlq_topic_(std::move(dlq_topic)),
      outbox_end_(outbox_end),
      written_outbox_end_(outbox_end) {}
SqliteLandingStore::~SqliteLandingStore() = default;

Status OpenLandingSchema(SqliteDb& db) {
  RTPIPE_RETURN_IF_ERROR(CreateSchema(db));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (!version) {
    RTPIPE_RETURN_IF_ERROR(
        db.Exec(fmt::format("INSERT INTO schema_version VALUES ({})", sqlite_landing::kSchemaVersion)));
    version = sqlite_landing::kSchemaVersion;
  }
  if (*version > sqlite_landing::kSchemaVersion) {
    return Status::FailedPrecondition("landing database {} has schema version {}, newer than this rtpipe ({})",
                                      db.path(), *version, sqlite_landing::kSchemaVersion);
  }
  if (*version == 1) RTPIPE_RETURN_IF_ERROR(MigrateFromV1(db).WithContext("migrating " + db.path()));
  if (*version <= 2) RTPIPE_RETURN_IF_ERROR(MigrateFromV2(db).WithContext("migrating " + db.path()));
  if (*version <= 3) RTPIPE_RETURN_IF_ERROR(MigrateFromV3(db).WithContext("migrating " + db.path()));
  if (*version <= 4) RTPIPE_RETURN_IF_ERROR(MigrateFromV4(db).WithContext("migrating " + db.path()));
  return db.Exec(SqliteKeyIndex::CreateViewSql(sqlite_landing::kUserRecords, sqlite_landing::kUserKeys,
                                               sqlite_landing::kKeyColumn));
}

Result<std::unique_ptr<SqliteLandingStore>> SqliteLandingStore::Open(const std::string& path, std::string topic,
                                                                     std::string dlq_topic, Durability durability) {
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(OpenLandingSchema(*db));
  RTPIPE_RETURN_IF_ERROR(db->CheckpointInBackground());
  RTPIPE_ASSIGN_OR_RETURN(auto outbox_end, db->QueryInt("SELECT COALESCE(MAX(seq), 0) FROM outbox"));
  if (durability == Durability::kBeforeCapture) RTPIPE_RETURN_IF_ERROR(db->SyncInBackground(outbox_end.value_or(0)));
  auto prepare = [&](std::string_view sql) { return db->Prepare(sql); };
  RTPIPE_ASSIGN_OR_RETURN(auto keys, SqliteKeyIndex::Open(*db, sqlite_landing::kUserRecords, sqlite_landing::kUserKeys,
                                                          sqlite_landing::kKeyColumn));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_user, prepare(InsertUsersSql(1)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_users, prepare(InsertUsersSql(SqliteKeyIndex::kRowsPerInsert)));
  RTPIPE_ASSIGN_OR_RETURN(auto update_user, prepare(kUpdateUser));
  RTPIPE_ASSIGN_OR_RETURN(auto reject, prepare("INSERT INTO rejected_records (source_key, dead_letter, event_time, "
                                               "ingested_at, run_id) VALUES (?1, ?2, ?3, ?4, ?5) "
                                               "ON CONFLICT (source_key) DO NOTHING"));
  RTPIPE_ASSIGN_OR_RETURN(auto outbox, prepare(kAppendOutbox));
  RTPIPE_ASSIGN_OR_RETURN(auto state,
                          prepare("INSERT INTO ingest_state (id, seed, page, skip, source_records) "
                                  "VALUES (1, ?1, ?2, ?3, ?4) ON CONFLICT (id) DO UPDATE SET "
                                  "seed = excluded.seed, page = excluded.page, skip = excluded.skip, "
                                  "source_records = ingest_state.source_records + excluded.source_records"));
  auto statements = std::make_unique<Statements>(Statements{std::move(keys), std::move(insert_user),
                                                            std::move(insert_users), std::move(update_user),
                                                            std::move(reject), std::move(outbox), std::move(state)});
  return std::unique_ptr<SqliteLandingStore>(new SqliteLandingStore(
      std::move(db), std::move(statements), std::move(topic), std::move(dlq_topic), outbox_end.value_or(0)));
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

Status SqliteLandingStore::UpsertUsers(const std::vector<LandingUser>& users, const std::string& ingested_at, RunId run,
                                       std::vector<UpsertOutcome>& outcomes) {
  // Each user's key in the form the key tables hold, converted once.
  std::vector<UuidKey> keys;
  keys.reserve(users.size());
  for (const LandingUser& u : users) keys.emplace_back(u.key);
  // Key order is not the users' order in memory: each one's key and bytes are fetched ahead.
  auto prefetch_bytes = [](const LandingUser& u) {
    PrefetchBytes(u.key.data(), u.key.size());
    PrefetchBytes(u.raw.data(), u.raw.size());
  };
  auto insert = [&](std::span<const uint32_t> rows) {
    SqliteStatement& s = rows.size() == 1 ? statements_->insert_user : statements_->insert_users;
    for (size_t k = 0; k < rows.size(); ++k) {
      const int first = static_cast<int>(k) * kInsertParameters;
      const LandingUser& u = users[rows[k]];
      s.BindUuidKey(first + 1, keys[rows[k]]);
      s.BindText(first + 2, u.raw);
      s.BindInt(first + 3, ToMillis(u.event_time));
      s.BindText(first + 4, ingested_at);
      s.BindInt(first + 5, run.value());
      s.BindText(first + 6, u.key);
      outcomes[rows[k]] = UpsertOutcome::kInserted;
    }
    return s.Run();
  };
  auto update = [&](uint32_t i, int64_t row) {
    SqliteStatement& s = statements_->update_user;
    s.BindInt(1, row);
    s.BindText(2, users[i].raw);
    s.BindInt(3, ToMillis(users[i].event_time));
    s.BindText(4, ingested_at);
    s.BindInt(5, run.value());
    RTPIPE_RETURN_IF_ERROR(s.Run());
    outcomes[i] = db_->Changes() > 0 ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
    return Status::OK();
  };
  return statements_->keys.Upsert<LandingUser>(users, keys, prefetch_bytes, insert, update);
}

Status SqliteLandingStore::AddToOutbox(const std::string& topic, const OutboxEntry& entry) {
  AppendOutboxEntry(entry, &row_entries_);
  ++row_changes_;
  return row_entries_.size() < kOutboxRowBytes ? Status::OK() : FlushOutbox(topic);
}

Status SqliteLandingStore::FlushOutbox(const std::string& topic) {
  if (row_changes_ == 0) return Status::OK();
  SqliteStatement& outbox = statements_->outbox;
  outbox.BindText(1, topic);
  outbox.BindInt(2, row_changes_);
  outbox.BindBlob(3, row_entries_);
  RTPIPE_RETURN_IF_ERROR(outbox.Run());
  written_outbox_end_ = sqlite3_last_insert_rowid(db_->handle());
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
  written_outbox_end_ = outbox_end_;
  // Users are upserted in key order, then their changes go to the outbox in arrival order.
  const std::vector<LandingUser>& users = batch.users;
  std::vector<UpsertOutcome> outcomes(users.size());
  RTPIPE_RETURN_IF_ERROR(UpsertUsers(users, ingested_at, batch.run, outcomes));
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
    SqliteStatement& reject = statements_->reject;
    reject.BindText(1, r.source_key);
    reject.BindText(2, r.dead_letter);
    reject.BindText(3, event_time);
    reject.BindText(4, ingested_at);
    reject.BindInt(5, batch.run.value());
    RTPIPE_RETURN_IF_ERROR(reject.Run());
    if (db_->Changes() == 0) continue;  // rejected before: its dead letter is already published
    RTPIPE_RETURN_IF_ERROR(
        AddToOutbox(dlq_topic_, {r.key, r.dead_letter, ToMillis(r.event_time), ArrivedMicros(r.ingested_us, now_us)}));
    ++counts.rejected;
  }
  RTPIPE_RETURN_IF_ERROR(FlushOutbox(dlq_topic_));
  SqliteStatement& state = statements_->state;
  state.BindText(1, batch.next_position.seed);
  state.BindInt(2, batch.next_position.page);
  state.BindInt(3, batch.next_position.skip);
  state.BindInt(4, batch.source_records);
  RTPIPE_RETURN_IF_ERROR(state.Run());
  RTPIPE_RETURN_IF_ERROR(tx.Commit());
  statements_->keys.Committed();
  outbox_end_ = written_outbox_end_;
  RTPIPE_RETURN_IF_ERROR(db_->MarkCommit(outbox_end_));  // kBeforeCapture: for the capture of the process
  return counts;
}

}  // namespace rtpipe
