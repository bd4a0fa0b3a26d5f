// `rtpipe run` with the Cassandra sink against the real node (fixture "cassandra"):
//  - 100,000 source records with 1% injected bad records: the brief's own check,
//    `cqlsh -e "SELECT COUNT(*) FROM spark_streams.created_users;"`, prints exactly the number of
//    valid distinct users; every row equals the oracle's (sampled rows through cqlsh too); the dead
//    letters are exactly the bad records; the aggregate tables equal a batch recomputation; and
//    `rtpipe query` runs the same count as CQL.
//  - the node stopped by PID for 30 s in the middle of a run and restarted on its data: the run
//    waits, resumes and completes with nothing lost and nothing duplicated.
//
// Both stop or use the shared node: they hold the "cassandra-node" resource lock.

#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "../e2e/pipeline_oracle.h"
#include "cassandra_test_util.h"
#include "rtpipe/config/loader.h"
#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe::testing {
namespace {

using namespace std::chrono_literals;
using cql::CqlValue;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

std::string Script(const char* name) { return RequiredEnv("RTPIPE_SOURCE_DIR") + "/scripts/engines/cassandra/" + name; }
std::string StateDir() { return RequiredEnv("RTPIPE_ENGINE_STATE") + "/cassandra"; }

// Leaves the node running whatever happens to the test, so the tests after it find it up.
struct RestartIfStopped {
  ~RestartIfStopped() {
    if (std::filesystem::exists(StateDir() + "/pid")) return;
    std::string output;
    RunProcess({Script("start"), StateDir(), "--keep-data"}, &output);
  }
};

class CassandraPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    binary_ = RequiredEnv("RTPIPE_BINARY");
    node_ = RequiredEnv("RTPIPE_TEST_CASSANDRA");
    admin_ = cql::testing::ConnectOrFail(cql::testing::NodeOptions());
    ASSERT_NE(admin_, nullptr);
  }

  std::string SinkUrl(const std::string& keyspace) const { return "cassandra://" + node_ + "/" + keyspace; }

  // Writes rtpipe.yaml and loads the effective config as `rtpipe run <overrides>` would, with the
  // embedded stores' paths made absolute for the oracle.
  Config Configure(const std::string& yaml, const std::vector<std::pair<std::string, std::string>>& overrides) {
    std::ofstream(dir_.path() + "/rtpipe.yaml") << yaml;
    ConfigInputs inputs;
    inputs.file_path = dir_.path() + "/rtpipe.yaml";
    inputs.overrides = overrides;
    inputs.getenv = [](const char*) -> const char* { return nullptr; };
    auto loaded = LoadConfig(inputs);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    Config config = loaded->config;
    config.landing.url = "sqlite:" + dir_.path() + "/" + config.landing.url.substr(7);
    config.log.url = "file:" + dir_.path() + "/" + config.log.url.substr(5);
    return config;
  }

  std::vector<std::string> RtpipeArgv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  int Rtpipe(const std::vector<std::string>& args, std::string* output) {
    return RunProcess(RtpipeArgv(args), output, dir_.path());
  }

  void DropKeyspace(const std::string& keyspace) {
    auto dropped = admin_->Execute("DROP KEYSPACE IF EXISTS " + keyspace);
    ASSERT_TRUE(dropped.ok()) << dropped.status();
  }

  // Every aggregate table equals a batch recomputation over the expected users (no record is late
  // with these configs: the dead-letter comparison would show one).
  void ExpectAggregatesRecomputed(const Config& config, const PipelineOutcome& expected, const std::string& keyspace) {
    struct Cell {
      int64_t users = 0, sum_age = 0;
      int min_age = 1 << 30, max_age = -1;
    };
    for (const AggregateDefinition& def : AggregateDefinitions(config.process.window)) {
      std::map<std::vector<std::string>, Cell> cells;  // window_start (ms) then dimension values
      const int64_t size = def.size.count(), slide = def.slide.count();
      for (const auto& [id, u] : expected.rows) {
        int64_t t = ToMillis(u.event_time);
        for (int64_t start = t / slide * slide; start > t - size; start -= slide) {
          std::vector<std::string> key = {std::to_string(start)};
          for (const auto& d : def.dimensions) {
            key.push_back(d == "country"    ? u.country
                          : d == "gender"   ? u.gender
                          : d == "nat"      ? u.nat
                          : d == "age_band" ? u.age_band
                                            : u.email_domain);
          }
          Cell& c = cells[key];
          ++c.users;
          c.sum_age += u.age;
          c.min_age = std::min(c.min_age, u.age);
          c.max_age = std::max(c.max_age, u.age);
        }
      }
      std::string columns = "window_start";
      for (const auto& d : def.dimensions) columns += ", " + d;
      columns += ", window_end, users";
      if (def.age_stats) columns += ", avg_age, min_age, max_age";
      auto rows = admin_->Execute(fmt::format("SELECT {} FROM {}.{}", columns, keyspace, def.table), {});
      ASSERT_TRUE(rows.ok()) << rows.status();
      ASSERT_FALSE(rows->has_more_pages()) << def.table << " is larger than one page";
      size_t matched = 0;
      for (size_t i = 0; i < rows->size(); ++i) {
        auto r = rows->row(i);
        std::vector<std::string> key = {std::to_string(ToMillis(*r.Get<Timestamp>(0)))};
        size_t c = 1;
        for (size_t d = 0; d < def.dimensions.size(); ++d) key.push_back(*r.Get<std::string>(c++));
        std::string where = def.table + " " + fmt::format("{}", fmt::join(key, "/"));
        auto it = cells.find(key);
        if (it == cells.end()) {
          ADD_FAILURE() << "no such window in the recomputation: " << where;
          continue;
        }
        ++matched;
        EXPECT_EQ(ToMillis(*r.Get<Timestamp>(c++)), std::stoll(key[0]) + size) << where;
        EXPECT_EQ(*r.Get<int64_t>(c++), it->second.users) << where;
        if (def.age_stats) {
          EXPECT_NEAR(*r.Get<double>(c++),
                      static_cast<double>(it->second.sum_age) / static_cast<double>(it->second.users), 1e-9)
              << where;
          EXPECT_EQ(*r.Get<int32_t>(c++), it->second.min_age) << where;
          EXPECT_EQ(*r.Get<int32_t>(c++), it->second.max_age) << where;
        }
      }
      EXPECT_EQ(matched, cells.size()) << def.table << ": windows missing from the store";
      EXPECT_GT(matched, 0u) << def.table << " is empty";
    }
  }

  std::string binary_;
  std::string node_;
  std::unique_ptr<cql::CqlSession> admin_;
  TempDir dir_;
};

