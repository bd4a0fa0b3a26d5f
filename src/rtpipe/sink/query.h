#pragma once
// Ad-hoc queries on the analytics store, so the brief's check works as written:
// `rtpipe query "SELECT COUNT(*) FROM spark_streams.created_users"`.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"

namespace rtpipe {

using QueryValue = std::variant<std::monostate, int64_t, double, std::string>;  // monostate: NULL

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<QueryValue>> rows;
};

/// Runs one read-only SQL statement. With the SQLite store, the analytics database is attached
/// as the keyspace (`spark_streams`) and a SQLite landing database as `landing`.
Result<QueryResult> RunQuery(const Config& config, std::string_view sql);

}  // namespace rtpipe
