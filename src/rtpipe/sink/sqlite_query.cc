#include <fmt/format.h>

#include <filesystem>
#include <iterator>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/config/url.h"
#include "rtpipe/sink/cassandra/cassandra_query.h"
#include "rtpipe/sink/query.h"

namespace rtpipe {
namespace {

std::string QuoteSqlString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Status Attach(SqliteDb& db, const std::string& path, const std::string& schema) {
  return db.Exec(fmt::format("ATTACH DATABASE {} AS \"{}\"", QuoteSqlString("file:" + path + "?mode=ro"), schema));
}

// A BLOB as the SQL literal that stands for it (x'0b7d...'), so that a key can be pasted into the
// next query.
std::string BlobLiteral(std::string_view bytes) {
  std::string text = "x'";
  for (unsigned char b : bytes) fmt::format_to(std::back_inserter(text), "{:02x}", b);
  text += '\'';
  return text;
}

}  // namespace

Result<QueryResult> RunQuery(const Config& config, std::string_view sql) {
  RTPIPE_ASSIGN_OR_RETURN(Url sink_url, ParseUrl(config.sink.url));
  if (sink_url.scheme == "cassandra") return RunCassandraQuery(config, sql);
  if (sink_url.scheme != "sqlite") {
    return Status::InvalidArgument("rtpipe query works on the SQLite analytics store; sink.url is {}",
                                   MaskUrlPassword(config.sink.url));
  }
  if (!std::filesystem::exists(sink_url.path)) {
    return Status::NotFound("no analytics store at {} (run `rtpipe run` first)", sink_url.path);
  }
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(Attach(*db, sink_url.path, config.sink.keyspace));
  if (auto landing = ParseUrl(config.landing.url);
      landing.ok() && landing->scheme == "sqlite" && std::filesystem::exists(landing->path)) {
    RTPIPE_RETURN_IF_ERROR(Attach(*db, landing->path, "landing"));
  }
  RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA query_only = 1"));
  RTPIPE_ASSIGN_OR_RETURN(auto stmt, db->Prepare(sql));
  QueryResult result;
  for (int i = 0; i < stmt.ColumnCount(); ++i) result.columns.emplace_back(stmt.ColumnName(i));
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    std::vector<QueryValue> values;
    for (int i = 0; i < stmt.ColumnCount(); ++i) {
      switch (stmt.ColumnType(i)) {
        case SQLITE_NULL:
          values.emplace_back(std::monostate{});
          break;
        case SQLITE_INTEGER:
          values.emplace_back(stmt.ColumnInt(i));
          break;
        case SQLITE_FLOAT:
          values.emplace_back(stmt.ColumnDouble(i));
          break;
        case SQLITE_BLOB:
          values.emplace_back(BlobLiteral(stmt.ColumnBlob(i)));
          break;
        default:
          values.emplace_back(std::string(stmt.ColumnText(i)));
          break;
      }
    }
    result.rows.push_back(std::move(values));
  }
  return result;
}

}  // namespace rtpipe
