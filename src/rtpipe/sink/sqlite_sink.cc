#include "rtpipe/sink/sqlite_sink.h"

#include <fmt/format.h>

#include <array>
#include <set>
#include <tuple>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/base/sqlite_key_index.h"
#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe {
namespace {

// The users table's columns, in the order of the parameters of a row of InsertUsersSql.
constexpr std::string_view kUserColumns =
    "id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, picture, "
    "age, age_band, email_domain, country, nat, tenure_days, event_time, id_key";
constexpr int kUserParameters = 20;  // per row

// The users table has no key: its rows are only appended, or updated by rowid. Their keys, `id_key`
// = uuid_key(id) (16 bytes for a canonical UUID: base/sqlite.h BindUuidKey), are indexed in a table
// of their own, <table>_keys, a slice of the key space at a time (base/sqlite_key_index.h), so that
// a commit does not rewrite most of a key index of random ids. Its columns are not declared NOT
// NULL (the sink never writes a NULL: BindUser binds every one, from strings and integers).
// Declared so, they would make SQLite run every insert of many rows with a statement journal, a
// copy of each page the statement changes, kept so that a NULL met halfway could undo that
// statement alone. The sink undoes a failed batch whole, by rolling back its transaction.
std::string KeysTable(const std::string& table) { return table + "_keys"; }
constexpr std::string_view kKeyColumn = "id_key";

std::string CreateSchema(const std::string& table) {
  return fmt::format(R"sql(
CREATE TABLE IF NOT EXISTS {0} (
  id TEXT,
  first_name TEXT, last_name TEXT, gender TEXT, address TEXT, post_code TEXT, email TEXT, username TEXT,
  dob TEXT, registered_date TEXT, phone TEXT, picture TEXT,
  age INTEGER, age_band TEXT, email_domain TEXT, country TEXT, nat TEXT, tenure_days INTEGER, event_time TEXT,
  id_key BLOB
);
{1}
-- Where each input partition stands (sink/sink.h PartitionCheckpoint), written with its rows.
CREATE TABLE IF NOT EXISTS rtpipe_checkpoints (
  consumer_group TEXT NOT NULL, topic TEXT NOT NULL, partition INTEGER NOT NULL,
  next_offset INTEGER NOT NULL, records INTEGER NOT NULL, dlq_ends TEXT NOT NULL, state BLOB NOT NULL,
  PRIMARY KEY (consumer_group, topic, partition)
);
-- Each input partition's value of each aggregate window; the aggregate tables hold their sums.
CREATE TABLE IF NOT EXISTS rtpipe_window_partials (
  aggregate TEXT NOT NULL, window_start TEXT NOT NULL, dimensions TEXT NOT NULL, partition INTEGER NOT NULL,
  window_end TEXT NOT NULL, users INTEGER NOT NULL, sum_age INTEGER NOT NULL, min_age INTEGER NOT NULL,
  max_age INTEGER NOT NULL, final INTEGER NOT NULL,
  PRIMARY KEY (aggregate, window_start, dimensions, partition)
);
)sql",
                     table,
                     SqliteKeyIndex::CreateTablesSql(KeysTable(table), kKeyColumn) +
                         SqliteKeyIndex::CreateViewSql(table, KeysTable(table), kKeyColumn));
}

// The insert of `rows` new users.
std::string InsertUsersSql(const std::string& table, int rows) {
  return fmt::format("INSERT INTO {} ({}) VALUES {}", table, kUserColumns, SqlValueRows(rows, kUserParameters));
}
// The update of a known user's row: ?21 is its rowid.
std::string UpdateUserSql(const std::string& table) {
  return fmt::format("UPDATE {} SET ({}) = {} WHERE rowid = ?{}", table, kUserColumns, SqlValueRows(1, kUserParameters),
                     kUserParameters + 1);
}

