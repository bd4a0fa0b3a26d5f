#pragma once
// The PostgreSQL landing database: the versioned schema, the publication and the replication slot
// that change capture reads. Shared by the landing store (writer) and the change feed (reader);
// both run the same idempotent set-up on start, so either may start first.
//
// Tables (schema version 1, see postgres_schema.cc for the DDL):
//   users                 one row per person, upserted by login.uuid: a typed column per field of
//                         the randomuser.me record, the raw JSON, event_time, ingested_at, run_id,
//                         version (1 when inserted, +1 on every change)
//   rejected_records      records that could not be landed, once each by source key, with their
//                         dead-letter JSON (published to the dead-letter topic)
//   ingest_state          the source position, the record count and `changes`: the running count of
//                         published changes (inserted/updated users + new rejects) — capture reads it
//                         from the change stream to know its backlog
//   ingest_runs           one row per ingest run
//   capture_state         per replication slot: the capture checkpoint (LSN + log end offsets)
//   rtpipe_schema_migrations   the applied schema versions
//
// The publication (capture.publication) carries inserts and updates of users (uuid, raw,
// event_time, ingested_at), rejected_records and ingest_state (id, changes). PostgreSQL needs no
// outbox table: the write-ahead log is the outbox.

#include <optional>
#include <string>

#include "rtpipe/base/result.h"
#include "rtpipe/landing/postgres_connection.h"
#include "rtpipe/landing/postgres_lsn.h"

namespace rtpipe::pg {

inline constexpr int kSchemaVersion = 1;

/// What rtpipe needs to know about the server, checked on every start.
struct ServerFacts {
  int version = 0;               // PQserverVersion, e.g. 150020
  int64_t wal_segment_size = 0;  // bytes
  int64_t wal_block_size = 0;    // bytes
};

/// Fails with a clear message unless the server is PostgreSQL 15 or newer, has wal_level =
/// logical, and the user may use replication (REPLICATION attribute or superuser).
Result<ServerFacts> CheckServer(PgConnection& conn);

/// Creates or upgrades the schema to kSchemaVersion, in one transaction under an advisory lock
/// (concurrent starts are safe). Fails if the database has a newer schema than this rtpipe.
Status MigrateSchema(PgConnection& conn);

/// Creates the publication if missing; fails if an existing one does not publish rtpipe's tables.
Status EnsurePublication(PgConnection& conn, const std::string& publication);

struct SlotSetup {
  bool created = false;
  /// When the slot was created although capture had already run with a slot of that name (it was
  /// dropped): the checkpoint it had, after which landed changes were not captured.
  std::optional<std::string> lost_after;
};

/// Creates the pgoutput logical slot if missing (it then starts at the current WAL position).
/// Fails if a slot of that name exists but is not a pgoutput slot of this database.
Result<SlotSetup> EnsureSlot(PgConnection& conn, const std::string& slot);

/// The replication slot as pg_replication_slots shows it.
struct SlotInfo {
  std::optional<int> active_pid;
  PgLsn confirmed_flush;
  int64_t retained_bytes = 0;     // WAL kept for the slot: current WAL position - restart_lsn
  int64_t unconfirmed_bytes = 0;  // current WAL position - confirmed_flush_lsn
  std::string wal_status;         // reserved, extended, unreserved or lost
};
Result<std::optional<SlotInfo>> LoadSlot(PgConnection& conn, const std::string& slot);

/// "812 KiB", "1.23 GiB": a byte count for people.
std::string FormatBytes(int64_t bytes);

/// Drops the slot. `terminate_active`: end the connection using it first (else an active slot is
/// an error naming the process that holds it).
Status DropSlot(PgConnection& conn, const std::string& slot, bool terminate_active);

}  // namespace rtpipe::pg