int64_t CountUsers(cql::CqlSession& s, const std::string& keyspace) {
  return cql::testing::CountRows(s, keyspace + ".created_users").ValueOr(-1);
}

std::string Trim(std::string text) {
  auto first = text.find_first_not_of(" \r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \r") - first + 1);
}

// The value cqlsh prints under the header of a one-column, one-row result ("count\n-----\n 123").
std::string CqlshSingleValue(const std::string& output) {
  std::istringstream lines(output);
  bool after_rule = false;
  for (std::string line; std::getline(lines, line);) {
    std::string trimmed = Trim(line);
    if (after_rule) return trimmed;
    after_rule = !trimmed.empty() && trimmed.find_first_not_of('-') == std::string::npos;
  }
  return "";
}

// True when cqlsh printed a row whose cells are `cells` ("a | b | c", padded).
bool CqlshHasRow(const std::string& output, const std::vector<std::string>& cells) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::stringstream split(line);
    for (std::string f; std::getline(split, f, '|');) fields.push_back(Trim(f));
    if (fields == cells) return true;
  }
  return false;
}

TEST_F(CassandraPipelineTest, HundredThousandRecordsPassTheBriefsCqlshCheck) {
  const std::string ks = "spark_streams";
  DropKeyspace(ks);
  const std::string url = SinkUrl(ks);
  Config config = Configure("source:\n  results: 1000\n  interval: 0\n  bad_rate: 0.01\n", {{"sink.url", url}});
  std::string output;
  auto started = Clock::now();
  ASSERT_EQ(Rtpipe({"run", "--records", "100000", "--set", "sink.url=" + url}, &output), 0) << output;
  double run_seconds = Seconds(started);

  PipelineOutcome expected = ExpectedOutcome(config, 100'000);
  EXPECT_GT(expected.dead_letters.size(), 500u);
  EXPECT_LT(expected.dead_letters.size(), 2000u);
  const std::string want = std::to_string(expected.rows.size());

  // The brief's check, verbatim, with the brief's tool.
  const std::string cqlsh = RequiredEnv("RTPIPE_CQLSH");
  ASSERT_TRUE(std::filesystem::exists(cqlsh)) << cqlsh << " is missing: run scripts/engines/cassandra/install";
  const std::string port = node_.substr(node_.find(':') + 1);
  std::string counted;
  ASSERT_EQ(RunProcess({cqlsh, "--request-timeout=60", "127.0.0.1", port, "-e",
                        "SELECT COUNT(*) FROM spark_streams.created_users;"},
                       &counted),
            0)
      << counted;
  EXPECT_EQ(CqlshSingleValue(counted), want) << counted;

  PipelineOutcome actual = ActualOutcome(config);
  ExpectSameOutcome(expected, actual);

  // Sampled rows through cqlsh too: every 9,000th user by id, as the brief's tool shows them.
  std::string statements;
  std::vector<const CreatedUser*> samples;
  size_t i = 0;
  for (const auto& [id, row] : expected.rows) {
    if (i++ % 9000 != 0) continue;
    samples.push_back(&row);
    statements +=
        fmt::format("SELECT email, post_code, age, tenure_days FROM spark_streams.created_users WHERE id = {};", id);
  }
  std::string sampled;
  ASSERT_EQ(RunProcess({cqlsh, "--request-timeout=60", "127.0.0.1", port, "-e", statements}, &sampled), 0) << sampled;
  for (const CreatedUser* u : samples) {
    std::vector<std::string> cells = {u->email, u->post_code, std::to_string(u->age), std::to_string(u->tenure_days)};
    EXPECT_TRUE(CqlshHasRow(sampled, cells))
        << "cqlsh does not show " << fmt::format("{}", fmt::join(cells, " | ")) << " for " << u->id << ":\n"
        << sampled;
  }

  ExpectAggregatesRecomputed(config, expected, ks);

  std::string queried;
  ASSERT_EQ(Rtpipe({"query", "--set", "sink.url=" + url, "SELECT COUNT(*) FROM spark_streams.created_users"}, &queried),
            0)
      << queried;
  EXPECT_NE(queried.find("\n" + want + "\n"), std::string::npos) << queried;

  fmt::print(
      "100,000 records ({} users, {} dead letters) through Cassandra in {:.1f} s = {:.0f} records/s; checks "
      "{:.1f} s\n",
      expected.rows.size(), expected.dead_letters.size(), run_seconds, 100'000 / run_seconds,
      Seconds(started) - run_seconds);
}

TEST_F(CassandraPipelineTest, NodeStoppedFor30sMidRunTheRunWaitsAndLosesNothing) {
  RestartIfStopped guard;
  const std::string ks = "rtpipe_sink_outage_it";
  DropKeyspace(ks);
  const std::string url = SinkUrl(ks);
  // About 10,000 records/s from the source: the run is still in its stride when the node stops.
  constexpr int64_t kRecords = 60'000;
  Config config = Configure("source:\n  results: 500\n  interval: 50ms\n  bad_rate: 0.01\n",
                            {{"sink.url", url}, {"sink.keyspace", ks}});
  auto started = Clock::now();
  int pid = SpawnProcess(RtpipeArgv({"run", "--records", std::to_string(kRecords), "--set", "sink.url=" + url, "--set",
                                     "sink.keyspace=" + ks}),
                         dir_.path(), dir_.path() + "/run.log");
  // Stop the node once the sink has stored some users.
  int64_t stored_before = 0;
  while (Seconds(started) < 60) {
    std::this_thread::sleep_for(200ms);
    stored_before = CountUsers(*admin_, ks);
    if (stored_before >= 5000 || !ProcessRunning(pid)) break;
  }
  ASSERT_TRUE(ProcessRunning(pid)) << "the run ended before the outage:\n" << ReadFile(dir_.path() + "/run.log");
  ASSERT_GE(stored_before, 5000) << ReadFile(dir_.path() + "/run.log");
  std::string script_output;
  ASSERT_EQ(RunProcess({Script("stop"), StateDir()}, &script_output), 0) << script_output;
  auto stopped = Clock::now();
  fmt::print("[{:.1f}s] node stopped with {} users stored\n", Seconds(started), stored_before);
  std::this_thread::sleep_for(30s);
  ASSERT_TRUE(ProcessRunning(pid)) << "the run must wait for the store, not fail:\n"
                                   << ReadFile(dir_.path() + "/run.log");
  ASSERT_EQ(RunProcess({Script("start"), StateDir(), "--keep-data"}, &script_output), 0) << script_output;
  fmt::print("[{:.1f}s] node back after {:.1f} s\n", Seconds(started), Seconds(stopped));
  int rc = WaitProcess(pid);
  std::string log = ReadFile(dir_.path() + "/run.log");
  ASSERT_EQ(rc, 0) << log;
  fmt::print("[{:.1f}s] run complete\n", Seconds(started));
  EXPECT_NE(log.find("analytics store"), std::string::npos);
  auto retry = log.find("retrying in");
  ASSERT_NE(retry, std::string::npos) << "the outage must have reached the sink:\n" << log;
  auto line_start = log.rfind('\n', retry);
  fmt::print("the run said: {}\n", log.substr(line_start + 1, log.find('\n', retry) - line_start - 1));

  PipelineOutcome expected = ExpectedOutcome(config, kRecords);
  EXPECT_LT(stored_before, static_cast<int64_t>(expected.rows.size())) << "the node stopped after the last write";
  ExpectSameOutcome(expected, ActualOutcome(config));
  ExpectAggregatesRecomputed(config, expected, ks);
}

}  // namespace
}  // namespace rtpipe::testing