// Binds `u` as the row of `s` whose parameters follow `first`, `key` its id's key; `event_time`
// keeps its event time's text until `s` runs.
void BindUser(SqliteStatement& s, int first, const CreatedUser& u, const UuidKey& key, std::string& event_time) {
  s.BindText(first + 1, u.id);
  s.BindText(first + 2, u.first_name);
  s.BindText(first + 3, u.last_name);
  s.BindText(first + 4, u.gender);
  s.BindText(first + 5, u.address);
  s.BindText(first + 6, u.post_code);
  s.BindText(first + 7, u.email);
  s.BindText(first + 8, u.username);
  s.BindText(first + 9, u.dob);
  s.BindText(first + 10, u.registered_date);
  s.BindText(first + 11, u.phone);
  s.BindText(first + 12, u.picture);
  s.BindInt(first + 13, u.age);
  s.BindText(first + 14, u.age_band);
  s.BindText(first + 15, u.email_domain);
  s.BindText(first + 16, u.country);
  s.BindText(first + 17, u.nat);
  s.BindInt(first + 18, u.tenure_days);
  event_time = FormatIso8601(u.event_time);
  s.BindText(first + 19, event_time);
  s.BindUuidKey(first + 20, key);
}

// A users table of an older shape is rebuilt in the current one, in one transaction (a crash leaves
// it as it was): one made before it had `id_key` (keyed by the id's text), one keyed by `id_key`
// itself, or one whose columns are NOT NULL (CreateSchema says why they are not).
Status MigrateUsersTable(SqliteDb& db, const std::string& table) {
  std::string columns = fmt::format("SELECT COUNT(*) FROM pragma_table_info('{}')", table);
  RTPIPE_ASSIGN_OR_RETURN(auto existing, db.QueryInt(columns));
  RTPIPE_ASSIGN_OR_RETURN(auto keyed, db.QueryInt(columns + " WHERE name = 'id_key'"));
  RTPIPE_ASSIGN_OR_RETURN(auto indexed, db.QueryInt(columns + " WHERE pk > 0"));
  RTPIPE_ASSIGN_OR_RETURN(auto not_null, db.QueryInt(columns + " WHERE \"notnull\""));
  if (existing.value_or(0) == 0 || (keyed.value_or(0) > 0 && indexed.value_or(0) == 0 && not_null.value_or(0) == 0)) {
    return Status::OK();
  }
  RTPIPE_ASSIGN_OR_RETURN(auto rows, db.QueryInt(fmt::format("SELECT COUNT(*) FROM {}", table)));
  GetLogger("sink")->info("{}: rebuilding {} ({}), {} rows", db.path(), table,
                          keyed.value_or(0) == 0     ? "with id_key = uuid_key(id)"
                          : not_null.value_or(0) > 0 ? "without NOT NULL columns"
                                                     : "with its keys in a table of their own",
                          rows.value_or(0));
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_RETURN_IF_ERROR(db.Exec(fmt::format("ALTER TABLE {0} RENAME TO {0}_rebuilt", table)));
  RTPIPE_RETURN_IF_ERROR(db.Exec(CreateSchema(table)));
  const std::string values(kUserColumns.substr(0, kUserColumns.rfind(", id_key")));
  RTPIPE_RETURN_IF_ERROR(db.Exec(fmt::format(
      "INSERT INTO {0} (rowid, {1}, id_key) SELECT rowid, {1}, uuid_key(id) FROM {0}_rebuilt ORDER BY rowid; "
      "DROP TABLE {0}_rebuilt",
      table, values)));  // SqliteKeyIndex::Open indexes the rows
  return tx.Commit();
}

