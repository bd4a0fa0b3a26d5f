// End to end on embedded defaults: `rtpipe run` lands exactly the valid distinct users and
// dead-letters exactly the bad records, also when re-fetching and when killed with SIGKILL.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "../testing/test_env.h"
#include "pipeline_oracle.h"
#include "rtpipe/base/sqlite.h"
#include "rtpipe/config/loader.h"
#include "rtpipe/model/user.h"

namespace rtpipe::testing {
namespace {

class EmbeddedPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override { binary_ = RequiredEnv("RTPIPE_BINARY"); }

  void WriteConfig(const std::string& yaml) { std::ofstream(dir_.path() + "/rtpipe.yaml") << yaml; }

  // Writes rtpipe.yaml in the working directory and loads it as rtpipe would.
  Config Configure(const std::string& yaml) {
    WriteConfig(yaml);
    ConfigInputs inputs;
    inputs.file_path = dir_.path() + "/rtpipe.yaml";
    inputs.getenv = [](const char*) -> const char* { return nullptr; };
    auto loaded = LoadConfig(inputs);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    Config config = loaded->config;
    // The oracle reads the stores from the test process: make their paths absolute.
    for (std::string* url : {&config.sink.url, &config.landing.url})
      *url = "sqlite:" + dir_.path() + "/" + url->substr(7);
    config.log.url = "file:" + dir_.path() + "/" + config.log.url.substr(5);
    return config;
  }

  int Rtpipe(const std::vector<std::string>& args, std::string* output = nullptr) {
    std::vector<std::string> argv = {binary_};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, output, dir_.path());
  }

  std::string binary_;
  TempDir dir_;
};

constexpr const char* kFastBadConfig = "source:\n  results: 1000\n  interval: 0\n  bad_rate: 0.01\n";

