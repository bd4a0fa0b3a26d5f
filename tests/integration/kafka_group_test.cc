// Consumer groups across processes (fixture "kafka"): three kafka_group_member processes share a
// topic's partitions while records keep coming; one leaves cleanly (SIGTERM), one is killed
// (SIGKILL, noticed after its 6 s session timeout). The store the members apply to (with their
// offsets, Spark-checkpoint style) must end with every offset of every partition applied exactly
// once, no member may ever have applied a partition it did not own, and the group's committed
// offsets in Kafka must mirror the ends.

#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "kafka_test_util.h"
#include "rtpipe/base/sqlite.h"

namespace rtpipe::testing {
namespace {

using namespace std::chrono_literals;

int64_t QueryInt(const std::string& db_path, const std::string& sql) {
  auto db = SqliteDb::Open(db_path, SqliteDb::Mode::kReadOnly);
  if (!db.ok()) return -1;
  auto value = (*db)->QueryInt(sql);
  return value.ok() && value->has_value() ? **value : -1;
}

TEST(KafkaGroupTest, MembersJoinLeaveAndDieWithoutLosingOrRepeatingAnOffset) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("group-topic");
  std::string group = UniqueName("group");
  constexpr int kPartitions = 6;
  ASSERT_TRUE(log->CreateTopic({topic, kPartitions}).ok());
  TempDir dir;
  std::string db = dir.path() + "/store.db";
  std::string member_binary = RequiredEnv("RTPIPE_GROUP_MEMBER");
  auto start_member = [&](const std::string& name) {
    return SpawnProcess({member_binary, KafkaBootstrap(), group, topic, db, name}, dir.path(),
                        dir.path() + "/" + name + ".log");
  };
  auto member_logs = [&] {
    std::string out;
    for (const char* name : {"a", "b", "c"})
      out += fmt::format("--- {}:\n{}", name, ReadFile(dir.path() + "/" + name + ".log"));
    return out;
  };

  // Records keep coming for ~12 s while members come and go.
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok());
  std::atomic<int> produced{0};
  std::atomic<bool> producer_failed{false};
  std::thread feeder([&] {
    for (int batch = 0; batch < 60; ++batch) {
      std::vector<Record> records;
      for (int i = 0; i < 250; ++i) {
        Record r;
        int n = batch * 250 + i;
        r.key = "user-" + std::to_string(n);
        r.value = std::to_string(n);
        records.push_back(std::move(r));
      }
      if (!(*producer)->Send(topic, records).ok()) {
        producer_failed = true;
        return;
      }
      produced += 250;
      std::this_thread::sleep_for(200ms);
    }
  });

  int a = start_member("a");
  std::this_thread::sleep_for(1500ms);
  int b = start_member("b");
  int c = start_member("c");
  std::this_thread::sleep_for(3500ms);
  ASSERT_TRUE(ProcessRunning(a) && ProcessRunning(b) && ProcessRunning(c)) << member_logs();
  EXPECT_GT(QueryInt(db, "SELECT COUNT(DISTINCT member) FROM applied"), 1) << "the members did not share the work";

  ::kill(a, SIGTERM);  // leaves the group: its partitions move at once
  EXPECT_EQ(WaitProcess(a), 0) << member_logs();
  std::this_thread::sleep_for(2500ms);
  ::kill(b, SIGKILL);  // just gone: the group notices after the session timeout
  EXPECT_EQ(WaitProcess(b), 128 + SIGKILL);
  feeder.join();
  ASSERT_FALSE(producer_failed);
  ASSERT_EQ(produced.load(), 15000);

  // Member c alone takes over everything and catches up.
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (QueryInt(db, "SELECT COUNT(*) FROM applied") < produced && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(ProcessRunning(c)) << member_logs();
    std::this_thread::sleep_for(200ms);
  }
  ASSERT_TRUE(ProcessRunning(c)) << member_logs();
  ::kill(c, SIGTERM);
  EXPECT_EQ(WaitProcess(c), 0) << "member c (exit 3 = it applied a partition it did not own)\n" << member_logs();

  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM applied"), produced.load()) << member_logs();
  EXPECT_EQ(QueryInt(db, "SELECT COUNT(*) FROM (SELECT 1 FROM applied GROUP BY partition, offset HAVING COUNT(*) > 1)"),
            0)
      << "offsets applied twice";
  EXPECT_EQ(QueryInt(db,
                     "SELECT COUNT(*) FROM events WHERE member = 'c' AND what = 'assigned' AND "
                     "partitions = '0,1,2,3,4,5'"),
            1)
      << "c must have owned all six partitions at the end (after b's session expired)";
  auto info = log->DescribeTopic(topic);
  ASSERT_TRUE(info.ok());
  std::map<TopicPartition, Offset> ends;
  for (const auto& p : info->partitions) {
    ends[{topic, p.partition}] = p.end_offset;
    int partition = p.partition.value();
    // Dense: offsets 0..end-1 each applied once, and the stored next offset is the end.
    EXPECT_EQ(QueryInt(db, fmt::format("SELECT COUNT(DISTINCT offset) FROM applied WHERE partition = {}", partition)),
              p.end_offset.value());
    EXPECT_EQ(QueryInt(db, fmt::format("SELECT MAX(offset) FROM applied WHERE partition = {}", partition)),
              p.end_offset.value() - 1);
    EXPECT_EQ(QueryInt(db, fmt::format("SELECT next FROM offsets WHERE partition = {}", partition)),
              p.end_offset.value());
  }
  auto committed = log->CommittedOffsets(group, topic);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(*committed, ends) << "the group's offsets in Kafka mirror the store";
}

}  // namespace
}  // namespace rtpipe::testing