// Aggregate tables: (window_start, dimensions...) is the primary key and comes first, so that
// `ORDER BY 1, 2, 3` is a total order.
std::string CreateAggregateTable(const AggregateDefinition& def) {
  std::string columns = "window_start TEXT NOT NULL";
  std::string key = "window_start";
  for (const auto& d : def.dimensions) {
    columns += fmt::format(", {} TEXT NOT NULL", d);
    key += ", " + d;
  }
  columns += ", window_end TEXT NOT NULL, users INTEGER NOT NULL";
  if (def.age_stats) columns += ", avg_age REAL NOT NULL, min_age INTEGER NOT NULL, max_age INTEGER NOT NULL";
  columns += ", final INTEGER NOT NULL";
  return fmt::format("CREATE TABLE IF NOT EXISTS {} ({}, PRIMARY KEY ({}))", def.table, columns, key);
}

std::string UpsertAggregateSql(const AggregateDefinition& def) {
  std::string names = "window_start", values = "?1", key = "window_start";
  int n = 1;
  for (const auto& d : def.dimensions) {
    names += ", " + d;
    values += fmt::format(", ?{}", ++n);
    key += ", " + d;
  }
  std::vector<std::string> rest = {"window_end", "users"};
  if (def.age_stats) rest.insert(rest.end(), {"avg_age", "min_age", "max_age"});
  rest.emplace_back("final");
  std::string updates;
  for (const auto& r : rest) {
    names += ", " + r;
    values += fmt::format(", ?{}", ++n);
    updates += fmt::format("{}{} = excluded.{}", updates.empty() ? "" : ", ", r, r);
  }
  return fmt::format("INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}", def.table, names, values, key,
                     updates);
}

std::string JoinDimensions(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back('\x1f');
    out += values[i];
  }
  return out;
}

}  // namespace

struct SqliteSink::Statements {
  SqliteKeyIndex keys;
  SqliteStatement insert_user;                                          // a new user
  SqliteStatement insert_users;                                         // SqliteKeyIndex::kRowsPerInsert new users
  SqliteStatement update_user;                                          // a known user, by rowid
  std::array<std::string, SqliteKeyIndex::kRowsPerInsert> event_times;  // bound to a statement until it runs
  SqliteStatement checkpoint;                                           // forward only
  SqliteStatement upsert_partial;
  SqliteStatement sum_partials;
  std::vector<SqliteStatement> upsert_aggregate;  // one per aggregate
};

SqliteSink::SqliteSink(std::unique_ptr<SqliteDb> db, std::unique_ptr<Statements> statements,
                       std::vector<AggregateDefinition> aggregates)
    : db_(std::move(db)), statements_(std::move(statements)), aggregates_(std::move(aggregates)) {}
SqliteSink::~SqliteSink() = default;

