// Scale-out on Apache Kafka: three `rtpipe run --role process` processes share the partitions of
// users_created as one consumer group, one of them is killed with SIGKILL mid-run, and together
// they still write every record to the store exactly once — rows, dead letters, and windows whose
// per-partition values were written by different processes.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <set>
#include <sstream>
#include <thread>

#include "../e2e/pipeline_oracle.h"
#include "../testing/test_env.h"
#include "kafka_test_util.h"
#include "rtpipe/base/sqlite.h"

namespace rtpipe::testing {
namespace {

TEST(KafkaScaleOut, ThreeProcessorsOneKilledWriteEveryRecordOnce) {
  const std::string binary = RequiredEnv("RTPIPE_BINARY");
  TempDir dir;
  const std::string topic = UniqueName("scaleout"), group = UniqueName("processors");
  // Short sessions, so the group notices the killed member within seconds.
  Config config =
      PipelineConfig(dir.path(), fmt::format("source:\n  results: 200\n  interval: 20ms\n  bad_rate: 0.01\n"
                                             "log:\n  url: kafka://{}?consumer.session.timeout.ms=6000&"
                                             "consumer.heartbeat.interval.ms=1000\n  topic: {}\n  dlq_topic: {}.dlq\n"
                                             "  partitions: 6\nprocess:\n  group: {}\n",
                                             KafkaBootstrap(), topic, topic, group));
  constexpr int64_t kRecords = 40'000;
  auto spawn = [&](const std::vector<std::string>& args, const std::string& name) {
    std::vector<std::string> argv = {binary};
    argv.insert(argv.end(), args.begin(), args.end());
    return SpawnProcess(argv, dir.path(), dir.path() + "/" + name + ".log");
  };
  // Topics exist before the processors join, so all three see every partition from the start.
  std::string output;
  ASSERT_EQ(RunProcess({binary, "topics", "create", topic, "--partitions", "6"}, &output, dir.path()), 0) << output;
  int capture = spawn({"run", "--role", "capture"}, "capture");
  std::vector<int> processors;
  for (int i = 0; i < 3; ++i) processors.push_back(spawn({"run", "--role", "process"}, "process" + std::to_string(i)));
  // Every member owns some partitions before data flows (each join rebalances the group).
  auto owns = [&](int i) {
    std::string log = ReadFile(dir.path() + "/process" + std::to_string(i) + ".log");
    size_t owned = log.rfind("now owns"), gave_up = log.rfind("gave up");
    return owned != std::string::npos && (gave_up == std::string::npos || gave_up < owned);
  };
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!(owns(0) && owns(1) && owns(2)) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(owns(0) && owns(1) && owns(2)) << "the three processors did not share the partitions";
  int ingest = spawn({"run", "--role", "ingest", "--records", std::to_string(kRecords)}, "ingest");

  // Kill one processor once it has stored something.
  auto stored_rows = [&]() -> int64_t {
    auto db = SqliteDb::Open(dir.path() + "/data/analytics.db", SqliteDb::Mode::kReadOnly);
    if (!db.ok()) return 0;
    auto n = (*db)->QueryInt("SELECT COUNT(*) FROM created_users");
    return n.ok() ? n->value_or(0) : 0;
  };
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (stored_rows() < 5000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(ProcessRunning(processors[1])) << ReadFile(dir.path() + "/process1.log");
  ::kill(processors[1], SIGKILL);
  WaitProcess(processors[1]);
  EXPECT_EQ(WaitProcess(ingest), 0) << ReadFile(dir.path() + "/ingest.log");

  // Everything ingested reaches the store through the two survivors.
  PipelineOutcome expected = ExpectedOutcome(config, kRecords);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (stored_rows() < static_cast<int64_t>(expected.rows.size()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a late duplicate would show up now
  for (int pid : {processors[0], processors[2], capture}) {
    ::kill(pid, SIGTERM);
    EXPECT_EQ(WaitProcess(pid), 0) << "pid " << pid;
  }
  PipelineOutcome actual = ActualOutcome(config);
  EXPECT_EQ(actual.row_count, static_cast<int64_t>(actual.rows.size())) << "duplicate ids";
  ASSERT_EQ(actual.rows.size(), expected.rows.size()) << ReadFile(dir.path() + "/process0.log");
  size_t mismatches = 0;
  for (const auto& [id, row] : expected.rows) {
    auto it = actual.rows.find(id);
    if (it == actual.rows.end() || !(it->second == row)) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_TRUE(actual.dead_letters == expected.dead_letters)
      << actual.dead_letters.size() << " dead letters, expected " << expected.dead_letters.size();

  // Each window row is the sum of partitions counted by different processes: every user once.
  auto db = SqliteDb::Open(dir.path() + "/data/analytics.db", SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  for (const char* table : {"users_by_country_gender", "new_users_per_minute_by_nat", "users_by_email_domain"}) {
    auto users = (*db)->QueryInt(std::string("SELECT SUM(users) FROM ") + table);
    ASSERT_TRUE(users.ok()) << users.status();
    EXPECT_EQ(users->value_or(0), static_cast<int64_t>(expected.rows.size())) << table;
  }
  // The survivors took over the killed member's partitions: their last assignments cover all six.
  std::set<int> covered;
  for (int i : {0, 2}) {
    std::string log = ReadFile(dir.path() + "/process" + std::to_string(i) + ".log");
    size_t at = log.rfind("now owns partitions: ");
    ASSERT_NE(at, std::string::npos) << log;
    std::istringstream list(log.substr(at + 21, log.find('\n', at) - at - 21));
    for (std::string item; std::getline(list, item, ',');) covered.insert(std::stoi(item));
  }
  EXPECT_EQ(covered, (std::set<int>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace rtpipe::testing