TEST_F(EmbeddedPipelineTest, LandsExactlyTheValidDistinctUsersAndDeadLettersTheRest) {
  Config config = Configure(kFastBadConfig);
  std::string output;
  ASSERT_EQ(Rtpipe({"run", "--records", "100000"}, &output), 0) << output;
  PipelineOutcome expected = ExpectedOutcome(config, 100'000);
  // The generator injected about 1% bad records of every kind; they must all be dead letters.
  EXPECT_GT(expected.dead_letters.size(), 500u);
  EXPECT_LT(expected.dead_letters.size(), 2000u);
  std::set<std::string> reasons;
  for (const auto& d : expected.dead_letters) reasons.insert(d.reason);
  EXPECT_GE(reasons.size(), 4u) << "malformed, missing, invalid e-mail and wrong-type records are all expected";
  ExpectSameOutcome(expected, ActualOutcome(config));

  // Fetching the same pages again adds no row and no dead letter.
  {
    auto db = SqliteDb::Open(dir_.path() + "/data/landing.db", SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE ingest_state SET page = 1, skip = 0, source_records = 0").ok());
  }
  ASSERT_EQ(Rtpipe({"run", "--records", "100000"}, &output), 0) << output;
  ExpectSameOutcome(expected, ActualOutcome(config));

  std::string count;
  ASSERT_EQ(Rtpipe({"query", "SELECT COUNT(*) FROM spark_streams.created_users"}, &count), 0) << count;
  EXPECT_NE(count.find(std::to_string(expected.rows.size())), std::string::npos) << count;
}

TEST_F(EmbeddedPipelineTest, SurvivesKillNineAtRandomMomentsWithNoLossAndNoDuplicates) {
  // 5000 users/s: the 60000 take 12 s of ingest, longer than the five runs below can last together
  // (at most 9 s), so every kill hits a running pipeline whatever the machine's speed. Paced pages of
  // 2500 users land in chunks of up to 1000, so a kill can also fall between two chunks of a page.
  Config config = Configure("source:\n  results: 2500\n  interval: 500ms\n  bad_rate: 0.01\n");
  const std::string records = "60000";
  std::mt19937 rng(std::random_device{}());
  std::uniform_int_distribution<int> delay_ms(300, 1800);
  int kills = 0;
  for (int i = 0; i < 5; ++i) {
    int pid = SpawnProcess({binary_, "run", "--records", records}, dir_.path(), dir_.path() + "/run.log");
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    if (ProcessRunning(pid)) {
      ::kill(pid, SIGKILL);
      ++kills;
    }
    WaitProcess(pid);
  }
  EXPECT_EQ(kills, 5) << "the pipeline ended before a kill: the test did not test crashes";
  std::string output;
  ASSERT_EQ(Rtpipe({"run", "--records", records}, &output), 0) << output << ReadFile(dir_.path() + "/run.log");
  ExpectSameOutcome(ExpectedOutcome(config, 60'000), ActualOutcome(config));
}

TEST_F(EmbeddedPipelineTest, ReplaysResponsesSavedAsFiles) {
  Config config = Configure("source:\n  url: file:pages\n  seed: saved\n  results: 1000\n  interval: 0\n");
  std::string output;
  ASSERT_EQ(Rtpipe({"fetch", "--url", "generator", "--pages", "3", "--out", "pages"}, &output), 0) << output;
  std::set<std::string> uuids;
  for (int page = 1; page <= 3; ++page) {
    auto response = ParseResponse(ReadFile(dir_.path() + "/pages/page-" + std::to_string(page) + ".json"));
    ASSERT_TRUE(response.ok()) << response.status();
    for (const auto& record : response->records) {
      auto user = ParseUser(record.raw);
      ASSERT_TRUE(user.ok()) << user.status();
      uuids.insert(user->login.uuid);
    }
  }
  ASSERT_EQ(uuids.size(), 3000u);

  ASSERT_EQ(Rtpipe({"run", "--records", "3000"}, &output), 0) << output;
  PipelineOutcome actual = ActualOutcome(config);
  EXPECT_EQ(actual.row_count, 3000);
  EXPECT_TRUE(actual.dead_letters.empty());
  std::set<std::string> ids;
  for (const auto& [id, row] : actual.rows) ids.insert(id);
  EXPECT_EQ(ids, uuids) << "the store holds exactly the saved users";

  // Past the saved pages the source waits for the next one, as for an API outage.
  ASSERT_EQ(Rtpipe({"run", "--records", "3500", "--set", "source.max_attempts=2"}, &output), 1) << output;
  EXPECT_NE(output.find("no pages/page-4.json after 2 attempts"), std::string::npos) << output;
}

// `rtpipe bench` on a few records: every figure is printed, and each run's data goes once no later
// run reads it, unless --keep. With --store-users, the latency run adds its records to stores that
// already hold that many users.
TEST_F(EmbeddedPipelineTest, BenchPrintsEveryFigureAndRemovesWhatItWrote) {
  const std::vector<std::string> short_runs = {"bench", "--records", "2000", "--rate", "5000", "--seconds", "1"};
  std::string output;
  auto args = short_runs;
  args.insert(args.end(), {"--dir", "kept", "--keep", "--store-users", "1200"});
  ASSERT_EQ(Rtpipe(args, &output), 0) << output;
  for (const char* line :
       {"ingest   (saved pages -> landing)", "end to end (all stages at once)", "end to end, generator in process",
        "end to end without aggregation", "alternating pairs of runs\n", "of 666 records each, pair by pair",
        "CPU per record end to end", "machine speed: simdjson's DOM parser read the saved pages at",
        "a record's CPU time is that of parsing",
        "writes end to end:", "as dd bs=1M count=512 conv=fdatasync measures it",
        "latency at 5000 records/s offered (500 users every 100 ms, into stores growing from 1200 to 6200 users",
        "peak RSS"}) {
    EXPECT_NE(output.find(line), std::string::npos) << line << " in\n" << output;
  }
  for (const char* run : {"staged", "e2e", "e2e-generator", "aggregation-on-1", "aggregation-off-3", "latency",
                          "pages-5000", "pages-500"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/kept/" + run)) << run;
  }
  auto store = SqliteDb::Open(dir_.path() + "/kept/latency/analytics.db", SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(store.ok()) << store.status();
  auto users = (*store)->QueryInt("SELECT COUNT(*) FROM created_users");
  ASSERT_TRUE(users.ok()) << users.status();
  EXPECT_EQ(users->value_or(0), 6200);
  args = short_runs;
  args.insert(args.end(), {"--dir", "removed"});
  ASSERT_EQ(Rtpipe(args, &output), 0) << output;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/removed"));
}

TEST_F(EmbeddedPipelineTest, BadConfigStopsAtStartUpNamingTheKey) {
  WriteConfig("source:\n  results: 9000\n");
  std::string output;
  EXPECT_EQ(Rtpipe({"run", "--records", "10"}, &output), 2);
  EXPECT_NE(output.find("source.results = \"9000\""), std::string::npos) << output;
  EXPECT_NE(output.find("between 1 and 5000"), std::string::npos) << output;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/data")) << "nothing may be created on a config error";
}

TEST_F(EmbeddedPipelineTest, SigtermStopsCleanlyAndARestartResumes) {
  Config config = Configure("source:\n  results: 100\n  interval: 50ms\n");
  int pid = SpawnProcess({binary_, "run"}, dir_.path(), dir_.path() + "/run.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(ProcessRunning(pid)) << ReadFile(dir_.path() + "/run.log");
  auto asked = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  EXPECT_EQ(WaitProcess(pid), 0) << ReadFile(dir_.path() + "/run.log");
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(5)) << "stopping must be prompt";
  std::string log = ReadFile(dir_.path() + "/run.log");
  EXPECT_NE(log.find("run again to resume"), std::string::npos) << log;

  // A stage that is not running keeps its input durably: land more without processing them ...
  std::string output;
  ASSERT_EQ(Rtpipe({"run", "--role", "ingest", "--records", "8000"}, &output), 0) << output;
  // ... and the full pipeline then brings everything through to the store.
  ASSERT_EQ(Rtpipe({"run", "--records", "8000"}, &output), 0) << output;
  ExpectSameOutcome(ExpectedOutcome(config, 8000), ActualOutcome(config));
}

}  // namespace
}  // namespace rtpipe::testing
