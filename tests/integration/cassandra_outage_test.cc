// The CQL client while the real Cassandra node goes away (fixture "cassandra"): the node is
// stopped by PID with the engine scripts for 30 s in the middle of a stream of writes, then
// restarted on its data; every write must be acknowledged once the node is back and every row must
// be there. Then the node restarts from empty data: the client's prepared ids are unknown there and
// must be re-prepared transparently.
//
// This test stops the node that other Cassandra tests use: they share the "cassandra-node"
// resource lock (tests/integration/CMakeLists.txt), so they never run while it does.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <thread>

#include "cassandra_test_util.h"

namespace rtpipe::cql {
namespace {

using namespace std::chrono_literals;

std::string Script(const char* name) {
  return rtpipe::testing::RequiredEnv("RTPIPE_SOURCE_DIR") + "/scripts/engines/cassandra/" + name;
}
std::string StateDir() { return rtpipe::testing::RequiredEnv("RTPIPE_ENGINE_STATE") + "/cassandra"; }

void RunScript(std::vector<std::string> argv) {
  std::string output;
  auto start = std::chrono::steady_clock::now();
  int rc = rtpipe::testing::RunProcess(argv, &output);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(rc, 0) << argv[0] << " failed:\n" << output;
  fmt::print("[{:.1f}s] {}", secs, output);
}

CqlOptions PatientOptions() {
  auto o = testing::NodeOptions();
  o.retry_window = 240s;  // longer than the outage plus a restart
  o.request_timeout = 5s;
  o.max_in_flight = 256;
  return o;
}

// Leaves the node running whatever happens to the test, so the tests after it find it up.
struct RestartIfStopped {
  ~RestartIfStopped() {
    if (std::filesystem::exists(StateDir() + "/pid")) return;
    std::string output;
    rtpipe::testing::RunProcess({Script("start"), StateDir(), "--keep-data"}, &output);
  }
};

std::string ValueFor(int i) { return fmt::format("row-{}-{}", i, i * 7919 % 1000); }

TEST(CassandraOutageTest, WritesWaitThroughA30sStopAndNothingIsLost) {
  RestartIfStopped guard;
  auto session = testing::ConnectOrFail(PatientOptions());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(testing::CreateKeyspace(*session, "rtpipe_outage_it").ok());
  ASSERT_TRUE(session->Execute("DROP TABLE IF EXISTS rtpipe_outage_it.events").ok());
  ASSERT_TRUE(session->Execute("CREATE TABLE rtpipe_outage_it.events (id int PRIMARY KEY, v text)").ok());
  auto insert = session->Prepare("INSERT INTO rtpipe_outage_it.events (id, v) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status();

  std::mutex mu;
  std::condition_variable cv;
  int acked = 0;
  std::map<int, std::string> failures;  // guarded by mu
  std::atomic<bool> stop_writing{false};
  std::atomic<int> submitted{0};

  // A steady stream: 20 writes every 50 ms (~400/s), from before the stop until after the restart.
  std::thread writer([&] {
    while (!stop_writing.load()) {
      for (int k = 0; k < 20; ++k) {
        int i = submitted.fetch_add(1);
        session->ExecuteAsync(*insert, {CqlValue::Int(i), CqlValue::Text(ValueFor(i))}, [&, i](Result<CqlRows> r) {
          std::lock_guard lock(mu);
          if (r.ok()) {
            ++acked;
          } else {
            failures[i] = r.status().ToString();
          }
          cv.notify_all();
        });
      }
      std::this_thread::sleep_for(50ms);
    }
  });
  auto wait_acked = [&](int n, std::chrono::seconds timeout) {
    std::unique_lock lock(mu);
    return cv.wait_for(lock, timeout, [&] { return acked >= n || !failures.empty(); });
  };

  ASSERT_TRUE(wait_acked(1000, 60s)) << "writes before the outage";
  RunScript({Script("stop"), StateDir()});
  const int acked_at_stop = [&] {
    std::lock_guard lock(mu);
    return acked;
  }();
  std::this_thread::sleep_for(30s);
  {
    std::lock_guard lock(mu);
    EXPECT_TRUE(failures.empty()) << "a write failed during the outage: " << failures.begin()->second;
    EXPECT_LE(acked - acked_at_stop, 300) << "writes kept succeeding with the node stopped?";
  }
  RunScript({Script("start"), StateDir(), "--keep-data"});
  const int target = submitted.load() + 1000;
  EXPECT_TRUE(wait_acked(target, 120s)) << "writes did not resume after the restart";
  stop_writing.store(true);
  writer.join();
  const int total = submitted.load();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 120s, [&] { return acked + static_cast<int>(failures.size()) == total; }));
    ASSERT_TRUE(failures.empty()) << failures.size() << " write(s) failed, e.g. id " << failures.begin()->first << ": "
                                  << failures.begin()->second;
    EXPECT_EQ(acked, total);
  }
  auto stats = session->stats();
  EXPECT_GT(stats.retries, 0u);
  EXPECT_GT(stats.reconnects, 0u);
  fmt::print("outage: {} writes, {} acknowledged before the stop, {} retries, {} reconnects, {} re-prepares\n", total,
             acked_at_stop, stats.retries, stats.reconnects, stats.reprepares);

