#pragma once
// `rtpipe query` on a Cassandra analytics store: the statement runs as CQL, with the session's
// keyspace set to sink.keyspace (so both `created_users` and `spark_streams.created_users` work).

#include <string_view>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"
#include "rtpipe/sink/query.h"

namespace rtpipe {

/// Runs one SELECT at sink.consistency and returns every page. Integers come back as int64_t,
/// float/double as double, booleans as 0/1 (as the SQLite store keeps them), text as text, and
/// other types as their text form (uuid, ISO-8601 timestamps, dates, collections).
Result<QueryResult> RunCassandraQuery(const Config& config, std::string_view cql);

}  // namespace rtpipe
