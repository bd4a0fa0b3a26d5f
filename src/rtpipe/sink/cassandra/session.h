#pragma once
// CqlSession: rtpipe's Cassandra client. Connections to several hosts, requests spread round-robin,
// lost hosts reconnected in the background, prepared statements cached by query text and
// re-prepared transparently when a node answers UNPREPARED.
//
//   RTPIPE_ASSIGN_OR_RETURN(auto session, CqlSession::Connect(options));
//   RTPIPE_ASSIGN_OR_RETURN(auto insert, session->Prepare("INSERT INTO ks.t (id, name) VALUES (?, ?)"));
//   session->ExecuteAsync(insert, {CqlValue::FromUuid(id), CqlValue::Text(name)},
//                         [](Result<CqlRows> r) { ... });     // many in flight
//   RTPIPE_ASSIGN_OR_RETURN(auto rows, session->Execute("SELECT name FROM ks.t WHERE id = ?", {...}));
//
// Failures and retries (see docs/cassandra.md):
//  - Idempotent requests (QueryOptions::idempotent, the default) are retried within
//    CqlOptions::retry_window after lost connections, client timeouts, Read/Write_timeout,
//    Overloaded and Is_bootstrapping, with exponential backoff; while no host is reachable they wait.
//  - Unavailable is retried once on another host if there is one, then reported with the
//    consistency level, required and alive replicas. The consistency level is never lowered.
//  - Everything else (syntax, invalid, unauthorized, ...) is reported at once, as a Status whose
//    message carries the server's error name, message and details.
//
// Threading: every method is thread-safe. Completion callbacks run on a connection's I/O thread,
// the session's retry thread, or inside Close(); they must be short and must not call blocking
// methods of the session (Execute, Prepare, Batch, Close, blocking ExecuteAsync) or destroy it.
// ExecuteAsync blocks while CqlOptions::max_in_flight requests are outstanding (backpressure).

#include <atomic>
#include <condition_variable>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/sink/cassandra/messages.h"
#include "rtpipe/sink/cassandra/options.h"
#include "rtpipe/sink/cassandra/rows.h"
#include "rtpipe/sink/cassandra/value.h"

namespace rtpipe::cql {

class CqlConnection;
struct PreparedEntry;
struct SessionOp;
struct SessionHost;

/// A handle on a prepared statement: cheap to copy, valid for the life of the session that made it.
class PreparedStatement {
 public:
  PreparedStatement() = default;
  bool valid() const { return entry_ != nullptr; }
  const std::string& query() const;
  /// Bind markers, in order (name and type as the server reported them at the last PREPARE).
  std::vector<ColumnSpec> bind_columns() const;
  /// Columns a SELECT returns (empty for writes).
  std::vector<ColumnSpec> result_columns() const;

 private:
  friend class CqlSession;
  friend class CqlBatch;
  explicit PreparedStatement(std::shared_ptr<PreparedEntry> entry) : entry_(std::move(entry)) {}
  std::shared_ptr<PreparedEntry> entry_;
};

/// Statements sent as one BATCH request (unlogged by default: no batch log, one round trip).
class CqlBatch {
 public:
  explicit CqlBatch(BatchType type = BatchType::kUnlogged) : type_(type) {}
  void Add(const PreparedStatement& statement, std::vector<CqlValue> values);
  void Add(std::string query, std::vector<CqlValue> values = {});
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  BatchType type() const { return type_; }

 private:
  friend class CqlSession;
  friend struct SessionOp;
  struct Entry {
    std::shared_ptr<PreparedEntry> prepared;  // null: `query` is sent as text
    std::string query;
    std::vector<CqlValue> values;
  };
  BatchType type_;
  std::vector<Entry> entries_;
};

/// Counters of a session, for logs, the status line and benchmarks.
struct CqlSessionStats {
  uint64_t requests = 0;    // requests completed (ok or not)
  uint64_t failures = 0;    // requests that completed with an error
  uint64_t retries = 0;     // attempts after the first
  uint64_t reprepares = 0;  // PREPAREs sent after an UNPREPARED answer
  uint64_t reconnects = 0;  // connections opened after the first ones
  int hosts_up = 0;
  int in_flight = 0;
};

class CqlPager;

class CqlSession {
 public:
  using RowsCallback = std::function<void(Result<CqlRows>)>;
  using StatusCallback = std::function<void(Status)>;

  /// Validates `options`, connects to every host (connections_per_host each) and returns once at
  /// least one host completed the handshake. Hosts that failed are retried in the background.
  /// Fails with PermissionDenied on rejected or missing credentials, with the per-host reasons when
  /// no host is reachable, and when the keyspace does not exist.
  static Result<std::unique_ptr<CqlSession>> Connect(const CqlOptions& options);

  ~CqlSession();
  CqlSession(const CqlSession&) = delete;
  CqlSession& operator=(const CqlSession&) = delete;