Result<std::unique_ptr<SqliteSink>> SqliteSink::Open(const std::string& path, const std::string& table,
                                                     std::vector<AggregateDefinition> aggregates) {
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(MigrateUsersTable(*db, table).WithContext("migrating " + path));
  RTPIPE_RETURN_IF_ERROR(db->Exec(CreateSchema(table)));
  RTPIPE_RETURN_IF_ERROR(db->CheckpointInBackground());
  RTPIPE_ASSIGN_OR_RETURN(auto keys, SqliteKeyIndex::Open(*db, table, KeysTable(table), kKeyColumn));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_user, db->Prepare(InsertUsersSql(table, 1)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_users,
                          db->Prepare(InsertUsersSql(table, static_cast<int>(SqliteKeyIndex::kRowsPerInsert))));
  RTPIPE_ASSIGN_OR_RETURN(auto update_user, db->Prepare(UpdateUserSql(table)));
  RTPIPE_ASSIGN_OR_RETURN(
      auto checkpoint,
      db->Prepare("INSERT INTO rtpipe_checkpoints (consumer_group, topic, partition, next_offset, records, dlq_ends, "
                  "state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (consumer_group, topic, partition) DO "
                  "UPDATE SET next_offset = excluded.next_offset, records = excluded.records, dlq_ends = "
                  "excluded.dlq_ends, state = excluded.state WHERE excluded.next_offset >= next_offset"));
  RTPIPE_ASSIGN_OR_RETURN(
      auto upsert_partial,
      db->Prepare("INSERT INTO rtpipe_window_partials (aggregate, window_start, dimensions, partition, window_end, "
                  "users, sum_age, min_age, max_age, final) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
                  "ON CONFLICT (aggregate, window_start, dimensions, partition) DO UPDATE SET window_end = "
                  "excluded.window_end, users = excluded.users, sum_age = excluded.sum_age, min_age = "
                  "excluded.min_age, max_age = excluded.max_age, final = excluded.final"));
  RTPIPE_ASSIGN_OR_RETURN(
      auto sum_partials,
      db->Prepare("SELECT MAX(window_end), SUM(users), SUM(sum_age), MIN(min_age), MAX(max_age), MIN(final) "
                  "FROM rtpipe_window_partials WHERE aggregate = ?1 AND window_start = ?2 AND dimensions = ?3"));
  auto st = std::make_unique<Statements>(Statements{std::move(keys),
                                                    std::move(insert_user),
                                                    std::move(insert_users),
                                                    std::move(update_user),
                                                    {},
                                                    std::move(checkpoint),
                                                    std::move(upsert_partial),
                                                    std::move(sum_partials),
                                                    {}});
  for (const auto& def : aggregates) {
    RTPIPE_RETURN_IF_ERROR(db->Exec(CreateAggregateTable(def)));
    RTPIPE_ASSIGN_OR_RETURN(auto upsert, db->Prepare(UpsertAggregateSql(def)));
    st->upsert_aggregate.push_back(std::move(upsert));
  }
  return std::unique_ptr<SqliteSink>(new SqliteSink(std::move(db), std::move(st), std::move(aggregates)));
}

Result<SinkCheckpoint> SqliteSink::LoadCheckpoint(const std::string& group) {
  RTPIPE_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT topic, partition, next_offset, records, dlq_ends, state "
                                                   "FROM rtpipe_checkpoints WHERE consumer_group = ?1"));
  query.BindText(1, group);
  SinkCheckpoint checkpoint;
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(bool row, query.Step());
    if (!row) break;
    PartitionCheckpoint p;
    p.next_offset = Offset(query.ColumnInt(2));
    p.records = query.ColumnInt(3);
    RTPIPE_ASSIGN_OR_RETURN(p.dlq_ends, DecodeLogEnds(query.ColumnText(4)));
    p.state = std::string(query.ColumnText(5));
    checkpoint[{std::string(query.ColumnText(0)), PartitionId(static_cast<int32_t>(query.ColumnInt(1)))}] =
        std::move(p);
  }
  return checkpoint;
}

Status SqliteSink::UpsertUsers(const std::vector<CreatedUser>& users) {
  std::vector<UuidKey> keys;  // each user's, converted once
  keys.reserve(users.size());
  for (const CreatedUser& u : users) keys.emplace_back(u.id);
  // Key order is not the rows' order in memory: each row's strings are fetched ahead.
  auto prefetch_strings = [](const CreatedUser& u) {
    for (const std::string* text : {&u.id, &u.first_name, &u.last_name, &u.address, &u.post_code, &u.email, &u.username,
                                    &u.dob, &u.registered_date, &u.phone, &u.picture, &u.email_domain}) {
      PrefetchBytes(text->data(), text->size());
    }
  };
  auto insert = [&](std::span<const uint32_t> rows) {
    SqliteStatement& s = rows.size() == 1 ? statements_->insert_user : statements_->insert_users;
    for (size_t k = 0; k < rows.size(); ++k) {
      BindUser(s, static_cast<int>(k) * kUserParameters, users[rows[k]], keys[rows[k]], statements_->event_times[k]);
    }
    return s.Run();
  };
  auto update = [&](uint32_t i, int64_t row) {
    SqliteStatement& s = statements_->update_user;
    BindUser(s, 0, users[i], keys[i], statements_->event_times[0]);
    s.BindInt(kUserParameters + 1, row);
    return s.Run();
  };
  return statements_->keys.Upsert<CreatedUser>(users, keys, prefetch_strings, insert, update);
}

