#include "rtpipe/sink/cassandra/cassandra_query.h"

#include <fmt/format.h>

#include <cctype>
#include <memory>

#include "rtpipe/config/url.h"
#include "rtpipe/sink/cassandra/cassandra_schema.h"
#include "rtpipe/sink/cassandra/session.h"

namespace rtpipe {
namespace {

using cql::CqlTypeId;

QueryValue Cell(const cql::CqlRow& row, size_t column, const cql::CqlType& type) {
  if (row.IsNull(column)) return std::monostate{};
  switch (type.id) {
    case CqlTypeId::kTinyint:
    case CqlTypeId::kSmallint:
    case CqlTypeId::kInt:
    case CqlTypeId::kBigint:
    case CqlTypeId::kCounter:
      if (auto v = row.Get<int64_t>(column); v.ok()) return *v;
      break;
    case CqlTypeId::kFloat:
    case CqlTypeId::kDouble:
      if (auto v = row.Get<double>(column); v.ok()) return *v;
      break;
    case CqlTypeId::kBoolean:
      if (auto v = row.Get<bool>(column); v.ok()) return int64_t{*v ? 1 : 0};
      break;
    case CqlTypeId::kVarchar:
    case CqlTypeId::kAscii:
      return std::string(row.Raw(column));
    default:
      break;
  }
  return row.Format(column);
}

bool IsSelect(std::string_view cql) {
  size_t i = 0;
  while (i < cql.size() && std::isspace(static_cast<unsigned char>(cql[i]))) ++i;
  std::string word;
  while (i < cql.size() && std::isalpha(static_cast<unsigned char>(cql[i]))) {
    word += static_cast<char>(std::toupper(static_cast<unsigned char>(cql[i++])));
  }
  return word == "SELECT";
}

}  // namespace

Result<QueryResult> RunCassandraQuery(const Config& config, std::string_view cql) {
  if (!IsSelect(cql)) {
    return Status::InvalidArgument("rtpipe query runs read-only statements: on Cassandra, a CQL SELECT");
  }
  RTPIPE_ASSIGN_OR_RETURN(CassandraSinkSettings settings, CassandraSettings(config.sink));
  settings.client.keyspace = settings.keyspace;
  settings.client.connections_per_host = 1;
  auto connected = cql::CqlSession::Connect(settings.client);
  if (!connected.ok()) {
    return connected.status().WithContext(fmt::format("analytics store {}", MaskUrlPassword(config.sink.url)));
  }
  std::unique_ptr<cql::CqlSession> session = std::move(*connected);
  QueryResult result;
  auto pager = session->Pages(std::string(cql), {}, 5000);
  bool first = true;
  Status status;
  for (;;) {
    auto page = pager.Next();
    if (!page.ok()) {
      status = page.status();
      break;
    }
    if (!page->has_value()) break;
    const cql::CqlRows& rows = **page;
    if (first) {
      for (const auto& c : rows.columns()) result.columns.push_back(c.name);
      first = false;
    }
    for (size_t r = 0; r < rows.size(); ++r) {
      auto row = rows.row(r);
      std::vector<QueryValue> values;
      values.reserve(rows.column_count());
      for (size_t c = 0; c < rows.columns().size(); ++c) values.push_back(Cell(row, c, rows.columns()[c].type));
      result.rows.push_back(std::move(values));
    }
  }
  session->Close();
  if (!status.ok()) return status;
  return result;
}

}  // namespace rtpipe
