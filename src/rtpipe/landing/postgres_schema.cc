#include "rtpipe/landing/postgres_schema.h"

#include <charconv>
#include <string_view>

#include "rtpipe/base/logging.h"

namespace rtpipe::pg {
namespace {

struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

// Applied in order, each once. A released migration is never edited: later versions ALTER.
constexpr Migration kMigrations[] = {
    {1, "users, rejected_records, ingest and capture state", R"sql(
CREATE TABLE users (
  uuid text PRIMARY KEY,                -- login.uuid, the natural key
  gender text,
  title text,
  first_name text,
  last_name text,
  street_number bigint,
  street_name text,
  city text,
  state text,
  country text,
  postcode text,                        -- a JSON number for some nationalities, a string for others
  postcode_is_number boolean,
  latitude text,                        -- strings in the API
  longitude text,
  timezone_offset text,
  timezone_description text,
  email text,
  username text,
  password text,
  salt text,
  md5 text,
  sha1 text,
  sha256 text,
  dob timestamptz,                      -- NULL when the record's dob.date is not an ISO-8601 time
  dob_age integer,
  registered timestamptz,
  registered_age integer,
  phone text,
  cell text,
  id_name text,
  id_value text,                        -- null for IR, NZ, TR, UA
  picture_large text,
  picture_medium text,
  picture_thumbnail text,
  nat text,
  raw text NOT NULL,                    -- the record's JSON, byte for byte as received (raw::json to query
                                        -- it; text because rtpipe validated it already: json costs 8 us/row)
  event_time timestamptz NOT NULL,
  ingested_at timestamptz NOT NULL,     -- when the batch that last changed the row was fetched
  run_id bigint NOT NULL,
  version integer NOT NULL DEFAULT 1    -- 1 when inserted, +1 on every change
);
CREATE TABLE rejected_records (
  source_key text PRIMARY KEY,          -- where it came from + a hash of its bytes
  key text,
  dead_letter json NOT NULL,
  event_time timestamptz NOT NULL,
  ingested_at timestamptz NOT NULL,
  run_id bigint NOT NULL
);
CREATE TABLE ingest_state (
  id integer PRIMARY KEY CHECK (id = 1),
  seed text NOT NULL,
  page bigint NOT NULL,
  skip integer NOT NULL,
  source_records bigint NOT NULL,
  changes bigint NOT NULL DEFAULT 0,    -- published changes landed so far
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ingest_runs (
  run_id bigserial PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  pid integer NOT NULL,
  client text NOT NULL
);
CREATE TABLE capture_state (
  slot text PRIMARY KEY,
  position pg_lsn,                      -- every change up to here is in the log
  log_ends json,                        -- the log's end offsets right after those appends were durable
  landed_seen bigint NOT NULL DEFAULT 0,  -- ingest_state.changes as of position
  commit_time timestamptz,              -- commit time of the transaction at position
  slot_created_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
)sql"},
};

constexpr int64_t kMigrationLock = 0x72747069'70650001;  // "rtpipe" + 1: pg_advisory_xact_lock key

}  // namespace

Result<ServerFacts> CheckServer(PgConnection& conn) {
  ServerFacts facts;
  facts.version = conn.server_version();
  const std::string& where = conn.endpoint().where;
  if (facts.version < 150000) {
    return Status::FailedPrecondition(
        "PostgreSQL at {} is version {}.{}; rtpipe needs PostgreSQL 15 or newer (publication column lists)", where,
        facts.version / 10000, facts.version % 10000);
  }
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult r, conn.Query("SELECT current_setting('wal_level'), "
                             "(SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user), "
                             "current_setting('wal_segment_size'), current_setting('wal_block_size'), current_user",
                             "checking the server"));
  std::string_view wal_level = r.Text(0, 0);
  if (wal_level != "logical") {
    return Status::FailedPrecondition(
        "PostgreSQL at {} has wal_level = {}; capturing changes by logical replication needs wal_level = logical. "
        "Set it (as a superuser: ALTER SYSTEM SET wal_level = logical) and restart the server",
        where, wal_level);
  }
  if (r.Text(0, 1) != "t") {
    return Status::PermissionDenied(
        "role \"{}\" on PostgreSQL at {} may not use replication: rtpipe captures the landed changes by logical "
        "replication, which needs the REPLICATION attribute (as a superuser: ALTER ROLE \"{}\" WITH REPLICATION)",
        r.Text(0, 4), where, r.Text(0, 4));
  }
  // wal_segment_size reads like "16MB"; wal_block_size is bytes.
  std::string_view segment = r.Text(0, 2);
  int64_t unit = segment.ends_with("GB")   ? (1 << 30)
                 : segment.ends_with("MB") ? (1 << 20)
                 : segment.ends_with("kB") ? 1024
                                           : 1;
  int64_t count = 0;
  std::from_chars(segment.data(), segment.data() + segment.size(), count);
  facts.wal_segment_size = count * unit;
  RTPIPE_ASSIGN_OR_RETURN(facts.wal_block_size, r.Int(0, 3));
  return facts;
}

Status MigrateSchema(PgConnection& conn) {
  RTPIPE_RETURN_IF_ERROR(conn.Exec("BEGIN", "migrating the schema"));
  auto migrate = [&]() -> Status {
    RTPIPE_RETURN_IF_ERROR(conn.Exec(fmt::format("SELECT pg_advisory_xact_lock({}); "
                                                 "CREATE TABLE IF NOT EXISTS rtpipe_schema_migrations ("
                                                 "version integer PRIMARY KEY, description text NOT NULL, "
                                                 "applied_at timestamptz NOT NULL DEFAULT now())",
                                                 kMigrationLock),
                                     "migrating the schema"));
    RTPIPE_ASSIGN_OR_RETURN(PgResult r, conn.Query("SELECT coalesce(max(version), 0) FROM rtpipe_schema_migrations",
                                                   "reading the schema version"));
    RTPIPE_ASSIGN_OR_RETURN(int64_t current, r.Int(0, 0));
    if (current > kSchemaVersion) {
      return Status::FailedPrecondition(
          "the landing database at {} has schema version {}, newer than this rtpipe knows ({}): upgrade rtpipe",
          conn.endpoint().where, current, kSchemaVersion);
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      RTPIPE_RETURN_IF_ERROR(conn.Exec(m.sql, fmt::format("applying schema migration {}", m.version)));
      RTPIPE_RETURN_IF_ERROR(conn.Query("INSERT INTO rtpipe_schema_migrations (version, description) VALUES ($1, $2)",
                                        {std::to_string(m.version), std::string(m.description)},
                                        "recording the schema version")
                                 .status());
      GetLogger("landing")->info("PostgreSQL at {}: applied schema migration {} ({})", conn.endpoint().where, m.version,
                                 m.description);
    }
    return conn.Exec("COMMIT", "migrating the schema");
  };
  Status s = migrate();
  if (!s.ok() && !conn.broken()) (void)conn.Exec("ROLLBACK", "migrating the schema");
  return s;
}

Status EnsurePublication(PgConnection& conn, const std::string& publication) {
  RTPIPE_ASSIGN_OR_RETURN(PgResult r, conn.Query("SELECT count(*) FROM pg_publication WHERE pubname = $1",
                                                 {publication}, "looking up the publication"));
  if (r.Text(0, 0) == "0") {
    Status s = conn.Exec(fmt::format("CREATE PUBLICATION {} FOR TABLE users (uuid, raw, event_time, ingested_at), "
                                     "rejected_records (source_key, key, dead_letter, event_time, ingested_at), "
                                     "ingest_state (id, changes) WITH (publish = 'insert, update')",
                                     QuoteIdent(publication)),
                         "creating the publication");
    // Another rtpipe starting at the same moment may have created it (42710 duplicate_object).
    if (!s.ok() && s.message().find("42710") == std::string::npos) return s;
    if (s.ok())
      GetLogger("landing")->info("PostgreSQL at {}: created publication {}", conn.endpoint().where, publication);
  }
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult tables,
      conn.Query("SELECT count(*) FROM pg_publication_tables WHERE pubname = $1 AND schemaname = current_schema() "
                 "AND tablename IN ('users', 'rejected_records', 'ingest_state')",
                 {publication}, "checking the publication"));
  if (tables.Text(0, 0) != "3") {
    return Status::FailedPrecondition(
        "publication \"{}\" on PostgreSQL at {} exists but does not publish the tables users, rejected_records and "
        "ingest_state: drop it (DROP PUBLICATION) to let rtpipe create it, or choose another capture.publication",
        publication, conn.endpoint().where);
  }
  return Status::OK();
}

