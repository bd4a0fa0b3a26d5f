#pragma once
// Internals shared by session.cc and request_flow.cc; not part of the client's API.

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/time.h"
#include "rtpipe/sink/cassandra/connection.h"
#include "rtpipe/sink/cassandra/session.h"

namespace rtpipe::cql {

/// What the last PREPARE of a query returned. Immutable; replaced as a whole on re-prepare.
struct PreparedInfo {
  std::string id;
  std::vector<ColumnSpec> bind_columns;
  std::vector<ColumnSpec> result_columns;
};

/// One cached statement. The id can change when the statement is prepared again (after a schema
/// change); handles always see the latest.
struct PreparedEntry {
  explicit PreparedEntry(std::string q) : query(std::move(q)) {}
  const std::string query;

  std::shared_ptr<const PreparedInfo> info() const {
    std::lock_guard lock(mutex);
    return current;
  }
  void set_info(std::shared_ptr<const PreparedInfo> i) {
    std::lock_guard lock(mutex);
    current = std::move(i);
  }

  mutable std::mutex mutex;  // guards current
  std::shared_ptr<const PreparedInfo> current;
};

/// One request through its attempts. Owned by whoever holds it at the moment: the submitting
/// thread, a connection's in-flight slot, the retry queue, or a PREPARE sent to re-prepare it.
struct SessionOp {
  enum class Kind { kQuery, kExecute, kBatch, kPrepare };
  Kind kind = Kind::kQuery;
  std::string query;                        // kQuery, kPrepare
  std::shared_ptr<PreparedEntry> prepared;  // kExecute
  std::vector<CqlValue> values;             // kQuery, kExecute
  CqlBatch batch;                           // kBatch
  QueryOptions options;
  Consistency consistency = Consistency::kLocalQuorum;
  MonoTime give_up_at{};  // end of the retry window
  int attempts = 0;       // requests sent
  int retries = 0;        // delayed re-dispatches (drives the backoff)
  int reprepares = 0;
  bool unavailable_retried = false;
  int avoid_host = -1;  // a retry goes to another host than this one when possible
  Status last_error;    // why the previous attempt failed (reported if the window runs out)
  std::function<void(Result<ResultMessage>)> done;

  /// The request body and opcode for the next attempt, with the current prepared ids.
  Result<std::pair<Opcode, std::string>> Encode() const;
  /// A short description for logs: the (truncated) query text.
  std::string Describe() const;
};

/// A contact point and its connections.
struct SessionHost {
  std::string name;  // as configured, for logs: "host:port"
  ConnectionOptions connection;
  // Guarded by CqlSession::pool_mutex_:
  std::vector<std::shared_ptr<CqlConnection>> pool;
  bool up = false;
  bool ever_up = false;
  Status last_error;
  // Used by the maintenance thread only:
  MonoTime next_attempt{};
  std::unique_ptr<Backoff> backoff;
};

}  // namespace rtpipe::cql