// Stores each partition's window values, then sets every aggregate row they touched to the sum
// over all partitions' values (other processors' partitions included).
Status SqliteSink::UpsertAggregates(const std::vector<AggregateRow>& rows) {
  std::set<std::tuple<size_t, std::string, std::string>> touched;  // (aggregate, window_start, dimensions)
  std::map<std::tuple<size_t, std::string, std::string>, const AggregateRow*> sample;
  for (const AggregateRow& row : rows) {
    RTPIPE_ASSERT(row.definition < aggregates_.size());
    std::string start = FormatIso8601(row.window_start), end = FormatIso8601(row.window_end);
    std::string dims = JoinDimensions(row.dimensions);
    auto& s = statements_->upsert_partial;
    s.BindText(1, aggregates_[row.definition].table);
    s.BindText(2, start);
    s.BindText(3, dims);
    s.BindInt(4, row.partition);
    s.BindText(5, end);
    s.BindInt(6, row.users);
    s.BindInt(7, row.sum_age);
    s.BindInt(8, row.min_age);
    s.BindInt(9, row.max_age);
    s.BindInt(10, row.final ? 1 : 0);
    RTPIPE_RETURN_IF_ERROR(s.Run());
    auto key = std::make_tuple(row.definition, std::move(start), std::move(dims));
    sample[key] = &row;
    touched.insert(std::move(key));
  }
  for (const auto& key : touched) {
    const auto& [definition, start, dims] = key;
    const AggregateDefinition& def = aggregates_[definition];
    auto& sum = statements_->sum_partials;
    sum.BindText(1, def.table);
    sum.BindText(2, start);
    sum.BindText(3, dims);
    auto row = sum.Step();
    if (!row.ok() || !*row) {
      sum.Reset();
      return row.ok() ? Status::Internal("no partial values for {} {}", def.table, start) : row.status();
    }
    std::string end(sum.ColumnText(0));
    int64_t users = sum.ColumnInt(1), sum_age = sum.ColumnInt(2), min_age = sum.ColumnInt(3),
            max_age = sum.ColumnInt(4), final = sum.ColumnInt(5);
    sum.Reset();
    auto& s = statements_->upsert_aggregate[definition];
    int n = 0;
    s.BindText(++n, start);
    for (const auto& value : sample.at(key)->dimensions) s.BindText(++n, value);
    s.BindText(++n, end);
    s.BindInt(++n, users);
    if (def.age_stats) {
      s.BindDouble(++n, users > 0 ? static_cast<double>(sum_age) / static_cast<double>(users) : 0.0);
      s.BindInt(++n, min_age);
      s.BindInt(++n, max_age);
    }
    s.BindInt(++n, final);
    RTPIPE_RETURN_IF_ERROR(s.Run());
  }
  return Status::OK();
}

Status SqliteSink::Write(const std::string& group, const SinkBatch& batch) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(*db_));
  RTPIPE_RETURN_IF_ERROR(UpsertUsers(batch.users));
  RTPIPE_RETURN_IF_ERROR(UpsertAggregates(batch.aggregates));
  for (const auto& [tp, p] : batch.checkpoint) {
    std::string ends = EncodeLogEnds(p.dlq_ends);
    auto& s = statements_->checkpoint;
    s.BindText(1, group);
    s.BindText(2, tp.topic);
    s.BindInt(3, tp.partition.value());
    s.BindInt(4, p.next_offset.value());
    s.BindInt(5, p.records);
    s.BindText(6, ends);
    s.BindBlob(7, p.state);
    RTPIPE_RETURN_IF_ERROR(s.Run());
  }
  RTPIPE_RETURN_IF_ERROR(tx.Commit());
  statements_->keys.Committed();
  return Status::OK();
}

}  // namespace rtpipe
