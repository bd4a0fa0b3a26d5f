// The broker goes away for 30 s in the middle of a run (fixture "kafka"; stopped and restarted by
// PID with the engine scripts, on its data). At the same time:
//   - `rtpipe run --records N` with the log on Kafka: capture's appends and the processor's reads
//     wait, then resume; the run ends with the analytics store and the dead letters exact;
//   - a producer and a consumer on the Log seam: appends block (no error) until the broker is
//     back, and the consumer gets every acknowledged record exactly once, in order.
//
// This test stops the broker every Kafka test uses: they all hold the "kafka-broker" resource lock
// (tests/integration/CMakeLists.txt), so none runs meanwhile.

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include "../e2e/pipeline_oracle.h"
#include "kafka_test_util.h"

namespace rtpipe::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

void RunScript(const std::vector<std::string>& argv) {
  std::string output;
  auto start = Clock::now();
  int rc = RunProcess(argv, &output);
  ASSERT_EQ(rc, 0) << argv[0] << " failed:\n" << output;
  fmt::print("[{:.1f}s] {}", std::chrono::duration<double>(Clock::now() - start).count(), output);
}

// Leaves the broker running whatever happens to the test, so the tests after it find it up.
struct RestartIfStopped {
  ~RestartIfStopped() {
    if (std::filesystem::exists(KafkaStateDir() + "/pid")) return;
    std::string output;
    RunProcess({KafkaScript("start"), KafkaStateDir(), "--keep-data"}, &output);
  }
};

