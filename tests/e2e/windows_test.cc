// End to end, windows: the aggregate tables after SIGKILLs equal those of an uncrashed run with the
// same seed row for row, equal a batch recomputation from the users, and a replay from the log into
// a fresh store reproduces them.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "../testing/test_env.h"
#include "pipeline_oracle.h"
#include "rtpipe/config/loader.h"

namespace rtpipe::testing {
namespace {

// 500 users every 100 ms: event time advances 1 s per 5000 users, so 1-second windows fill up and
// close as the run goes (lateness 1 s). The 40000 take 8 s of ingest: longer than the five killed
// runs can last together (at most 7 s), so every kill hits a running pipeline.
constexpr const char* kConfig =
    "source:\n  results: 500\n  interval: 100ms\n  bad_rate: 0.01\n"
    "process:\n  window:\n    size: 2s\n    slide: 1s\n    lateness: 1s\n";
constexpr int64_t kRecords = 40'000;
const char* kTables[] = {"users_by_country_gender", "new_users_per_minute_by_nat", "users_by_email_domain"};

class WindowsTest : public ::testing::Test {
 protected:
  void SetUp() override { binary_ = RequiredEnv("RTPIPE_BINARY"); }

  int Rtpipe(const TempDir& dir, const std::vector<std::string>& args, std::string* output = nullptr) {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, output, dir.path());
  }

  // The whole table as CSV, in key order.
  std::string Table(const TempDir& dir, const std::string& table, const std::string& extra_args = "") {
    std::string csv;
    std::vector<std::string> args = {"query", "--format", "csv"};
    if (!extra_args.empty()) args.push_back("--set=" + extra_args);
    args.push_back("SELECT * FROM spark_streams." + table + " ORDER BY 1, 2, 3");
    EXPECT_EQ(Rtpipe(dir, args, &csv), 0) << csv;
    return csv;
  }

  // Equal tables, or a failure naming the first line that differs.
  static void ExpectSameTable(const std::string& table, const std::string& expected, const std::string& actual) {
    if (expected == actual) return;
    std::istringstream e(expected), a(actual);
    std::string el, al;
    for (int line = 1;; ++line) {
      bool more_e = static_cast<bool>(std::getline(e, el)), more_a = static_cast<bool>(std::getline(a, al));
      if (!more_e && !more_a) break;
      if (el != al || more_e != more_a) {
        ADD_FAILURE() << table << " differs at line " << line << ":\n  expected: " << (more_e ? el : "(end)")
                      << "\n  actual:   " << (more_a ? al : "(end)");
        return;
      }
    }
  }

  std::string binary_;
};

TEST_F(WindowsTest, AggregatesAfterKillNineEqualAnUncrashedRunAndABatchRecomputation) {
  TempDir clean, crashed;
  for (const TempDir* d : {&clean, &crashed}) std::ofstream(d->path() + "/rtpipe.yaml") << kConfig;
  std::string output;
  ASSERT_EQ(Rtpipe(clean, {"run", "--records", std::to_string(kRecords)}, &output), 0) << output;

  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(300, 1400);
  int kills = 0;
  for (int i = 0; i < 5; ++i) {
    int pid = SpawnProcess({binary_, "run", "--records", std::to_string(kRecords)}, crashed.path(),
                           crashed.path() + "/run.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (ProcessRunning(pid)) {
      ::kill(pid, SIGKILL);
      ++kills;
    }
    WaitProcess(pid);
  }
  EXPECT_EQ(kills, 5) << "the pipeline ended before a kill: the test did not test crashes";
  ASSERT_EQ(Rtpipe(crashed, {"run", "--records", std::to_string(kRecords)}, &output), 0) << output;

  for (const char* table : kTables) {
    std::string expected = Table(clean, table);
    EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 1) << table << " is empty";
    ExpectSameTable(table, expected, Table(crashed, table));
  }

  // Batch recomputation of users_by_country_gender from the users the run should have stored.
  ConfigInputs inputs;
  inputs.file_path = clean.path() + "/rtpipe.yaml";
  inputs.getenv = [](const char*) -> const char* { return nullptr; };
  auto loaded = LoadConfig(inputs);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  PipelineOutcome oracle = ExpectedOutcome(loaded->config, kRecords);
  struct Cell {
    int64_t users = 0, sum_age = 0;
    int min_age = 1000, max_age = -1;
  };
  std::map<std::tuple<std::string, std::string, std::string>, Cell> cells;
  for (const auto& [id, row] : oracle.rows) {
    int64_t t = ToMillis(row.event_time);
    for (int64_t start = t / 1000 * 1000; start > t - 2000; start -= 1000) {  // 2 s windows every 1 s
      Cell& c = cells[{FormatIso8601(TimestampFromMillis(start)), row.country, row.gender}];
      ++c.users;
      c.sum_age += row.age;
      c.min_age = std::min(c.min_age, row.age);
      c.max_age = std::max(c.max_age, row.age);
    }
  }
  std::string recomputed = "window_start,country,gender,window_end,users,avg_age,min_age,max_age,final\n";
  std::string actual = Table(clean, "users_by_country_gender");
  std::istringstream lines(actual);
  std::string line;
  std::getline(lines, line);  // header
  size_t compared = 0;
  while (std::getline(lines, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) f.push_back(cell);
    ASSERT_EQ(f.size(), 9u) << line;
    auto it = cells.find({f[0], f[1], f[2]});
    ASSERT_NE(it, cells.end()) << "no such window in the recomputation: " << line;
    EXPECT_EQ(std::stoll(f[4]), it->second.users) << line;
    EXPECT_NEAR(std::stod(f[5]), static_cast<double>(it->second.sum_age) / static_cast<double>(it->second.users), 1e-9)
        << line;
    EXPECT_EQ(std::stoi(f[6]), it->second.min_age) << line;
    EXPECT_EQ(std::stoi(f[7]), it->second.max_age) << line;
    ++compared;
  }
  EXPECT_EQ(compared, cells.size()) << "the table and the recomputation have different windows";

  // A replay of the whole log into a fresh store gives the same aggregates.
  ASSERT_EQ(Rtpipe(clean, {"run", "--replay", "--from", "beginning", "--set", "sink.url=sqlite:replayed.db"}, &output),
            0)
      << output;
  for (const char* table : kTables) {
    ExpectSameTable(table, Table(clean, table), Table(clean, table, "sink.url=sqlite:replayed.db"));
  }
}

}  // namespace
}  // namespace rtpipe::testing