Result<SlotSetup> EnsureSlot(PgConnection& conn, const std::string& slot) {
  SlotSetup setup;
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult r, conn.Query("SELECT slot_type, coalesce(plugin, ''), coalesce(database, ''), current_database() "
                             "FROM pg_replication_slots WHERE slot_name = $1",
                             {slot}, "looking up the replication slot"));
  if (r.rows() == 1) {
    if (r.Text(0, 0) != "logical" || r.Text(0, 1) != "pgoutput") {
      return Status::FailedPrecondition(
          "replication slot \"{}\" on PostgreSQL at {} is a {} slot with plugin \"{}\"; rtpipe needs a pgoutput "
          "logical slot: choose another capture.slot",
          slot, conn.endpoint().where, r.Text(0, 0), r.Text(0, 1));
    }
    if (r.Text(0, 2) != r.Text(0, 3)) {
      return Status::FailedPrecondition(
          "replication slot \"{}\" on PostgreSQL at {} belongs to database \"{}\", not \"{}\": choose another "
          "capture.slot",
          slot, conn.endpoint().where, r.Text(0, 2), r.Text(0, 3));
    }
    return setup;
  }
  // Creating a slot waits for running transactions to end; do not wait for ever.
  RTPIPE_RETURN_IF_ERROR(conn.Exec("SET statement_timeout = '60s'", "creating the replication slot"));
  auto created = conn.Query("SELECT lsn FROM pg_create_logical_replication_slot($1, 'pgoutput')", {slot},
                            "creating the replication slot");
  RTPIPE_RETURN_IF_ERROR(conn.Exec("RESET statement_timeout", "creating the replication slot"));
  if (!created.ok()) {
    if (created.status().message().find("42710") != std::string::npos) return setup;  // created concurrently
    return created.status();
  }
  setup.created = true;
  // Changes landed from now on are captured: the backlog count starts here. A position already in
  // capture_state means an earlier slot of that name was dropped.
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult state,
      conn.Query("INSERT INTO capture_state (slot, landed_seen, slot_created_at) "
                 "VALUES ($1, coalesce((SELECT changes FROM ingest_state WHERE id = 1), 0), now()) "
                 "ON CONFLICT (slot) DO UPDATE SET landed_seen = EXCLUDED.landed_seen, slot_created_at = now() "
                 "RETURNING (SELECT position::text FROM capture_state WHERE slot = $1)",
                 {slot}, "recording the new replication slot"));
  if (!state.IsNull(0, 0)) setup.lost_after = std::string(state.Text(0, 0));
  auto log = GetLogger("capture");
  log->info("PostgreSQL at {}: created replication slot {} at {}", conn.endpoint().where, slot, created->Text(0, 0));
  if (setup.lost_after) {
    log->warn(
        "replication slot {} had been dropped: changes landed between {} and {} are not captured "
        "(they stay in the users table; re-land them to publish them)",
        slot, *setup.lost_after, created->Text(0, 0));
  }
  return setup;
}