TEST(KafkaOutageTest, PipelineAndClientsWaitOutA30sBrokerStopAndLoseNothing) {
  RestartIfStopped guard;
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);

  // The pipeline: ~6 s of ingest at 5000 users/s; the broker stops 3 s in.
  TempDir dir;
  std::string users = UniqueName("outage-users");
  Config config =
      PipelineConfig(dir.path(), fmt::format("source:\n  results: 500\n  interval: 100ms\n  bad_rate: 0.01\n"
                                             "log:\n  url: kafka://{}\n  topic: {}\n  dlq_topic: {}.dlq\n",
                                             KafkaBootstrap(), users, users));
  constexpr int64_t kRecords = 30'000;
  int pipeline = SpawnProcess({RequiredEnv("RTPIPE_BINARY"), "run", "--records", std::to_string(kRecords)}, dir.path(),
                              dir.path() + "/run.log");

  // The Log seam: appends of 200 records round robin over 3 partitions, a consumer reading them.
  std::string topic = UniqueName("outage");
  ASSERT_TRUE(log->CreateTopic({topic, 3}).ok());
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok());
  std::mutex mu;
  std::vector<int> acked;  // guarded by mu
  std::atomic<bool> stop_producing{false};
  std::atomic<int64_t> longest_append_ms{0};
  Status producer_error;
  std::thread feeder([&] {
    for (int call = 0; !stop_producing; ++call) {
      std::vector<Record> records(200);
      for (int i = 0; i < 200; ++i) records[i].value = std::to_string(call * 200 + i);
      auto started = Clock::now();
      auto offset = (*producer)->Append(topic, PartitionId(call % 3), records);
      auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      longest_append_ms = std::max(longest_append_ms.load(), took);
      if (!offset.ok()) {
        producer_error = offset.status();
        return;
      }
      std::lock_guard lock(mu);
      for (int i = 0; i < 200; ++i) acked.push_back(call * 200 + i);
      std::this_thread::sleep_for(20ms);
    }
  });
  std::vector<ConsumedRecord> consumed;
  std::atomic<bool> stop_consuming{false};
  Status consumer_error;
  std::thread reader([&] {
    auto consumer = log->NewConsumer();
    if (!consumer.ok()) {
      consumer_error = consumer.status();
      return;
    }
    std::map<TopicPartition, Offset> from;
    for (int p = 0; p < 3; ++p) from[{topic, PartitionId(p)}] = Offset(0);
    consumer_error = (*consumer)->Assign(from);
    std::stop_source stop;
    while (consumer_error.ok() && !stop_consuming) {
      auto records = (*consumer)->Poll(1000, 100ms, stop.get_token());
      if (!records.ok()) {
        consumer_error = records.status();
        return;
      }
      consumed.insert(consumed.end(), records->begin(), records->end());
    }
  });

  std::this_thread::sleep_for(3s);
  ASSERT_TRUE(ProcessRunning(pipeline)) << "the pipeline ended before the outage:\n"
                                        << ReadFile(dir.path() + "/run.log");
  RunScript({KafkaScript("stop"), KafkaStateDir()});
  auto stopped_at = Clock::now();
  size_t acked_before = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  }();
  std::this_thread::sleep_for(30s);
  size_t acked_during = [&] {
    std::lock_guard lock(mu);
    return acked.size();
  }();
  ASSERT_TRUE(ProcessRunning(pipeline)) << "the pipeline gave up during the outage:\n"
                                        << ReadFile(dir.path() + "/run.log");
  RunScript({KafkaScript("start"), KafkaStateDir(), "--keep-data"});
  fmt::print("broker away for {:.1f}s\n", std::chrono::duration<double>(Clock::now() - stopped_at).count());
  std::this_thread::sleep_for(3s);
  stop_producing = true;
  feeder.join();
  ASSERT_TRUE(producer_error.ok()) << "an append failed instead of waiting: " << producer_error;
  EXPECT_GT(acked_before, 0u);
  // Nothing can be acknowledged while the broker is down (at most the call whose reports were
  // on their way when it went).
  EXPECT_LE(acked_during - acked_before, 200u) << "appends were acknowledged while the broker was down";
  EXPECT_GE(longest_append_ms.load(), 20'000) << "no append waited through the outage";

  std::vector<int> expected;
  {
    std::lock_guard lock(mu);
    expected = acked;
  }
  auto deadline = Clock::now() + 60s;
  while (consumed.size() < expected.size() && Clock::now() < deadline && consumer_error.ok()) {
    std::this_thread::sleep_for(100ms);
  }
  stop_consuming = true;
  reader.join();
  ASSERT_TRUE(consumer_error.ok()) << consumer_error;
  ASSERT_EQ(consumed.size(), expected.size());
  std::map<int32_t, int64_t> next_offset;
  std::vector<int> values;
  for (const auto& r : consumed) {
    EXPECT_EQ(r.offset.value(), next_offset[r.partition.value()]++) << "partition " << r.partition.value();
    values.push_back(std::stoi(r.value.value_or("-1")));
  }
  std::sort(values.begin(), values.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(values, expected) << "every acknowledged record once, nothing else";

  // The pipeline resumes and ends exactly.
  auto run_deadline = Clock::now() + 180s;
  while (ProcessRunning(pipeline) && Clock::now() < run_deadline) std::this_thread::sleep_for(200ms);
  if (ProcessRunning(pipeline)) ::kill(pipeline, SIGTERM);
  ASSERT_EQ(WaitProcess(pipeline), 0) << ReadFile(dir.path() + "/run.log");
  PipelineOutcome want = ExpectedOutcome(config, kRecords);
  PipelineOutcome got = ActualOutcome(config);
  EXPECT_EQ(got.row_count, static_cast<int64_t>(got.rows.size())) << "duplicate ids in created_users";
  EXPECT_EQ(got.rows.size(), want.rows.size());
  size_t mismatches = 0;
  for (const auto& [id, row] : want.rows) {
    auto it = got.rows.find(id);
    if (it == got.rows.end() || !(it->second == row)) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(got.dead_letters.size(), want.dead_letters.size());
  auto by_stage = [](const PipelineOutcome& o) {
    std::map<std::string, int> n;
    for (const auto& d : o.dead_letters) ++n[d.stage + "/" + d.reason];
    std::string text;
    for (const auto& [k, v] : n) text += fmt::format(" {}={}", k, v);
    return text;
  };
  EXPECT_TRUE(got.dead_letters == want.dead_letters)
      << "dead letters differ: want" << by_stage(want) << "; got" << by_stage(got);
}

}  // namespace
}  // namespace rtpipe::testing
