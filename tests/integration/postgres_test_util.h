#pragma once
// Helpers for the tests against a real PostgreSQL 15 server started by scripts/engines/postgres/start
// (the CTest fixtures "postgres", "postgres-replica", "postgres-restart"; see
// tests/integration/CMakeLists.txt). The superuser is postgres/rtpipe. Every test works in a
// database and replication slot of its own, dropped at the end, so tests can run side by side.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "../testing/test_env.h"
#include "rtpipe/landing/postgres_connection.h"

namespace rtpipe::pg::testing {

/// "127.0.0.1:15433" from the environment variable `env` (set by CTest).
inline std::string ServerAddress(const char* env = "RTPIPE_TEST_POSTGRES") { return rtpipe::testing::RequiredEnv(env); }

inline std::string Url(const std::string& address, const std::string& db, const std::string& user = "postgres",
                       const std::string& password = "rtpipe") {
  return fmt::format("postgresql://{}:{}@{}/{}", user, password, address, db);
}

/// A superuser connection to `db`, or a failed test.
inline std::unique_ptr<PgConnection> Superuser(const std::string& address, const std::string& db = "postgres") {
  auto endpoint = PgEndpoint::FromUrl(Url(address, db), "rtpipe-test");
  EXPECT_TRUE(endpoint.ok()) << endpoint.status();
  if (!endpoint.ok()) return nullptr;
  auto conn = PgConnection::Connect(*endpoint);
  EXPECT_TRUE(conn.ok()) << conn.status();
  return conn.ok() ? std::move(*conn) : nullptr;
}

/// A fresh database and a slot name of its own; both dropped by the destructor.
class ScratchDatabase {
 public:
  explicit ScratchDatabase(std::string address = ServerAddress(), const std::string& owner = "postgres")
      : address_(std::move(address)) {
    static std::atomic<int> counter{0};
    name_ = fmt::format("rt_{}_{}_{}", ::getpid(), counter++,
                        std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
    slot_ = name_ + "_slot";
    auto admin = Superuser(address_);
    if (admin == nullptr) return;
    Status s = admin->Exec(fmt::format("CREATE DATABASE {} OWNER {}", name_, owner), "creating a test database");
    EXPECT_TRUE(s.ok()) << s;
  }
  ~ScratchDatabase() {
    auto admin = Superuser(address_);
    if (admin == nullptr) return;
    // Slots of the database first (a database with a slot cannot be dropped); a walsender of a
    // finished test may need a moment to go.
    for (int i = 0; i < 100; ++i) {
      (void)admin->Exec(fmt::format("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                                    "WHERE database = '{}' AND active_pid IS NOT NULL",
                                    name_),
                        "ending walsenders");
      Status s = admin->Exec(fmt::format("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                                         "WHERE database = '{}'",
                                         name_),
                             "dropping test slots");
      if (s.ok()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    Status s = admin->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", name_), "dropping a test database");
    EXPECT_TRUE(s.ok()) << s;
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& slot() const { return slot_; }
  const std::string& address() const { return address_; }
  std::string url(const std::string& user = "postgres", const std::string& password = "rtpipe") const {
    return Url(address_, name_, user, password);
  }
  /// A superuser connection to this database.
  std::unique_ptr<PgConnection> Connect() const { return Superuser(address_, name_); }

 private:
  std::string address_;
  std::string name_;
  std::string slot_;
};

/// The single value of a one-row, one-column query (or a failed test and "").
inline std::string QueryValue(PgConnection& conn, const std::string& sql) {
  auto r = conn.Query(sql, "test query");
  EXPECT_TRUE(r.ok()) << r.status() << " in " << sql;
  if (!r.ok() || r->rows() == 0) return "";
  return std::string(r->Text(0, 0));
}

}  // namespace rtpipe::pg::testing
