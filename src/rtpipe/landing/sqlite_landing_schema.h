#pragma once
// The SQLite landing database: the `users` table, the transactional outbox read by the capture
// stage, and the small state tables. Shared by the landing store (writer) and the outbox feed.

#include <string_view>

namespace rtpipe::sqlite_landing {

// 2: user_records is keyed by uuid_key(uuid), 16 bytes, instead of the uuid's text.
// 3: an outbox row holds all the changes of one topic that one landing transaction made.
// 4: user_records has no key of its own; its keys are in recent_keys and user_keys.
// 5: recent_keys is gone: the keys of the rows added lately are kept in memory until they go to
//    user_keys (base/sqlite_key_index.h), and user_keys_state says from which row on.
inline constexpr int kSchemaVersion = 5;

// Where each person's row is, by key: user_keys, user_keys_state and the view user_keys_all, which
// SqliteKeyIndex::CreateSql makes (kCreateSchema does not).
inline constexpr std::string_view kUserRecords = "user_records";
inline constexpr std::string_view kUserKeys = "user_keys";
inline constexpr std::string_view kKeyColumn = "uuid_key";

inline constexpr std::string_view kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
-- One row per person: the record's bytes as received, stored once (SQLite evaluates generated
-- columns on every insert, which would cost 4x; a view types them on read instead). Its rows are
-- only appended or updated by rowid: the key of each is in user_keys_all.
CREATE TABLE IF NOT EXISTS user_records (
  uuid_key BLOB NOT NULL,  -- uuid_key(uuid): 16 bytes for a canonical UUID (base/sqlite.h BindUuidKey)
  uuid TEXT NOT NULL,
  raw TEXT NOT NULL,
  event_time_ms INTEGER NOT NULL,
  ingested_at TEXT NOT NULL,
  run_id INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1  -- 1 when inserted, +1 on every change
);
-- `users`: every field of the randomuser.me record as a typed column.
CREATE VIEW IF NOT EXISTS users AS SELECT
  uuid,
  strftime('%Y-%m-%dT%H:%M:%fZ', event_time_ms / 1000.0, 'unixepoch') AS event_time,
  json_extract(raw, '$.gender') AS gender,
  json_extract(raw, '$.name.title') AS title,
  json_extract(raw, '$.name.first') AS first_name,
  json_extract(raw, '$.name.last') AS last_name,
  json_extract(raw, '$.location.street.number') AS street_number,
  json_extract(raw, '$.location.street.name') AS street_name,
  json_extract(raw, '$.location.city') AS city,
  json_extract(raw, '$.location.state') AS state,
  json_extract(raw, '$.location.country') AS country,
  CAST(json_extract(raw, '$.location.postcode') AS TEXT) AS postcode,
  json_type(raw, '$.location.postcode') = 'integer' AS postcode_is_number,
  json_extract(raw, '$.location.coordinates.latitude') AS latitude,
  json_extract(raw, '$.location.coordinates.longitude') AS longitude,
  json_extract(raw, '$.location.timezone.offset') AS timezone_offset,
  json_extract(raw, '$.location.timezone.description') AS timezone_description,
  json_extract(raw, '$.email') AS email,
  json_extract(raw, '$.login.username') AS username,
  json_extract(raw, '$.login.password') AS password,
  json_extract(raw, '$.login.salt') AS salt,
  json_extract(raw, '$.login.md5') AS md5,
  json_extract(raw, '$.login.sha1') AS sha1,
  json_extract(raw, '$.login.sha256') AS sha256,
  json_extract(raw, '$.dob.date') AS dob,
  json_extract(raw, '$.dob.age') AS dob_age,
  json_extract(raw, '$.registered.date') AS registered,
  json_extract(raw, '$.registered.age') AS registered_age,
  json_extract(raw, '$.phone') AS phone,
  json_extract(raw, '$.cell') AS cell,
  json_extract(raw, '$.id.name') AS id_name,
  json_extract(raw, '$.id.value') AS id_value,
  json_extract(raw, '$.picture.large') AS picture_large,
  json_extract(raw, '$.picture.medium') AS picture_medium,
  json_extract(raw, '$.picture.thumbnail') AS picture_thumbnail,
  json_extract(raw, '$.nat') AS nat,
  raw, ingested_at, run_id, version, uuid_key,
  rowid AS row  -- where user_keys_all points
