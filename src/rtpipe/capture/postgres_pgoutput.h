#pragma once
// Decoder of the messages of PostgreSQL's built-in logical decoding plugin `pgoutput`, protocol
// version 1 (PostgreSQL docs, "Logical Replication Message Formats"). The bytes come from the
// server inside XLogData messages of the replication stream; they are checked, never trusted:
// a truncated or malformed message is a Corruption error, never a crash.
//
// Byte layout (integers big-endian; String = NUL-terminated):
//   'B' Begin     Int64 final LSN (the commit record's), Int64 commit time, Int32 xid
//   'C' Commit    Int8 flags, Int64 commit LSN, Int64 end LSN of the transaction, Int64 commit time
//   'R' Relation  Int32 relation id, String namespace, String name, Int8 replica identity,
//                 Int16 columns, then per column: Int8 flags (1 = key), String name, Int32 type
//                 oid, Int32 type modifier
//   'I' Insert    Int32 relation id, 'N', TupleData
//   'U' Update    Int32 relation id, optional ('K' | 'O', TupleData) old values, 'N', TupleData
//   'D' Delete    Int32 relation id, 'K' | 'O', TupleData
//   'O' Origin, 'Y' Type, 'T' Truncate, 'M' Message: recognised and skipped
//   TupleData     Int16 columns, then per column: 'n' (null) | 'u' (unchanged TOAST value, not
//                 sent) | 't' Int32 length + text bytes
// Times are microseconds since 2000-01-01 UTC (the PostgreSQL epoch).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/landing/postgres_lsn.h"

namespace rtpipe::pgoutput {

/// Microseconds between the Unix epoch and the PostgreSQL epoch (2000-01-01).
inline constexpr int64_t kPgEpochUnixMicros = 946'684'800'000'000;

enum class Kind : uint8_t { kBegin, kCommit, kRelation, kInsert, kUpdate, kDelete, kSkipped };

struct Column {
  std::string name;
  uint32_t type_oid = 0;
  bool key = false;
};

struct Relation {
  uint32_t id = 0;
  std::string ns;
  std::string name;
  std::vector<Column> columns;
};

struct Value {
  enum class Tag : uint8_t { kNull, kUnchanged, kText } tag = Tag::kNull;
  std::string_view text;  // kText: points into the decoded message's bytes
};

/// One decoded message. Only the fields of its kind are meaningful. Reused between calls to
/// avoid allocation; views point into the bytes passed to Decode.
struct Message {
  Kind kind = Kind::kSkipped;
  char tag = 0;                // the message's type byte
  PgLsn lsn;                   // Begin: final LSN; Commit: commit LSN
  PgLsn end_lsn;               // Commit: end of the transaction (where a restart resumes)
  int64_t commit_time_us = 0;  // Begin/Commit: Unix microseconds
  uint32_t xid = 0;            // Begin
  uint32_t relation_id = 0;    // Insert/Update/Delete
  std::vector<Value> tuple;    // Insert/Update: the new values; Delete: the key/old values
  Relation relation;           // Relation
};

/// Decodes one pgoutput message into `out`.
Status Decode(std::string_view bytes, Message& out);

/// Parses a timestamptz as the server writes it with DateStyle ISO ("2026-01-02 03:04:05.678901+00",
/// also "+05:30", no fraction, or a "T" separator) into Unix microseconds.
Result<int64_t> ParseTimestampMicros(std::string_view text);

}  // namespace rtpipe::pgoutput
