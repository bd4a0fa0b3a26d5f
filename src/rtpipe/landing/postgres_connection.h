#pragma once
// PgConnection: one libpq connection, with failures turned into Status values that say what went
// wrong in terms an operator can act on (wrong credentials, server down, missing privilege...).
//
// Error mapping (SQLSTATE classes of the server, or libpq's own connection failures):
//   connection refused / lost, 08xxx, 57P01-57P03 (shutdown, starting up)  -> Unavailable (retry)
//   53xxx (too many connections, disk full)                                 -> ResourceExhausted (retry)
//   40001, 40P01 (serialization failure, deadlock), 23505 (unique violation:
//   a concurrent insert of the same key; the retry sees the row)            -> Unavailable (retry)
//   55006 (object in use: a replication slot held by another process)       -> Unavailable (retry)
//   28xxx, 42501 (authentication, privilege)                                -> PermissionDenied
//   3D000 (no such database), 42704 (no such object)                        -> NotFound
//   55000 (object not in prerequisite state: e.g. wal_level)                -> FailedPrecondition
//   anything else                                                           -> Internal
//
// Not thread-safe: one thread uses a connection at a time.

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// Where and as whom to connect: libpq keywords built from a `postgresql://` URL.
struct PgEndpoint {
  std::vector<std::pair<std::string, std::string>> params;  // libpq keyword -> value
  std::string where;                                        // "127.0.0.1:5432/rtpipe", for messages
  std::string user;

  /// The endpoint of `url` (postgresql:// or postgres://). Query parameters are passed to libpq
  /// (sslmode, connect_timeout, ...); TCP keepalives and a 10 s connect timeout are defaults.
  static Result<PgEndpoint> FromUrl(std::string_view url, std::string_view application_name);
};

/// Owns a PGresult.
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(PGresult* r) : r_(r) {}
  PGresult* get() const { return r_.get(); }
  int rows() const { return PQntuples(r_.get()); }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view Text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  /// The integer in a cell (Internal when it is not one).
  Result<int64_t> Int(int row, int col) const;

 private:
  struct Clear {
    void operator()(PGresult* r) const { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> r_;
};

class PgConnection {
 public:
  enum class Mode { kNormal, kReplication };

  /// Connects once; the error says whether retrying can help (see the mapping above).
  static Result<std::unique_ptr<PgConnection>> Connect(const PgEndpoint& endpoint, Mode mode = Mode::kNormal);

  /// Connects, retrying retryable failures with backoff (200 ms doubling to 5 s) for up to
  /// `retry_window`, logging each wait on `component`'s logger: "PostgreSQL at ... is not reachable
  /// (...); retrying in 1.6s".
  static Result<std::unique_ptr<PgConnection>> ConnectWithRetry(const PgEndpoint& endpoint, Mode mode,
                                                                std::chrono::milliseconds retry_window,
                                                                const std::string& component);

  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  PGconn* handle() const { return conn_; }
  const PgEndpoint& endpoint() const { return endpoint_; }
  /// True once the connection is lost (the server went away); reconnect to go on.
  bool broken() const { return PQstatus(conn_) == CONNECTION_BAD; }
  int server_version() const { return PQserverVersion(conn_); }

  /// Runs one or more statements (simple query protocol) and discards their results.
  Status Exec(std::string_view sql, std::string_view what);
  /// Runs one statement with text parameters (nullopt = NULL) and returns its result.
  Result<PgResult> Query(std::string_view sql, const std::vector<std::optional<std::string>>& params,
                         std::string_view what);
  Result<PgResult> Query(std::string_view sql, std::string_view what) { return Query(sql, {}, what); }
  /// Query in two halves, so the caller can work while the server does: Send, then Receive.
  Status SendQuery(std::string_view sql, const std::vector<std::optional<std::string>>& params, std::string_view what);
  Result<PgResult> Receive(std::string_view what);
  /// COPY ... FROM STDIN with `data` (already in COPY text format) as the rows.
  Status CopyIn(std::string_view copy_sql, std::string_view data, std::string_view what);
  /// The same in steps, so the server parses rows while the caller encodes the next ones.
  Status CopyBegin(std::string_view copy_sql, std::string_view what);
  Status CopyPut(std::string_view data, std::string_view what);
  Status CopyEnd(std::string_view what);

  /// The SQLSTATE of the last server error ("" for none or a connection failure).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  /// The Status for a failed result (or a libpq failure when `result` is null).
  Status Error(const PGresult* result, std::string_view what) const;

 private:
  PgConnection(PGconn* conn, PgEndpoint endpoint) : conn_(conn), endpoint_(std::move(endpoint)) {}

  PGconn* conn_;
  PgEndpoint endpoint_;
  mutable std::string last_sqlstate_;
  bool copy_failed_ = false;  // a CopyPut could not send
};

/// A libpq or server message on one line, without libpq's "connection to server ... failed:" prefix.
std::string CleanPgMessage(std::string_view message);

/// Quotes an SQL identifier ("name" with inner quotes doubled).
std::string QuoteIdent(std::string_view name);
/// Quotes an SQL string literal ('text' with inner quotes doubled; standard_conforming_strings).
std::string QuoteLiteral(std::string_view text);

}  // namespace rtpipe