FROM user_records;
-- Source records that could not be landed as users, kept once each (so fetching the same page
-- again does not publish the same dead letter twice). `source_key` = where it came from plus a
-- hash of its bytes.
CREATE TABLE IF NOT EXISTS rejected_records (
  source_key TEXT PRIMARY KEY,
  dead_letter TEXT NOT NULL,
  event_time TEXT NOT NULL,
  ingested_at TEXT NOT NULL,
  run_id INTEGER NOT NULL
);
-- Ordered changes awaiting capture: a row per topic per landing transaction, holding its changes
-- in order (`entries`, framed as landing/sqlite_outbox_entries.h describes), so that a
-- transaction of 5,000 users inserts one row, not 5,000. Changes are numbered on from row to row
-- (a change's id is "outbox:" followed by its number). Neither a seq nor a change number is ever
-- reused: capture deletes the captured rows but always keeps the last one, from which both go on.
-- (AUTOINCREMENT would keep seq so at the cost of a sqlite_sequence update per insert.)
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  first_change INTEGER NOT NULL,  -- the number of its first change
  changes INTEGER NOT NULL,       -- how many changes `entries` holds
  entries BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seed TEXT NOT NULL, page INTEGER NOT NULL, skip INTEGER NOT NULL,
  source_records INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS ingest_runs (
  run_id INTEGER PRIMARY KEY AUTOINCREMENT,
  started_at TEXT NOT NULL,
  pid INTEGER NOT NULL
);
-- The capture stage's durable position: the changes of the outbox rows up to seq `position` are in
-- the log, and `log_ends` (JSON) holds the log end offsets right after they became durable (replay
-- guard).
CREATE TABLE IF NOT EXISTS capture_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  position INTEGER NOT NULL,
  log_ends TEXT NOT NULL
);
)sql";

// From schema version 1, where user_records was keyed by the uuid's text; then kCreateSchema makes
// the new table and the view again, and kCopyFromV1 fills the table.
inline constexpr std::string_view kMigrateFromV1 = R"sql(
DROP VIEW users;
ALTER TABLE user_records RENAME TO user_records_v1;
)sql";
inline constexpr std::string_view kCopyFromV1 = R"sql(
INSERT INTO user_records (uuid_key, uuid, raw, event_time_ms, ingested_at, run_id, version)
  SELECT uuid_key(uuid), uuid, raw, event_time_ms, ingested_at, run_id, version FROM user_records_v1 ORDER BY rowid;
DROP TABLE user_records_v1;
UPDATE schema_version SET version = 2;
)sql";

// From schema version 2, where the outbox held a row per change: `outbox_v2` keeps those rows while
// kCreateSchema makes the new table, which SqliteLandingStore fills (each old row becomes a row of
// one change that keeps its seq, and numbers it by that seq: ids and capture_state.position stay
// as they were).
inline constexpr std::string_view kMigrateFromV2 = R"sql(
ALTER TABLE outbox RENAME TO outbox_v2;
)sql";
inline constexpr std::string_view kReadV2Outbox =
    "SELECT seq, topic, key, value, event_time_ms, ingested_us FROM outbox_v2 ORDER BY seq";
inline constexpr std::string_view kDropV2Outbox = R"sql(
DROP TABLE outbox_v2;
UPDATE schema_version SET version = 3;
)sql";

// From schema version 3, where user_records was keyed by uuid_key: the rows keep their rowids, and
// their keys go to user_keys, in key order. The new schema is made between the two.
inline constexpr std::string_view kMigrateFromV3 = R"sql(
DROP VIEW users;
ALTER TABLE user_records RENAME TO user_records_v3;
)sql";
inline constexpr std::string_view kCopyFromV3 = R"sql(
INSERT INTO user_records (rowid, uuid_key, uuid, raw, event_time_ms, ingested_at, run_id, version)
  SELECT rowid, uuid_key, uuid, raw, event_time_ms, ingested_at, run_id, version FROM user_records_v3 ORDER BY rowid;
INSERT INTO user_keys (uuid_key, row) SELECT uuid_key, rowid FROM user_records_v3 ORDER BY uuid_key;
DROP TABLE user_records_v3;
UPDATE schema_version SET version = 4;
)sql";

// From schema version 4: the keys in recent_keys go to user_keys, so every row's key is there (a
// database migrated from version 3 has no recent_keys). The new schema is made between the two.
inline constexpr std::string_view kMigrateFromV4 = R"sql(
CREATE TABLE IF NOT EXISTS recent_keys (uuid_key BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO user_keys (uuid_key, row) SELECT uuid_key, row FROM recent_keys;
DROP TABLE recent_keys;
)sql";
inline constexpr std::string_view kIndexedFromV4 = R"sql(
UPDATE user_keys_state SET indexed_below = (SELECT COALESCE(MAX(rowid), 0) + 1 FROM user_records);
UPDATE schema_version SET version = 5;
)sql";

}  // namespace rtpipe::sqlite_landing
