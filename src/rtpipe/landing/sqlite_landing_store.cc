#include "rtpipe/landing/sqlite_landing_store.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/sqlite_landing_schema.h"
#include "rtpipe/landing/sqlite_outbox_entries.h"

namespace rtpipe {
namespace {

// A new person's row is appended, and its key added to recent_keys; a known one's row is updated,
// by rowid, only when its bytes changed. New people are inserted kUsersPerInsert at a time, by one
// statement of that many rows: a statement costs SQLite a run of its own (step, halt, reset) beside
// its rows' work.
constexpr int kUsersPerInsert = 50;
constexpr int kInsertParameters = 6;  // per row

// The insert of `rows` people. Each row gets the rowid after the highest (user_records has no
// AUTOINCREMENT), so the rows of one statement have consecutive rowids. OR IGNORE, here and in the
// inserts of keys below, though nothing is ever ignored (every value bound is there, and a key is
// new): a statement of many rows that could stop halfway (ABORT, the default, on a NOT NULL or key
// conflict) makes SQLite keep a statement journal, a copy of every page it changes. For the merge
// into user_keys, that was every page of the big index: 50 MiB of memory at 2M people.
std::string InsertUsersSql(int rows) {
  return fmt::format(
      "INSERT OR IGNORE INTO user_records (uuid_key, raw, event_time_ms, ingested_at, run_id, uuid)\n"
      "VALUES {}",
      SqlValueRows(rows, kInsertParameters));
}
// ... and of their keys.
std::string InsertKeysSql(int rows) {
  return fmt::format("INSERT OR IGNORE INTO recent_keys (uuid_key, row) VALUES {}", SqlValueRows(rows, 2));
}
constexpr std::string_view kFindUser =
    "SELECT row FROM recent_keys WHERE uuid_key = ?1 UNION ALL SELECT row FROM user_keys WHERE uuid_key = ?1";
constexpr std::string_view kUpdateUser = R"sql(
UPDATE user_records SET raw = ?2, event_time_ms = ?3, ingested_at = ?4, run_id = ?5, version = version + 1
WHERE rowid = ?1 AND raw IS NOT ?2
)sql";
constexpr std::string_view kAllKeys = "SELECT uuid_key FROM recent_keys UNION ALL SELECT uuid_key FROM user_keys";
// recent_keys is read in key order, so user_keys takes its keys in order too.
constexpr std::string_view kMergeKeys = R"sql(
INSERT OR IGNORE INTO user_keys (uuid_key, row) SELECT uuid_key, row FROM recent_keys;
DELETE FROM recent_keys;
)sql";
// The filter of keys has room for at least this many, and twice as many as there are.
constexpr size_t kMinFilterKeys = size_t{1} << 20;

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

// Brings a landing database of schema version 3 to version 4 (sqlite_landing_schema.h), in one
// transaction, unless another process (the capture stage's) has just done so.
Status MigrateFromV3(SqliteDb& db) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_ASSIGN_OR_RETURN(auto version, db.QueryInt("SELECT MAX(version) FROM schema_version"));
  if (version >= 4) return Status::OK();
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt("SELECT COUNT(*) FROM user_records"));
  GetLogger("landing")->info("{}: user_records keyed in recent_keys and user_keys (schema version 3 -> 4), {} rows",
                             db.path(), rows.value_or(0));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kMigrateFromV3));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCreateSchema));
  RTPIPE_RETURN_IF_ERROR(db.Exec(sqlite_landing::kCopyFromV3));
  return tx.Commit();
}

}  // namespace

struct SqliteLandingStore::Statements {
  SqliteStatement insert_user;   // a new person
  SqliteStatement insert_users;  // kUsersPerInsert new people
  SqliteStatement insert_key;    // a new person's key
  SqliteStatement insert_keys;   // kUsersPerInsert new people's keys
  SqliteStatement find_user;     // a person's rowid, by key
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
  if (*version <= 3) RTPIPE_RETURN_IF_ERROR(MigrateFromV3(db).WithContext("migrating " + db.path()));
  return Status::OK();
}

