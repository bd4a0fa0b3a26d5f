#pragma once
// The Cassandra sink's settings, tables and write timestamps (see docs/cassandra.md, "The sink").
//
// Tables, all in keyspace `sink.keyspace` (default spark_streams):
//
//   created_users (sink.table)   id uuid PRIMARY KEY, the brief's text columns, dob text, enrichment
//                                (age int, age_band text, email_domain text, country text, nat text,
//                                tenure_days bigint, event_time timestamp)
//   <aggregate>                  PRIMARY KEY ((window_start), <dimensions>...): window_start timestamp,
//                                dimensions text, window_end timestamp, users bigint,
//                                [avg_age double, min_age int, max_age int,] final boolean
//   rtpipe_window_partials       PRIMARY KEY ((aggregate, window_start), dimensions, partition): each
//                                input partition's value of each window (window_end, users, sum_age,
//                                min_age, max_age, final); the aggregate tables hold their sums
//   rtpipe_partition_checkpoints PRIMARY KEY ((consumer_group), topic, partition): next_offset bigint,
//                                records bigint, dlq_ends text, state blob
//
// Write timestamps (microseconds, USING TIMESTAMP through the protocol's default timestamp) make
// every replay converge under last-write-wins and keep newer values from being overwritten by
// older ones:
//   - a user row gets its event time: a later version of a person (a later fetch) wins, and
//     re-writing the same record writes the same cells with the same timestamp;
//   - an aggregate row (and a partition's value of it) gets window_start + 2 * users (+ 1 when final):
//     a window's user count only grows, so a value computed from more records always wins, and the
//     final value wins over the early update with the same count. When processors race to write a
//     window's sum, the sum that saw every partition's value has the most users: it wins.
//   - a partition's checkpoint gets (next_offset << 20) + a per-process sequence: a late write from
//     a processor that has lost the partition (a lower offset) loses to its new owner's.

#include <cstdint>
#include <string>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/strong_id.h"
#include "rtpipe/config/config.h"
#include "rtpipe/model/aggregate.h"
#include "rtpipe/model/created_user.h"
#include "rtpipe/sink/cassandra/options.h"
#include "rtpipe/sink/cassandra/session.h"
#include "rtpipe/sink/cassandra/value.h"

namespace rtpipe {

/// What the Cassandra sink and `rtpipe query` need, resolved from the `sink.*` keys.
struct CassandraSinkSettings {
  cql::CqlOptions client;  // hosts, credentials, consistency and tuning; keyspace left empty
  std::string keyspace;    // sink.keyspace (lower case, as Cassandra stores unquoted names)
  std::string table;       // sink.table (lower case)
  std::string replication;
};

/// Resolves `sink.url` = cassandra://[user[:password]@]host[:port][,host...][/keyspace][?options]
/// with sink.keyspace, sink.consistency and sink.replication. The keyspace is sink.keyspace; the URL
/// may repeat it in its path (and the consistency as ?consistency=), but a different value is an
/// error naming both keys. Unless the URL sets retry_window_ms, requests are retried for
/// kSinkRetryWindow: longer outages come back to the processor as retryable errors, and it retries
/// the batch with backoff (so a stop request is honoured while the store is down).
Result<CassandraSinkSettings> CassandraSettings(const SinkConfig& config);
inline constexpr std::chrono::milliseconds kSinkRetryWindow{10'000};

/// A table the sink owns: columns in order, keys first.
struct CqlColumn {
  enum class Kind { kPartitionKey, kClustering, kRegular };
  std::string name;
  std::string type;  // CQL spelling as system_schema.columns reports it: "uuid", "text", "bigint", ...
  Kind kind = Kind::kRegular;
};
struct CqlTableSpec {
  std::string name;
  std::vector<CqlColumn> columns;
};

CqlTableSpec UsersTableSpec(const std::string& table);
CqlTableSpec AggregateTableSpec(const AggregateDefinition& definition);
CqlTableSpec PartialsTableSpec();
CqlTableSpec CheckpointsTableSpec();

std::string CreateKeyspaceCql(const std::string& keyspace, const std::string& replication);
std::string CreateTableCql(const std::string& keyspace, const CqlTableSpec& table);
/// INSERT INTO keyspace.table (every column, in order) VALUES (?, ...).
std::string InsertCql(const std::string& keyspace, const CqlTableSpec& table);

/// Creates the table if missing. An existing table must have the same key columns (else
/// FailedPrecondition naming them); missing regular columns are added (ALTER TABLE ... ADD), so a
/// table created by the brief's own script gains dob and the enrichment columns; a column of another
/// type is FailedPrecondition.
Status EnsureTable(cql::CqlSession& session, const std::string& keyspace, const CqlTableSpec& table);

/// Write timestamps in microseconds since the epoch (see the top of this file).
int64_t UserWriteMicros(const CreatedUser& user);
int64_t AggregateWriteMicros(const AggregateRow& row);

/// Values for InsertCql(UsersTableSpec(...)); InvalidArgument when the id is not a UUID.
Result<std::vector<cql::CqlValue>> UserValues(const CreatedUser& user);
int64_t CheckpointWriteMicros(Offset next_offset, uint32_t sequence);

/// Values for InsertCql(AggregateTableSpec(definition)).
std::vector<cql::CqlValue> AggregateValues(const AggregateDefinition& definition, const AggregateRow& row);
/// Values for InsertCql(PartialsTableSpec()).
std::vector<cql::CqlValue> PartialValues(const AggregateDefinition& definition, const AggregateRow& row);

}  // namespace rtpipe
