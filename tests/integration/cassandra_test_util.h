#pragma once
// Helpers for the tests against a real Cassandra node started by scripts/engines/cassandra/start
// (the CTest fixtures "cassandra" and "cassandra-auth"; see tests/integration/CMakeLists.txt).

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "../testing/test_env.h"
#include "rtpipe/sink/cassandra/session.h"

namespace rtpipe::cql::testing {

/// Options for the node whose "host:port" is in environment variable `env` (set by CTest).
inline CqlOptions NodeOptions(const char* env = "RTPIPE_TEST_CASSANDRA") {
  CqlOptions o;
  o.hosts = {rtpipe::testing::RequiredEnv(env)};
  o.connections_per_host = 2;
  o.request_timeout = std::chrono::seconds(15);
  o.retry_window = std::chrono::seconds(30);
  return o;
}

/// Connects or fails the calling test (ASSERT-style: returns null after a fatal failure).
inline std::unique_ptr<CqlSession> ConnectOrFail(const CqlOptions& options) {
  auto session = CqlSession::Connect(options);
  EXPECT_TRUE(session.ok()) << session.status();
  return session.ok() ? std::move(*session) : nullptr;
}

/// CREATE KEYSPACE IF NOT EXISTS with SimpleStrategy and the given replication factor.
inline Status CreateKeyspace(CqlSession& session, const std::string& keyspace, int rf = 1) {
  return session
      .Execute(fmt::format("CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {{'class': 'SimpleStrategy', "
                           "'replication_factor': {}}}",
                           keyspace, rf))
      .status();
}

/// Reads a single bigint such as SELECT COUNT(*).
inline Result<int64_t> CountRows(CqlSession& session, const std::string& table) {
  QueryOptions q;
  q.consistency = Consistency::kOne;
  RTPIPE_ASSIGN_OR_RETURN(auto rows, session.Execute(fmt::format("SELECT COUNT(*) FROM {}", table), {}, q));
  if (rows.size() != 1) return Status::Internal("COUNT(*) returned {} rows", rows.size());
  return rows.row(0).Get<int64_t>(0);
}

}  // namespace rtpipe::cql::testing
