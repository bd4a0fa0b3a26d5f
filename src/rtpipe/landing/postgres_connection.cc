#include "rtpipe/landing/postgres_connection.h"

#include <charconv>
#include <thread>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/url.h"
#include "rtpipe/config/values.h"

namespace rtpipe {
namespace {

bool Contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// libpq's message without its "connection to server at ... failed: " prefix and "FATAL:  " tags,
// on one line.
std::string CleanMessage(std::string_view raw) {
  std::string_view text = raw;
  for (;;) {
    size_t failed = text.find(" failed: ");
    if (failed == std::string_view::npos || !text.substr(0, failed).starts_with("connection to server")) break;
    text = text.substr(failed + 9);
  }
  std::string out;
  bool pending_break = false;  // a line break seen: becomes "; " before the next text
  for (size_t i = 0; i < text.size(); ++i) {
    std::string_view rest = text.substr(i);
    if (rest.starts_with("FATAL:  ") || rest.starts_with("ERROR:  ")) {
      i += 7;
      continue;
    }
    char c = text[i];
    if (c == '\n' || c == '\r') {
      pending_break = true;
      continue;
    }
    if (c == '\t' || (c == ' ' && (out.empty() || out.back() == ' '))) {
      if (!pending_break && !out.empty() && out.back() != ' ') out += ' ';
      continue;
    }
    if (pending_break && !out.empty()) out += "; ";
    pending_break = false;
    out.push_back(c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A failed connection attempt, classified by what libpq and the server said.
Status ConnectError(PGconn* conn, const PgEndpoint& endpoint, PgConnection::Mode mode) {
  std::string message = CleanMessage(conn != nullptr ? PQerrorMessage(conn) : "out of memory");
  std::string who = fmt::format("PostgreSQL at {} (user \"{}\")", endpoint.where, endpoint.user);
  if (Contains(message, "password authentication failed") || Contains(message, "authentication failed") ||
      Contains(message, "no password supplied") || Contains(message, "password is required") ||
      Contains(message, "no pg_hba.conf entry") ||
      (Contains(message, "does not exist") && Contains(message, "role "))) {
    return Status::PermissionDenied(
        "{} rejected the credentials: {}. Check the user and password in landing.url (or POSTGRES_USER / "
        "POSTGRES_PASSWORD)",
        who, message);
  }
  if (mode == PgConnection::Mode::kReplication && Contains(message, "must be superuser or replication role")) {
    return Status::PermissionDenied(
        "{} refused a replication connection: {}. rtpipe captures changes by logical replication, which needs "
        "a role with the REPLICATION attribute (as a superuser: ALTER ROLE \"{}\" WITH REPLICATION)",
        who, message, endpoint.user);
  }
  if (Contains(message, "permission denied")) return Status::PermissionDenied("{}: {}", who, message);
  if (Contains(message, "database \"") && Contains(message, "does not exist")) {
    return Status::NotFound("{}: {}. Create it (createdb) or fix the database name in landing.url (or POSTGRES_DB)",
                            who, message);
  }
  if (Contains(message, "invalid connection option") || Contains(message, "invalid sslmode") ||
      Contains(message, "invalid integer value")) {
    return Status::InvalidArgument("landing.url: {}", message);
  }
  if (Contains(message, "too many clients") || Contains(message, "remaining connection slots")) {
    return Status::ResourceExhausted("{} has no free connection slot: {}", who, message);
  }
  return Status::Unavailable("{} is not reachable: {}", who, message);
}

StatusCode CodeForSqlState(std::string_view state) {
  if (state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03" || state == "40001" ||
      state == "40P01" || state == "55006" || state == "57014" || state == "23505") {
    return StatusCode::kUnavailable;
  }
  if (state.starts_with("53")) return StatusCode::kResourceExhausted;
  if (state.starts_with("28") || state == "42501") return StatusCode::kPermissionDenied;
  if (state == "3D000" || state == "42704" || state == "42P01") return StatusCode::kNotFound;
  if (state == "55000") return StatusCode::kFailedPrecondition;
  if (state.starts_with("22") || state.starts_with("23")) return StatusCode::kInvalidArgument;
  return StatusCode::kInternal;
}

}  // namespace

Result<PgEndpoint> PgEndpoint::FromUrl(std::string_view text, std::string_view application_name) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(text));
  if (url.scheme != "postgresql" && url.scheme != "postgres") {
    return Status::InvalidArgument("\"{}\" is not a postgresql:// URL", MaskUrlPassword(text));
  }
  if (url.hosts.empty()) {
    return Status::InvalidArgument("landing.url: expected a host: postgresql://USER:PASSWORD@HOST:5432/DB");
  }
  PgEndpoint e;
  std::string hosts, ports;
  for (const auto& hp : url.hosts) {
    hosts += (hosts.empty() ? "" : ",") + hp.host;
    ports += (ports.empty() ? "" : ",") + std::to_string(hp.port != 0 ? hp.port : 5432);
  }
  e.user = url.user.empty() ? "postgres" : url.user;
  std::string db = url.path.empty() ? e.user : url.path;
  e.where = fmt::format("{}/{}", url.HostList(5432), db);
  e.params = {{"host", hosts},
              {"port", ports},
              {"user", e.user},
              {"dbname", db},
              {"application_name", std::string(application_name)},
              {"connect_timeout", "10"},
              {"keepalives", "1"},
              {"keepalives_idle", "10"},
              {"keepalives_interval", "5"},
              {"keepalives_count", "3"}};
  if (!url.password.empty()) e.params.emplace_back("password", url.password);
  for (auto& [key, value] : url.query) {
    bool replaced = false;
    for (auto& [k, v] : e.params) {
      if (k == key) v = value, replaced = true;
    }
    if (!replaced) e.params.emplace_back(key, value);
  }
  return e;
}

Result<int64_t> PgResult::Int(int row, int col) const {
  std::string_view text = Text(row, col);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::Internal("PostgreSQL returned \"{}\" where an integer was expected", text);
  }
  return value;
}

Result<std::unique_ptr<PgConnection>> PgConnection::Connect(const PgEndpoint& endpoint, Mode mode) {
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : endpoint.params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  if (mode == Mode::kReplication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  // Timestamps as the decoder expects them ("2026-01-02 03:04:05.678+00"), whatever the server's default.
  keys.push_back("options");
  values.push_back("-c TimeZone=UTC -c DateStyle=ISO");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    Status s = ConnectError(conn, endpoint, mode);
    PQfinish(conn);
    return s;
  }
  // Server notices ("relation ... already exists, skipping") go to the debug log, not stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char* message) { GetLogger("postgres")->debug("{}", CleanMessage(message)); }, nullptr);
  return std::unique_ptr<PgConnection>(new PgConnection(conn, endpoint));
}

Result<std::unique_ptr<PgConnection>> PgConnection::ConnectWithRetry(const PgEndpoint& endpoint, Mode mode,
                                                                     std::chrono::milliseconds retry_window,
                                                                     const std::string& component) {
  MonoTime give_up = Clock::System().Monotonic() + retry_window;
  Backoff backoff({std::chrono::milliseconds(200), std::chrono::milliseconds(5000), 2.0});
  for (;;) {
    auto conn = Connect(endpoint, mode);
    if (conn.ok() || !conn.status().IsRetryable()) return conn;
    MonoTime now = Clock::System().Monotonic();
    if (now >= give_up) {
      return Status(conn.status().code(), fmt::format("{} (gave up after {}, landing.retry_window)",
                                                      conn.status().message(), DurationText(retry_window)));
    }
    auto delay = std::min<std::chrono::milliseconds>(
        backoff.Next(),
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up - now) + std::chrono::milliseconds(1));
    GetLogger(component)->warn("{}; retrying in {}", conn.status().message(), FormatDuration(delay));
    std::this_thread::sleep_for(delay);
  }
}