  // Every row is there with its value: page through the whole table.
  std::map<int, std::string> stored;
  auto pager = session->Pages("SELECT id, v FROM rtpipe_outage_it.events", {}, 2000);
  for (;;) {
    auto page = pager.Next();
    ASSERT_TRUE(page.ok()) << page.status();
    if (!page->has_value()) break;
    for (size_t r = 0; r < (*page)->size(); ++r) {
      stored[*(*page)->row(r).Get<int32_t>("id")] = *(*page)->row(r).Get<std::string>("v");
    }
  }
  ASSERT_EQ(stored.size(), static_cast<size_t>(total));
  for (int i = 0; i < total; ++i) EXPECT_EQ(stored[i], ValueFor(i)) << "row " << i;
}

TEST(CassandraOutageTest, PreparedIdsLostByARestartAreReprepared) {
  RestartIfStopped guard;
  auto session = testing::ConnectOrFail(PatientOptions());
  ASSERT_NE(session, nullptr);
  ASSERT_TRUE(testing::CreateKeyspace(*session, "rtpipe_reprepare_it").ok());
  ASSERT_TRUE(session->Execute("CREATE TABLE IF NOT EXISTS rtpipe_reprepare_it.t (k int PRIMARY KEY, v text)").ok());
  auto insert = session->Prepare("INSERT INTO rtpipe_reprepare_it.t (k, v) VALUES (?, ?)");
  ASSERT_TRUE(insert.ok()) << insert.status();
  ASSERT_TRUE(session->Execute(*insert, {CqlValue::Int(1), CqlValue::Text("before")}).ok());

  // A node that comes back without its state (rebuilt, or its system.prepared_statements gone)
  // no longer knows the id the client cached.
  RunScript({Script("stop"), StateDir()});
  RunScript({Script("start"), StateDir()});
  // The session reconnects by itself; the schema is created again through it.
  ASSERT_TRUE(testing::CreateKeyspace(*session, "rtpipe_reprepare_it").ok());
  ASSERT_TRUE(session->Execute("CREATE TABLE IF NOT EXISTS rtpipe_reprepare_it.t (k int PRIMARY KEY, v text)").ok());
  const auto before = session->stats().reprepares;
  auto after = session->Execute(*insert, {CqlValue::Int(2), CqlValue::Text("after")});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_GT(session->stats().reprepares, before) << "the restarted node must have answered UNPREPARED";
  auto rows = session->Execute("SELECT v FROM rtpipe_reprepare_it.t WHERE k = 2");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(*rows->row(0).Get<std::string>(0), "after");
}

}  // namespace
}  // namespace rtpipe::cql