Result<std::unique_ptr<SqliteLandingStore>> SqliteLandingStore::Open(const std::string& path, std::string topic,
                                                                     std::string dlq_topic, Durability durability) {
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(OpenLandingSchema(*db));
  RTPIPE_RETURN_IF_ERROR(db->CheckpointInBackground());
  RTPIPE_ASSIGN_OR_RETURN(auto outbox_end, db->QueryInt("SELECT COALESCE(MAX(seq), 0) FROM outbox"));
  if (durability == Durability::kBeforeCapture) RTPIPE_RETURN_IF_ERROR(db->SyncInBackground(outbox_end.value_or(0)));
  auto prepare = [&](std::string_view sql) { return db->Prepare(sql); };
  RTPIPE_ASSIGN_OR_RETURN(auto insert_user, prepare(InsertUsersSql(1)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_users, prepare(InsertUsersSql(kUsersPerInsert)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_key, prepare(InsertKeysSql(1)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_keys, prepare(InsertKeysSql(kUsersPerInsert)));
  RTPIPE_ASSIGN_OR_RETURN(auto find_user, prepare(kFindUser));
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
  auto statements = std::make_unique<Statements>(
      Statements{std::move(insert_user), std::move(insert_users), std::move(insert_key), std::move(insert_keys),
                 std::move(find_user), std::move(update_user), std::move(reject), std::move(outbox), std::move(state)});
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

Status SqliteLandingStore::LoadKeys(size_t more) {
  if (key_counts_stale_) {
    RTPIPE_ASSIGN_OR_RETURN(auto recent, db_->QueryInt("SELECT COUNT(*) FROM recent_keys"));
    RTPIPE_ASSIGN_OR_RETURN(auto merged, db_->QueryInt("SELECT COUNT(*) FROM user_keys"));
    recent_keys_ = recent.value_or(0);
    all_keys_ = recent_keys_ + merged.value_or(0);
    key_counts_stale_ = false;
  }
  const size_t wanted = static_cast<size_t>(all_keys_) + more;
  if (wanted <= keys_filter_.capacity()) return Status::OK();
  keys_filter_ = BloomFilter(std::max(kMinFilterKeys, 2 * wanted));
  RTPIPE_ASSIGN_OR_RETURN(auto keys, db_->Prepare(kAllKeys));
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(bool row, keys.Step());
    if (!row) break;
    keys_filter_.Add(keys.ColumnBlob(0));
  }
  keys.Reset();
  return Status::OK();
}

Status SqliteLandingStore::MergeKeysIfDue() {
  const double due = std::max(static_cast<double>(kMinMergeKeys),
                              std::sqrt(static_cast<double>(kMergeCommitRows) * static_cast<double>(all_keys_)));
  if (static_cast<double>(recent_keys_) < due) return Status::OK();
  RTPIPE_RETURN_IF_ERROR(db_->Exec(kMergeKeys));
  recent_keys_ = 0;
  return Status::OK();
}

Status SqliteLandingStore::UpsertUsers(const std::vector<LandingUser>& users, const std::string& ingested_at, RunId run,
                                       std::vector<UpsertOutcome>& outcomes) {
  RTPIPE_RETURN_IF_ERROR(LoadKeys(users.size()));
  // Each user's key in the form the key tables hold, converted once.
  std::vector<UuidKey> uuid_keys;
  uuid_keys.reserve(users.size());
  for (const LandingUser& u : users) uuid_keys.emplace_back(u.key);
  auto key_of = [&](uint32_t i) { return uuid_keys[i].bytes(); };
  auto bind_key = [&](SqliteStatement& s, int index, uint32_t i) { s.BindUuidKey(index, uuid_keys[i]); };
  auto find = [&](uint32_t i) -> Result<std::optional<int64_t>> {
    SqliteStatement& s = statements_->find_user;
    bind_key(s, 1, i);
    RTPIPE_ASSIGN_OR_RETURN(bool found, s.Step());
    std::optional<int64_t> row;
    if (found) row = s.ColumnInt(0);
    s.Reset();
    return row;
  };
  auto bind_insert = [&](SqliteStatement& s, int first, uint32_t i) {
    const LandingUser& u = users[i];
    bind_key(s, first + 1, i);
    s.BindText(first + 2, u.raw);
    s.BindInt(first + 3, ToMillis(u.event_time));
    s.BindText(first + 4, ingested_at);
    s.BindInt(first + 5, run.value());
    s.BindText(first + 6, u.key);
  };
  // The new people met so far, inserted kUsersPerInsert at a time (what is left, one by one).
  std::vector<uint32_t> fresh;
  fresh.reserve(kUsersPerInsert);
  // An insert that ignored a row (OR IGNORE, InsertUsersSql) would be a bug: it fails the write.
  auto all_inserted = [&](size_t n, std::string_view table) {
    const int64_t inserted = db_->Changes();
    return inserted == static_cast<int64_t>(n) ? Status::OK()
                                               : Status::Internal("{} took {} of {} new rows", table, inserted, n);
  };
  auto insert_fresh = [&]() -> Status {
    const bool whole = fresh.size() == static_cast<size_t>(kUsersPerInsert);
    SqliteStatement& rows = whole ? statements_->insert_users : statements_->insert_user;
    SqliteStatement& keys = whole ? statements_->insert_keys : statements_->insert_key;
    for (size_t from = 0; from < fresh.size(); from += whole ? fresh.size() : 1) {
      const size_t n = whole ? fresh.size() : 1;
      for (size_t k = 0; k < n; ++k) bind_insert(rows, static_cast<int>(k) * kInsertParameters, fresh[from + k]);
      RTPIPE_RETURN_IF_ERROR(rows.Run());
      RTPIPE_RETURN_IF_ERROR(all_inserted(n, "user_records"));
      const int64_t first_row = sqlite3_last_insert_rowid(db_->handle()) - static_cast<int64_t>(n) + 1;
      for (size_t k = 0; k < n; ++k) {
        bind_key(keys, static_cast<int>(k) * 2 + 1, fresh[from + k]);
        keys.BindInt(static_cast<int>(k) * 2 + 2, first_row + static_cast<int64_t>(k));
      }
      RTPIPE_RETURN_IF_ERROR(keys.Run());
      RTPIPE_RETURN_IF_ERROR(all_inserted(n, "recent_keys"));
    }
    for (uint32_t i : fresh) outcomes[i] = UpsertOutcome::kInserted;
    recent_keys_ += static_cast<int64_t>(fresh.size());
    all_keys_ += static_cast<int64_t>(fresh.size());
    fresh.clear();
    return Status::OK();
  };

  std::vector<std::pair<uint32_t, int64_t>> known;  // users to update, and their rows
  std::vector<uint32_t> again;                      // users whose key came before in this batch
  const std::vector<uint32_t> order =
      KeyOrder(users.size(), [&](uint32_t i) -> const std::string& { return users[i].key; });
  // Key order is not the users' order in memory: each one's key and bytes are fetched ahead.
  auto prefetch_bytes = [](const LandingUser& u) {
    PrefetchBytes(u.key.data(), u.key.size());
    PrefetchBytes(u.raw.data(), u.raw.size());
  };
  std::optional<uint32_t> previous;
  RTPIPE_RETURN_IF_ERROR(VisitInOrder<LandingUser>(users, order, prefetch_bytes, [&](uint32_t i) -> Status {
    if (previous && users[*previous].key == users[i].key) {  // the same text is the same key
      again.push_back(i);
      return Status::OK();
    }
    previous = i;
    // Most people are new: the filter says so, and they are looked up nowhere.
    if (keys_filter_.MayContain(key_of(i))) {
      RTPIPE_ASSIGN_OR_RETURN(std::optional<int64_t> row, find(i));
      if (row) {
        known.emplace_back(i, *row);
        return Status::OK();
      }
    }
    keys_filter_.Add(key_of(i));
    fresh.push_back(i);
    return fresh.size() == static_cast<size_t>(kUsersPerInsert) ? insert_fresh() : Status::OK();
  }));
  RTPIPE_RETURN_IF_ERROR(insert_fresh());
  for (uint32_t i : again) {  // its key's row is in by now, inserted or known
    RTPIPE_ASSIGN_OR_RETURN(std::optional<int64_t> row, find(i));
    if (!row)
      return Status::Internal("user {} is not in recent_keys or user_keys right after its insert", users[i].key);
    known.emplace_back(i, *row);
  }
  // In arrival order: of a key met more than once, the last bytes win.
  std::sort(known.begin(), known.end());
  for (auto [i, row] : known) {
    SqliteStatement& update = statements_->update_user;
    update.BindInt(1, row);
    update.BindText(2, users[i].raw);
    update.BindInt(3, ToMillis(users[i].event_time));
    update.BindText(4, ingested_at);
    update.BindInt(5, run.value());
    RTPIPE_RETURN_IF_ERROR(update.Run());
    outcomes[i] = db_->Changes() > 0 ? UpsertOutcome::kUpdated : UpsertOutcome::kUnchanged;
  }
  return MergeKeysIfDue();
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
  // A transaction that fails takes back the keys it added: they are counted again before the next.
  struct CountsStaleUnlessCommitted {
    bool& stale;
    bool committed = false;
    ~CountsStaleUnlessCommitted() { stale = stale || !committed; }
  } counts_guard{key_counts_stale_};
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
  counts_guard.committed = true;
  outbox_end_ = written_outbox_end_;
  RTPIPE_RETURN_IF_ERROR(db_->MarkCommit(outbox_end_));  // kBeforeCapture: for the capture of the process
  return counts;
}

}  // namespace rtpipe