PgConnection::~PgConnection() { PQfinish(conn_); }

Status PgConnection::Error(const PGresult* result, std::string_view what) const {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state != nullptr ? state : "";
  if (state == nullptr || broken()) {
    // No SQLSTATE: libpq's own failure, almost always a lost connection (server stopped or crashed).
    std::string message = CleanMessage(result != nullptr ? PQresultErrorMessage(result) : "");
    if (message.empty()) message = CleanMessage(PQerrorMessage(conn_));
    return Status::Unavailable("{}: lost the connection to PostgreSQL at {}: {}", what, endpoint_.where,
                               message.empty() ? "connection closed" : message);
  }
  std::string message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) != nullptr
                            ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
                            : CleanMessage(PQresultErrorMessage(result));
  if (const char* detail = PQresultErrorField(result, PG_DIAG_MESSAGE_DETAIL)) message += fmt::format(" ({})", detail);
  if (const char* hint = PQresultErrorField(result, PG_DIAG_MESSAGE_HINT)) message += fmt::format(". Hint: {}", hint);
  return Status(CodeForSqlState(state),
                fmt::format("{}: PostgreSQL at {}: {} [SQLSTATE {}]", what, endpoint_.where, message, state));
}

Status PgConnection::Exec(std::string_view sql, std::string_view what) {
  std::string text(sql);
  Status status;
  if (PQsendQuery(conn_, text.c_str()) == 0) return Error(nullptr, what);
  // Several statements give several results: the first failure wins; all are consumed.
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    ExecStatusType st = PQresultStatus(raw);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY && status.ok()) {
      status = Error(raw, what);
    }
  }
  if (status.ok() && broken()) status = Error(nullptr, what);
  return status;
}