Result<std::optional<SlotInfo>> LoadSlot(PgConnection& conn, const std::string& slot) {
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult r,
      conn.Query("SELECT active_pid, confirmed_flush_lsn::text, "
                 "coalesce(pg_current_wal_lsn() - restart_lsn, 0)::bigint, "
                 "coalesce(pg_current_wal_lsn() - confirmed_flush_lsn, 0)::bigint, coalesce(wal_status, '') "
                 "FROM pg_replication_slots WHERE slot_name = $1",
                 {slot}, "reading the replication slot"));
  if (r.rows() == 0) return std::optional<SlotInfo>();
  SlotInfo info;
  if (!r.IsNull(0, 0)) {
    RTPIPE_ASSIGN_OR_RETURN(int64_t pid, r.Int(0, 0));
    info.active_pid = static_cast<int>(pid);
  }
  if (!r.IsNull(0, 1)) {
    RTPIPE_ASSIGN_OR_RETURN(info.confirmed_flush, ParseLsn(r.Text(0, 1)));
  }
  RTPIPE_ASSIGN_OR_RETURN(info.retained_bytes, r.Int(0, 2));
  RTPIPE_ASSIGN_OR_RETURN(info.unconfirmed_bytes, r.Int(0, 3));
  info.wal_status = std::string(r.Text(0, 4));
  return std::optional<SlotInfo>(info);
}

std::string FormatBytes(int64_t bytes) {
  if (bytes < 1024) return fmt::format("{} B", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 3) v /= 1024, ++u;
  int decimals = v < 10 ? 2 : v < 100 ? 1 : 0;
  return fmt::format("{:.{}f} {}", v, decimals, units[u]);
}

Status DropSlot(PgConnection& conn, const std::string& slot, bool terminate_active) {
  for (int attempt = 0;; ++attempt) {
    RTPIPE_ASSIGN_OR_RETURN(auto info, LoadSlot(conn, slot));
    if (!info) return Status::NotFound("no replication slot \"{}\" on PostgreSQL at {}", slot, conn.endpoint().where);
    if (info->active_pid) {
      if (!terminate_active) {
        return Status::FailedPrecondition(
            "replication slot \"{}\" is in use by server process {} (a running rtpipe capture?): stop it first, "
            "or pass --force to end that connection",
            slot, *info->active_pid);
      }
      if (attempt >= 50) {
        return Status::Unavailable("replication slot \"{}\" is still in use by server process {}", slot,
                                   *info->active_pid);
      }
      if (attempt == 0) {
        RTPIPE_RETURN_IF_ERROR(conn.Query("SELECT pg_terminate_backend($1)", {std::to_string(*info->active_pid)},
                                          "ending the connection that holds the slot")
                                   .status());
      }
      RTPIPE_RETURN_IF_ERROR(conn.Exec("SELECT pg_sleep(0.1)", "waiting for the slot to be released"));
      continue;
    }
    auto dropped = conn.Query("SELECT pg_drop_replication_slot($1)", {slot}, "dropping the replication slot");
    // The holder may have re-acquired it between the check and the drop (55006): look again.
    if (!dropped.ok() && dropped.status().IsRetryable() && attempt < 50) continue;
    return dropped.status();
  }
}

}  // namespace rtpipe::pg
