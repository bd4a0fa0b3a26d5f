// `rtpipe run` with PostgreSQL in the path (source -> PostgreSQL -> logical replication -> log ->
// processor -> store), as a user runs it: the analytics store and the dead-letter topic hold
// exactly what the source gave (the oracle of tests/e2e), also across kill -9 of rtpipe and an
// immediate restart of PostgreSQL mid-run; each real failure mode ends in a clear message; the slot
// lag alarm and `rtpipe capture status|drop-slot` work.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "../e2e/pipeline_oracle.h"
#include "postgres_test_util.h"
#include "rtpipe/config/loader.h"

namespace rtpipe::pg::testing {
namespace {

using rtpipe::testing::ExpectSameOutcome;
using rtpipe::testing::PipelineOutcome;
using rtpipe::testing::ReadFile;
using rtpipe::testing::RequiredEnv;
using rtpipe::testing::RunProcess;
using rtpipe::testing::SpawnProcess;
using rtpipe::testing::WaitProcess;

class PostgresPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { binary_ = RequiredEnv("RTPIPE_BINARY"); }

  // Writes rtpipe.yaml — the PostgreSQL landing (plus `landing` keys), the test's slot (plus
  // `capture` keys) and `source` keys — and returns the config as the oracle needs it (absolute
  // store paths).
  Config Configure(const ScratchDatabase& db, const std::string& source, const std::string& landing = "",
                   const std::string& capture = "") {
    std::ofstream(dir_.path() + "/rtpipe.yaml") << "landing:\n  url: " << db.url() << "\n"
                                                << landing << "capture:\n  slot: " << db.slot() << "\n"
                                                << capture << "source:\n"
                                                << source;
    ConfigInputs inputs;
    inputs.file_path = dir_.path() + "/rtpipe.yaml";
    inputs.getenv = [](const char*) -> const char* { return nullptr; };
    auto loaded = LoadConfig(inputs);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    Config config = loaded->config;
    config.sink.url = "sqlite:" + dir_.path() + "/" + config.sink.url.substr(7);
    config.log.url = "file:" + dir_.path() + "/" + config.log.url.substr(5);
    return config;
  }

  int Rtpipe(const std::vector<std::string>& args, std::string* output = nullptr) {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, output, dir_.path());
  }

  static bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  }

  std::string binary_;
  rtpipe::testing::TempDir dir_;
};