Result<PgResult> PgConnection::Query(std::string_view sql, const std::vector<std::optional<std::string>>& params,
                                     std::string_view what) {
  std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult r(
      PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr, 0));
  ExecStatusType st = PQresultStatus(r.get());
  if (r.get() == nullptr || (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)) return Error(r.get(), what);
  return r;
}

Status PgConnection::SendQuery(std::string_view sql, const std::vector<std::optional<std::string>>& params,
                               std::string_view what) {
  std::string text(sql);
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr, nullptr,
                        0) == 0) {
    return Error(nullptr, what);
  }
  return Status::OK();
}

Result<PgResult> PgConnection::Receive(std::string_view what) {
  PgResult first;
  Status status;
  // One statement: one result, then null. All are consumed so the connection is ready again.
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    ExecStatusType st = PQresultStatus(raw);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
      if (status.ok()) status = Error(raw, what);
    } else if (first.get() == nullptr) {
      first = std::move(r);
    }
  }
  if (!status.ok()) return status;
  if (first.get() == nullptr) return Error(nullptr, what);
  return first;
}

Status PgConnection::CopyIn(std::string_view copy_sql, std::string_view data, std::string_view what) {
  RTPIPE_RETURN_IF_ERROR(CopyBegin(copy_sql, what));
  (void)CopyPut(data, what);  // a failure to send is reported by CopyEnd
  return CopyEnd(what);
}

Status PgConnection::CopyBegin(std::string_view copy_sql, std::string_view what) {
  std::string text(copy_sql);
  PgResult start(PQexec(conn_, text.c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_IN) return Error(start.get(), what);
  copy_failed_ = false;
  return Status::OK();
}

Status PgConnection::CopyPut(std::string_view data, std::string_view what) {
  constexpr size_t kChunk = 1 << 18;
  for (size_t at = 0; at < data.size() && !copy_failed_; at += kChunk) {
    size_t n = std::min(kChunk, data.size() - at);
    copy_failed_ = PQputCopyData(conn_, data.data() + at, static_cast<int>(n)) != 1;
  }
  return copy_failed_ ? Error(nullptr, what) : Status::OK();
}

Status PgConnection::CopyEnd(std::string_view what) {
  if (PQputCopyEnd(conn_, copy_failed_ ? "client failed to send the rows" : nullptr) != 1) return Error(nullptr, what);
  Status status;
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && status.ok()) status = Error(raw, what);
  }
  if (copy_failed_ && status.ok()) status = Error(nullptr, what);
  return status;
}

std::string CleanPgMessage(std::string_view message) { return CleanMessage(message); }

std::string QuoteIdent(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

}  // namespace rtpipe