  /// Runs a CQL string with positional `?` values (typed by their CqlValue kind). Returns the rows
  /// of a SELECT (one page: see Pages()), or an empty CqlRows for other statements. "USE" is refused:
  /// set CqlOptions::keyspace instead, so that every connection agrees.
  Result<CqlRows> Execute(std::string_view query, std::vector<CqlValue> values = {}, const QueryOptions& options = {});
  /// Prepares (once per query text; later calls return the cached statement).
  Result<PreparedStatement> Prepare(std::string_view query);
  /// Executes a prepared statement. The values must match the bind markers in number and type.
  Result<CqlRows> Execute(const PreparedStatement& statement, std::vector<CqlValue> values,
                          const QueryOptions& options = {});
  /// Asynchronous variants: `done` is called exactly once (see the threading contract above).
  /// Argument errors are reported through `done` too.
  void ExecuteAsync(const PreparedStatement& statement, std::vector<CqlValue> values, RowsCallback done,
                    const QueryOptions& options = {});
  void ExecuteAsync(std::string_view query, std::vector<CqlValue> values, RowsCallback done,
                    const QueryOptions& options = {});
  std::future<Result<CqlRows>> ExecuteAsync(const PreparedStatement& statement, std::vector<CqlValue> values,
                                            const QueryOptions& options = {});

  /// Sends a BATCH (its type decides logged/unlogged). Empty batches succeed without a request.
  Status Batch(CqlBatch batch, const QueryOptions& options = {});
  void BatchAsync(CqlBatch batch, StatusCallback done, const QueryOptions& options = {});

  /// Iterates the pages of a SELECT (`page_size` rows each).
  CqlPager Pages(const PreparedStatement& statement, std::vector<CqlValue> values, int32_t page_size,
                 QueryOptions options = {});
  CqlPager Pages(std::string query, std::vector<CqlValue> values, int32_t page_size, QueryOptions options = {});

  /// Finishes what is in flight (up to CqlOptions::close_grace), fails the rest as Cancelled,
  /// closes every connection and stops the background threads. Bounded in time; idempotent.
  void Close();

  CqlSessionStats stats() const;
  const CqlOptions& options() const { return options_; }

 private:
  friend struct SessionOp;
  explicit CqlSession(CqlOptions options);

  // session.cc: set-up, threads, host pools.
  Status ConnectAll();
  void MaintainPools();  // the maintenance thread: prunes dead connections, reconnects hosts
  void RunRetries();     // the retry thread: dispatches delayed attempts when due
  std::shared_ptr<CqlConnection> PickConnection(int avoid_host, int* host_index);
  bool OtherHostUp(int host_index);
  bool AcquireSlot(Status* why);
  void ReleaseSlot();

  // request_flow.cc: one request's life.
  void Submit(std::shared_ptr<SessionOp> op);
  void Dispatch(std::shared_ptr<SessionOp> op);
  void OnResponse(const std::shared_ptr<SessionOp>& op, CqlConnection* conn, int host_index, Result<Frame> response);
  void Reprepare(std::shared_ptr<SessionOp> op, CqlConnection* conn, int host_index, const std::string& id);
  void SendOn(std::shared_ptr<SessionOp> op, CqlConnection* conn, int host_index);
  void RetryLater(std::shared_ptr<SessionOp> op, Status why, std::chrono::milliseconds delay, int avoid_host);
  std::chrono::milliseconds BackoffDelay(const SessionOp& op) const;
  void LogServerWarnings(const std::string& host, const std::vector<std::string>& warnings);
  void Finish(const std::shared_ptr<SessionOp>& op, Result<ResultMessage> result);
  std::shared_ptr<PreparedEntry> CachedEntry(const std::string& query);
  Status CheckBinding(const PreparedEntry& entry, const std::vector<CqlValue>& values) const;

  const CqlOptions options_;
  std::vector<std::unique_ptr<SessionHost>> hosts_;  // fixed after Connect

  mutable std::mutex pool_mutex_;  // guards the pools and up/down state inside hosts_
  std::atomic<uint32_t> round_robin_{0};

  std::mutex prepared_mutex_;  // guards prepared_
  std::unordered_map<std::string, std::shared_ptr<PreparedEntry>> prepared_;

  mutable std::mutex slot_mutex_;  // guards in_flight_ (requests admitted, not yet finished)
  std::condition_variable slot_cv_;
  int in_flight_ = 0;

  std::mutex retry_mutex_;  // guards retry_queue_ and retry_stopped_
  std::condition_variable retry_cv_;
  std::multimap<MonoTime, std::shared_ptr<SessionOp>> retry_queue_;
  bool retry_stopped_ = false;

  std::mutex maintenance_mutex_;  // guards maintenance_stopped_ (with maintenance_cv_)
  std::condition_variable maintenance_cv_;
  bool maintenance_stopped_ = false;

  std::atomic<bool> closing_{false};
  std::once_flag close_once_;
  std::thread retry_thread_;
  std::thread maintenance_thread_;

  Counter requests_, failures_, retries_, reprepares_, reconnects_;
  std::atomic<int64_t> last_warning_log_ms_{0};
};

/// Pages of one SELECT; each Next() fetches the following page with the paging state of the last.
/// Not thread-safe (one reader); must not outlive its session.
class CqlPager {
 public:
  /// The next page, or nullopt once the last page was returned.
  Result<std::optional<CqlRows>> Next();

 private:
  friend class CqlSession;
  CqlPager(CqlSession* session, PreparedStatement statement, std::string query, std::vector<CqlValue> values,
           QueryOptions options)
      : session_(session),
        statement_(std::move(statement)),
        query_(std::move(query)),
        values_(std::move(values)),
        options_(std::move(options)) {}
  CqlSession* session_;
  PreparedStatement statement_;  // or, when invalid, `query_` as text
  std::string query_;
  std::vector<CqlValue> values_;
  QueryOptions options_;
  bool done_ = false;
};

}  // namespace rtpipe::cql