TEST_F(PostgresPipelineTest, RunsEndToEndThroughPostgresExactly) {
  ScratchDatabase db;
  Config config = Configure(db, "  results: 1000\n  interval: 0\n  bad_rate: 0.01\n");
  std::string output;
  ASSERT_EQ(Rtpipe({"run", "--records", "50000"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "created replication slot")) << output;
  PipelineOutcome expected = rtpipe::testing::ExpectedOutcome(config, 50'000);
  EXPECT_GT(expected.dead_letters.size(), 250u);
  ExpectSameOutcome(expected, rtpipe::testing::ActualOutcome(config));

  auto conn = db.Connect();
  ASSERT_NE(conn, nullptr);
  // Landed: every parsed user, including those the processor then rejects (invalid e-mail...).
  size_t process_rejects = 0;
  for (const auto& d : expected.dead_letters) process_rejects += d.stage == "process" ? 1 : 0;
  EXPECT_EQ(QueryValue(*conn, "SELECT count(*) FROM users"), std::to_string(expected.rows.size() + process_rejects));

  // Fetching the same pages again lands nothing new and publishes nothing.
  ASSERT_TRUE(conn->Exec("UPDATE ingest_state SET page = 1, skip = 0, source_records = 0", "rewind").ok());
  ASSERT_EQ(Rtpipe({"run", "--records", "50000"}, &output), 0) << output;
  ExpectSameOutcome(expected, rtpipe::testing::ActualOutcome(config));

  std::string count;
  ASSERT_EQ(Rtpipe({"query", "SELECT COUNT(*) FROM spark_streams.created_users"}, &count), 0) << count;
  EXPECT_TRUE(Contains(count, std::to_string(expected.rows.size()))) << count;
  ASSERT_EQ(Rtpipe({"capture", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "backlog:            0 landed changes")) << output;
  EXPECT_TRUE(Contains(output, "inactive")) << output;
}

TEST_F(PostgresPipelineTest, SurvivesKillNineWithNoLossAndNoDuplicates) {
  ScratchDatabase db;
  // Paced at 5k records/s at most, so the 40k records take 8 s of running at least: the kills
  // land mid-run however fast the machine is.
  Config config = Configure(db, "  results: 250\n  interval: 50ms\n  bad_rate: 0.01\n");
  const std::string records = "40000";
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(400, 1500);
  int kills = 0;
  for (int i = 0; i < 5; ++i) {
    int pid = SpawnProcess({binary_, "run", "--records", records}, dir_.path(), dir_.path() + "/run.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (rtpipe::testing::ProcessRunning(pid)) {
      ::kill(pid, SIGKILL);
      ++kills;
    }
    WaitProcess(pid);
  }
  EXPECT_GE(kills, 3) << "the pipeline finished before most kills: the test did not test crashes";
  std::string output;
  ASSERT_EQ(Rtpipe({"run", "--records", records}, &output), 0) << output << ReadFile(dir_.path() + "/run.log");
  ExpectSameOutcome(rtpipe::testing::ExpectedOutcome(config, 40'000), rtpipe::testing::ActualOutcome(config));
}

// PostgreSQL stopped with `stop --immediate` (no shutdown checkpoint: crash recovery on start)
// mid-run, and down when rtpipe starts: rtpipe says so, retries, and loses and repeats nothing.
TEST_F(PostgresPipelineTest, SurvivesPostgresRestartsMidRunAndWaitsForItAtStart) {
  std::string address = ServerAddress("RTPIPE_TEST_POSTGRES_RESTART");
  std::string state = RequiredEnv("RTPIPE_ENGINE_STATE") + "/postgres-restart";
  std::string scripts = RequiredEnv("RTPIPE_SOURCE_DIR") + "/scripts/engines/postgres/";
  std::string port = address.substr(address.find(':') + 1);
  auto server = [&](const std::vector<std::string>& args) {
    std::string out;
    int rc = RunProcess(args, &out);
    EXPECT_EQ(rc, 0) << out;
  };
  ScratchDatabase db(address);
  // Paced at 5k records/s at most: each run lasts several seconds however fast the machine is.
  Config config = Configure(db, "  results: 250\n  interval: 50ms\n  bad_rate: 0.01\n", "  retry_window: 60s\n");
  std::string log_path = dir_.path() + "/run.log";

  int pid = SpawnProcess({binary_, "run", "--records", "25000"}, dir_.path(), log_path);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(rtpipe::testing::ProcessRunning(pid)) << ReadFile(log_path);
  server({scripts + "stop", state, "--immediate"});
  std::this_thread::sleep_for(std::chrono::seconds(2));
  server({scripts + "start", state, "--port", port, "--keep-data"});
  EXPECT_EQ(WaitProcess(pid), 0) << ReadFile(log_path);
  std::string log = ReadFile(log_path);
  // Capture notices on its replication stream or on its own connection (storing its checkpoint),
  // whichever the server's stop hits first.
  EXPECT_TRUE(Contains(log, "replication stream of slot") || Contains(log, "[capture] Unavailable")) << log;
  EXPECT_TRUE(Contains(log, "retrying in")) << log;
  ExpectSameOutcome(rtpipe::testing::ExpectedOutcome(config, 25'000), rtpipe::testing::ActualOutcome(config));

  // Down when rtpipe starts: it waits for the server, saying so.
  server({scripts + "stop", state});
  pid = SpawnProcess({binary_, "run", "--records", "30000"}, dir_.path(), log_path + ".2");
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_TRUE(rtpipe::testing::ProcessRunning(pid)) << ReadFile(log_path + ".2");
  server({scripts + "start", state, "--port", port, "--keep-data"});
  EXPECT_EQ(WaitProcess(pid), 0) << ReadFile(log_path + ".2");
  log = ReadFile(log_path + ".2");
  EXPECT_TRUE(Contains(log, "is not reachable")) << log;
  EXPECT_TRUE(Contains(log, "retrying in")) << log;
  ExpectSameOutcome(rtpipe::testing::ExpectedOutcome(config, 30'000), rtpipe::testing::ActualOutcome(config));
}

TEST_F(PostgresPipelineTest, EachFailureModeSaysWhatIsWrong) {
  std::string address = ServerAddress();
  std::string output;
  auto run = [&](const std::string& url, const std::vector<std::string>& more = {}) {
    std::vector<std::string> args = {"run", "--records", "10", "--set", "landing.url=" + url};
    args.insert(args.end(), more.begin(), more.end());
    auto start = std::chrono::steady_clock::now();
    int rc = Rtpipe(args, &output);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << output;
    return rc;
  };

  // Wrong credentials: no retrying, the user and the fix named.
  EXPECT_EQ(run(Url(address, "postgres", "postgres", "wrong")), 1) << output;
  EXPECT_TRUE(Contains(output, "rejected the credentials")) << output;
  EXPECT_TRUE(Contains(output, "password authentication failed for user \"postgres\"")) << output;
  EXPECT_FALSE(Contains(output, "retrying")) << output;

  // A server without logical decoding.
  EXPECT_EQ(run(Url(ServerAddress("RTPIPE_TEST_POSTGRES_REPLICA"), "postgres")), 1) << output;
  EXPECT_TRUE(Contains(output, "has wal_level = replica")) << output;
  EXPECT_TRUE(Contains(output, "ALTER SYSTEM SET wal_level = logical")) << output;

  // A role without the REPLICATION attribute, in a database it owns.
  auto admin = Superuser(address);
  ASSERT_NE(admin, nullptr);
  (void)admin->Exec("DROP ROLE IF EXISTS rtpipe_norepl_test", "t");
  Status created = admin->Exec("CREATE ROLE rtpipe_norepl_test LOGIN PASSWORD 'secret'", "t");
  ASSERT_TRUE(created.ok()) << created;
  {
    ScratchDatabase owned(address, "rtpipe_norepl_test");
    EXPECT_EQ(run(owned.url("rtpipe_norepl_test", "secret")), 1) << output;
    EXPECT_TRUE(Contains(output, "role \"rtpipe_norepl_test\"")) << output;
    EXPECT_TRUE(Contains(output, "may not use replication")) << output;
    EXPECT_TRUE(Contains(output, "ALTER ROLE \"rtpipe_norepl_test\" WITH REPLICATION")) << output;
  }
  (void)admin->Exec("DROP ROLE IF EXISTS rtpipe_norepl_test", "t");

  // No server at all: retried with backoff, said so, then given up after landing.retry_window.
  int port = rtpipe::testing::FreePort();
  EXPECT_EQ(run(Url(fmt::format("127.0.0.1:{}", port), "postgres"), {"--set", "landing.retry_window=2s"}), 1) << output;
  EXPECT_TRUE(
      Contains(output, fmt::format("PostgreSQL at 127.0.0.1:{}/postgres (user \"postgres\") is not reachable", port)))
      << output;
  EXPECT_TRUE(Contains(output, "Connection refused")) << output;
  EXPECT_TRUE(Contains(output, "retrying in")) << output;
  EXPECT_TRUE(Contains(output, "gave up after 2s")) << output;

  // A database that does not exist.
  EXPECT_EQ(run(Url(address, "no_such_db_rtpipe")), 1) << output;
  EXPECT_TRUE(Contains(output, "database \"no_such_db_rtpipe\" does not exist")) << output;
}

TEST_F(PostgresPipelineTest, SlotLagRaisesTheAlarmAndDropSlotReleasesIt) {
  ScratchDatabase db;
  Configure(db, "  results: 1000\n  interval: 0\n", "", "  max_slot_lag: 64KiB\n");
  std::string output;
  // Landing with no capture running: the slot retains the WAL.
  ASSERT_EQ(Rtpipe({"run", "--role", "ingest", "--records", "5000"}, &output), 0) << output;
  ASSERT_EQ(Rtpipe({"capture", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "inactive (no capture running)")) << output;
  EXPECT_TRUE(Contains(output, "backlog:            5000 landed changes not captured yet")) << output;
  EXPECT_TRUE(Contains(output, "alarm:              ALARM")) << output;

  // Capture starts with that backlog: the alarm is logged (and shown on the status line).
  ASSERT_EQ(Rtpipe({"run", "--records", "5000"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, fmt::format("ALARM: replication slot {} retains", db.slot()))) << output;
  EXPECT_TRUE(Contains(output, "capture drop-slot")) << output;

  ASSERT_EQ(Rtpipe({"capture", "drop-slot"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, fmt::format("dropped replication slot {}", db.slot()))) << output;
  ASSERT_EQ(Rtpipe({"capture", "status"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "does not exist")) << output;
  ASSERT_EQ(Rtpipe({"capture", "drop-slot"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "nothing to drop")) << output;
  // The next start creates it again, and says which changes were not captured meanwhile.
  ASSERT_EQ(Rtpipe({"run", "--records", "6000"}, &output), 0) << output;
  EXPECT_TRUE(Contains(output, "had been dropped")) << output;
}

}  // namespace
}  // namespace rtpipe::pg::testing
