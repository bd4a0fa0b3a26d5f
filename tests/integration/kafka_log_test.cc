// The Kafka backend of the Log seam against a real broker (fixture "kafka"): topics, appends and
// their offsets, key placement (PartitionFor, and the same as librdkafka's Java-compatible
// partitioner used by kcat), headers, timestamps, OffsetForTime, group offsets, consumer groups
// handing partitions over, and the errors for an unreachable broker or a bad URL.

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "kafka_test_util.h"

namespace rtpipe::testing {
namespace {

using namespace std::chrono_literals;

const Timestamp kBase = TimestampFromMillis(1'767'225'600'000);  // 2026-01-01T00:00:00Z

// Reads every partition of `topic` from its start until `count` records came (or 30 s passed).
std::vector<ConsumedRecord> ReadAll(Log& log, const std::string& topic, size_t count) {
  auto info = log.DescribeTopic(topic);
  EXPECT_TRUE(info.ok()) << info.status();
  if (!info.ok()) return {};
  std::map<TopicPartition, Offset> from;
  for (const auto& p : info->partitions) from[{topic, p.partition}] = p.start_offset;
  auto consumer = log.NewConsumer();
  EXPECT_TRUE(consumer.ok()) << consumer.status();
  EXPECT_TRUE((*consumer)->Assign(from).ok());
  std::vector<ConsumedRecord> out;
  std::stop_source stop;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto records = (*consumer)->Poll(1000, 200ms, stop.get_token());
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) break;
    out.insert(out.end(), records->begin(), records->end());
  }
  EXPECT_EQ(out.size(), count) << "records read back from " << topic;
  return out;
}

TEST(KafkaLogTest, TopicsAreCreatedDescribedListedAndDeleted) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("admin");
  ASSERT_TRUE(log->CreateTopic({topic, 3}).ok());
  EXPECT_EQ(log->CreateTopic({topic, 3}).code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(log->EnsureTopic({topic, 5}).ok());  // exists: its partition count stays
  auto info = log->DescribeTopic(topic);
  ASSERT_TRUE(info.ok()) << info.status();
  ASSERT_EQ(info->partitions.size(), 3u);
  for (int p = 0; p < 3; ++p) {
    EXPECT_EQ(info->partitions[p].partition, PartitionId(p));
    EXPECT_EQ(info->partitions[p].start_offset, Offset(0));
    EXPECT_EQ(info->partitions[p].end_offset, Offset(0));
    EXPECT_EQ(info->partitions[p].size_bytes, -1);
  }
  auto names = log->ListTopics();
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_NE(std::find(names->begin(), names->end(), topic), names->end());
  for (const auto& n : *names) EXPECT_FALSE(n.starts_with("__")) << "internal topic listed: " << n;

  ASSERT_TRUE(log->DeleteTopic(topic).ok());
  EXPECT_EQ(log->DescribeTopic(topic).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log->DeleteTopic(topic).code(), StatusCode::kNotFound);

  std::string ensured = UniqueName("ensure");
  ASSERT_TRUE(log->EnsureTopic({ensured, 2}).ok());
  info = log->DescribeTopic(ensured);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->partitions.size(), 2u);
  EXPECT_EQ(log->CreateTopic({UniqueName("bad"), 0}).code(), StatusCode::kInvalidArgument);
}

TEST(KafkaLogTest, AppendReturnsTheFirstOffsetOnceAcknowledged) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("append");
  ASSERT_TRUE(log->CreateTopic({topic, 2}).ok());
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto batch = [](int n, int from) {
    std::vector<Record> records(n);
    for (int i = 0; i < n; ++i) records[i].value = "value-" + std::to_string(from + i);
    return records;
  };
  auto first = (*producer)->Append(topic, PartitionId(1), batch(10, 0));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(*first, Offset(0));
  auto second = (*producer)->Append(topic, PartitionId(1), batch(5, 10));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(*second, Offset(10));
  auto other = (*producer)->Append(topic, PartitionId(0), batch(3, 0));
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, Offset(0));
  auto empty = (*producer)->Append(topic, PartitionId(1), {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, Offset(15)) << "an empty append returns the end offset";
  EXPECT_FALSE((*producer)->Append(topic, PartitionId(7), batch(1, 0)).ok()) << "no partition 7";

  auto info = log->DescribeTopic(topic);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->partitions[0].end_offset, Offset(3));
  EXPECT_EQ(info->partitions[1].end_offset, Offset(15));

  // A consumer starts exactly where it is told, also after a re-assignment.
  auto consumer = log->NewConsumer();
  ASSERT_TRUE(consumer.ok());
  TopicPartition p1{topic, PartitionId(1)};
  ASSERT_TRUE((*consumer)->Assign({{p1, Offset(0)}}).ok());
  std::stop_source stop;
  auto records = (*consumer)->Poll(3, 5s, stop.get_token());
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3u);
  EXPECT_EQ((*records)[2].offset, Offset(2));
  EXPECT_EQ((*consumer)->Positions().at(p1), Offset(3));
  ASSERT_TRUE((*consumer)->Assign({{p1, Offset(12)}}).ok());
  std::vector<ConsumedRecord> rest;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (rest.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    auto more = (*consumer)->Poll(10, 500ms, stop.get_token());
    ASSERT_TRUE(more.ok()) << more.status();
    rest.insert(rest.end(), more->begin(), more->end());
  }
  ASSERT_EQ(rest.size(), 3u) << "records 12..14 after re-assigning at 12 (nothing stale from before)";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(rest[i].offset, Offset(12 + i));
    EXPECT_EQ(rest[i].value, "value-" + std::to_string(12 + i));
  }
  EXPECT_EQ((*consumer)->Positions().at(p1), Offset(15));
}

TEST(KafkaLogTest, SendPlacesKeysByMurmur2AndKeepsHeadersTimestampsAndOrder) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("send");
  ASSERT_TRUE(log->CreateTopic({topic, 4}).ok());
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok()) << producer.status();
  constexpr int kRecords = 2000;
  for (int call = 0; call < 4; ++call) {
    std::vector<Record> records;
    for (int i = call * 500; i < (call + 1) * 500; ++i) {
      Record r;
      r.key = "user-" + std::to_string(i % 700);  // repeated keys: order per key must hold
      r.value = std::to_string(i);
      r.timestamp = kBase + std::chrono::milliseconds(i);
      r.headers = {{"rtpipe.src", "outbox:" + std::to_string(i)}, {"empty", ""}};
      records.push_back(std::move(r));
    }
    ASSERT_TRUE((*producer)->Send(topic, records).ok());
  }
  auto read = ReadAll(*log, topic, kRecords);
  std::map<int32_t, int64_t> next_offset;
  std::map<std::string, int> last_of_key;
  std::set<int> seen;
  for (const auto& r : read) {
    ASSERT_TRUE(r.key && r.value);
    int i = std::stoi(*r.value);
    seen.insert(i);
    EXPECT_EQ(r.partition, PartitionFor(*r.key, 4)) << *r.key;
    EXPECT_EQ(r.timestamp, kBase + std::chrono::milliseconds(i));
    std::vector<Header> headers = {{"rtpipe.src", "outbox:" + std::to_string(i)}, {"empty", ""}};
    EXPECT_EQ(r.headers, headers);
    EXPECT_EQ(r.offset.value(), next_offset[r.partition.value()]++) << "offsets are dense, in order";
    auto [it, inserted] = last_of_key.try_emplace(*r.key, i);
    if (!inserted) {
      EXPECT_LT(it->second, i) << "records of key " << *r.key << " out of order";
      it->second = i;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kRecords));
  auto info = log->DescribeTopic(topic);
  ASSERT_TRUE(info.ok());
  int64_t total = 0;
  for (const auto& p : info->partitions) total += p.end_offset - p.start_offset;
  EXPECT_EQ(total, kRecords);

  // Keyless records: one partition per call, the next partition on the next call.
  std::string keyless = UniqueName("keyless");
  ASSERT_TRUE(log->CreateTopic({keyless, 3}).ok());
  for (int call = 0; call < 3; ++call) {
    std::vector<Record> records(10);
    for (int i = 0; i < 10; ++i) records[i].value = std::to_string(call);
    ASSERT_TRUE((*producer)->Send(keyless, records).ok());
  }
  std::map<std::string, std::set<int32_t>> partitions_of_call;
  for (const auto& r : ReadAll(*log, keyless, 30)) {
    EXPECT_FALSE(r.key.has_value());
    partitions_of_call[*r.value].insert(r.partition.value());
  }
  std::set<int32_t> used;
  for (const auto& [call, partitions] : partitions_of_call) {
    EXPECT_EQ(partitions.size(), 1u) << "call " << call << " spread over several partitions";
    used.insert(partitions.begin(), partitions.end());
  }
  EXPECT_EQ(used.size(), 3u) << "three calls, three partitions (round robin)";
}

TEST(KafkaLogTest, KcatProducedKeysLandWherePartitionForSays) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("kcat");
  ASSERT_TRUE(log->CreateTopic({topic, 6}).ok());
  TempDir dir;
  std::string input = dir.path() + "/input.txt";
  {
    std::ofstream out(input);
    for (int i = 0; i < 300; ++i) out << "3f1c-" << i * 7919 << ":value-" << i << "\n";
  }
  // librdkafka's murmur2_random is its copy of the Java client's default partitioner.
  std::string output;
  int rc =
      RunProcess({"/bin/sh", "-c",
                  "kcat -P -b " + KafkaBootstrap() + " -t " + topic + " -K: -X partitioner=murmur2_random < " + input},
                 &output);
  ASSERT_EQ(rc, 0) << output;
  auto read = ReadAll(*log, topic, 300);
  for (const auto& r : read) {
    ASSERT_TRUE(r.key.has_value());
    EXPECT_EQ(r.partition, PartitionFor(*r.key, 6)) << "key " << *r.key;
  }
}

TEST(KafkaLogTest, OffsetForTimeFindsTheFirstRecordAtOrAfterATime) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("times");
  ASSERT_TRUE(log->CreateTopic({topic, 1}).ok());
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok());
  std::vector<Record> records(100);
  for (int i = 0; i < 100; ++i) {
    records[i].value = std::to_string(i);
    records[i].timestamp = kBase + std::chrono::milliseconds(10 * i);
  }
  ASSERT_TRUE((*producer)->Append(topic, PartitionId(0), records).ok());
  TopicPartition tp{topic, PartitionId(0)};
  auto at = [&](Timestamp t) {
    auto offset = log->OffsetForTime(tp, t);
    EXPECT_TRUE(offset.ok()) << offset.status();
    return offset.ValueOr(Offset(-1));
  };
  EXPECT_EQ(at(kBase), Offset(0));
  EXPECT_EQ(at(kBase + 10ms), Offset(1));
  EXPECT_EQ(at(kBase + 365ms), Offset(37));
  EXPECT_EQ(at(kBase + 370ms), Offset(37));
  EXPECT_EQ(at(kBase + 990ms), Offset(99));
  EXPECT_EQ(at(kBase + 991ms), Offset(100)) << "after the last record: the end offset";
  EXPECT_EQ(at(Timestamp{}), Offset(0));
}

TEST(KafkaLogTest, GroupOffsetsAreCommittedMergedAndReadBack) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  std::string topic = UniqueName("offsets");
  std::string group = UniqueName("group");
  ASSERT_TRUE(log->CreateTopic({topic, 3}).ok());
  auto none = log->CommittedOffsets(group, topic);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
  TopicPartition p0{topic, PartitionId(0)}, p1{topic, PartitionId(1)};
  ASSERT_TRUE(log->CommitOffsets(group, {{p0, Offset(5)}, {p1, Offset(7)}}).ok());
  ASSERT_TRUE(log->CommitOffsets(group, {{p0, Offset(9)}}).ok());
  auto committed = log->CommittedOffsets(group, topic);
  ASSERT_TRUE(committed.ok()) << committed.status();
  std::map<TopicPartition, Offset> expected = {{p0, Offset(9)}, {p1, Offset(7)}};
  EXPECT_EQ(*committed, expected) << "partition 2 was never committed: absent";
  auto missing_topic = log->CommittedOffsets(group, UniqueName("no-such-topic"));
  ASSERT_TRUE(missing_topic.ok()) << missing_topic.status();
  EXPECT_TRUE(missing_topic->empty());
  EXPECT_EQ(log->CommitOffsets(group, {{p0, Offset(-3)}}).code(), StatusCode::kInvalidArgument);
}

TEST(KafkaLogTest, AnUnreachableBrokerIsUnavailableNamingTheServers) {
  LogConfig config;
  int port = FreePort();
  config.url = "kafka://127.0.0.1:" + std::to_string(port);
  config.connect_timeout = 1500ms;
  auto started = std::chrono::steady_clock::now();
  auto log = OpenLog(config, LogAccess::kReadWrite);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(log.status().IsRetryable());
  EXPECT_NE(log.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos) << log.status();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST(KafkaLogTest, UrlPropertiesReachLibrdkafkaAndBadOnesAreRejected) {
  auto bad = OpenLog(KafkaConfig("?no.such.property=1"), LogAccess::kReadWrite);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("no.such.property"), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("log.url"), std::string::npos) << bad.status();

  auto tuned = OpenKafkaOrDie(KafkaConfig("?producer.linger.ms=20&consumer.fetch.wait.max.ms=50&client.id=tuned"));
  ASSERT_TRUE(tuned);
  std::string topic = UniqueName("tuned");
  ASSERT_TRUE(tuned->CreateTopic({topic, 1}).ok());
  auto producer = tuned->NewProducer();
  ASSERT_TRUE(producer.ok());
  std::vector<Record> records(3);
  ASSERT_TRUE((*producer)->Append(topic, PartitionId(0), records).ok());
  EXPECT_EQ(ReadAll(*tuned, topic, 3).size(), 3u);
}

// --- Consumer groups, in one process: members come and go; every offset is applied once. ---

// What the owner of the partitions would keep with its rows (Spark-checkpoint style): the next
// offset per partition, every application of a record, and who owns what.
struct Store {
  std::mutex mu;
  std::map<TopicPartition, Offset> next;               // guarded by mu
  std::map<std::pair<int32_t, int64_t>, int> applied;  // (partition, offset) -> times; guarded by mu
  std::map<TopicPartition, int> owner;                 // guarded by mu
  int overlaps = 0;                                    // a record applied by a member that does not own it
  size_t Applied() {
    std::lock_guard lock(mu);
    return applied.size();
  }
};

class Member : public RebalanceListener {
 public:
  Member(int id, Store& store) : id_(id), store_(store) {}

  Result<std::map<TopicPartition, Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) override {
    std::lock_guard lock(store_.mu);
    std::map<TopicPartition, Offset> starts;
    for (const auto& tp : partitions) {
      if (store_.owner.contains(tp)) ++store_.overlaps;  // the previous owner never gave it up
      store_.owner[tp] = id_;
      if (auto it = store_.next.find(tp); it != store_.next.end()) starts[tp] = it->second;
    }
    max_owned_ = std::max(max_owned_.load(), partitions.size());
    owned_ = partitions.size();
    return starts;
  }
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override {
    {
      std::lock_guard lock(store_.mu);
      for (const auto& tp : partitions) store_.owner.erase(tp);
    }
    owned_ = 0;
    // Work is applied synchronously: nothing pending. Mirror the positions to the group.
    std::map<TopicPartition, Offset> mine;
    for (const auto& [tp, offset] : consumer_->Positions()) {
      if (std::find(partitions.begin(), partitions.end(), tp) != partitions.end()) mine[tp] = offset;
    }
    if (!lost) {
      Status s = consumer_->Commit(mine);
      if (!s.ok()) ADD_FAILURE() << "member " << id_ << " commit on revoke: " << s;
    }
  }

  void Run(Log& log, const std::string& group, const std::string& topic) {
    auto consumer = log.NewGroupConsumer(group, {topic}, *this);
    ASSERT_TRUE(consumer.ok()) << consumer.status();
    consumer_ = std::move(*consumer);
    while (!stop_) {
      auto records = consumer_->Poll(200, 100ms, {});
      ASSERT_TRUE(records.ok()) << records.status();
      std::lock_guard lock(store_.mu);
      for (const auto& r : *records) {
        TopicPartition tp{r.topic, r.partition};
        if (store_.owner[tp] != id_) ++store_.overlaps;
        ++store_.applied[{r.partition.value(), r.offset.value()}];
        store_.next[tp] = r.offset + 1;
      }
    }
    ASSERT_TRUE(consumer_->Close().ok());
  }
  void Stop() { stop_ = true; }
  size_t owned() const { return owned_; }
  size_t max_owned() const { return max_owned_; }

 private:
  const int id_;
  Store& store_;
  std::unique_ptr<GroupConsumer> consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<size_t> owned_{0};
  std::atomic<size_t> max_owned_{0};
};

bool WaitFor(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

TEST(KafkaLogTest, GroupMembersSharePartitionsAndHandThemOverExactlyOnce) {
  auto log = OpenKafkaOrDie(KafkaConfig("?consumer.session.timeout.ms=6000&consumer.heartbeat.interval.ms=300"));
  ASSERT_TRUE(log);
  std::string topic = UniqueName("members");
  std::string group = UniqueName("members-group");
  ASSERT_TRUE(log->CreateTopic({topic, 4}).ok());
  auto producer = log->NewProducer();
  ASSERT_TRUE(producer.ok());
  int produced = 0;
  auto produce = [&](int n) {
    std::vector<Record> records;
    for (int i = 0; i < n; ++i, ++produced) {
      Record r;
      r.key = "k" + std::to_string(produced);
      r.value = std::to_string(produced);
      records.push_back(std::move(r));
    }
    ASSERT_TRUE((*producer)->Send(topic, records).ok());
  };
  produce(3000);

  Store store;
  Member one(1, store), two(2, store);
  std::thread first([&] { one.Run(*log, group, topic); });
  ASSERT_TRUE(WaitFor([&] { return store.Applied() >= 1000; }, 30s)) << "the first member reads nothing";
  std::thread second([&] { two.Run(*log, group, topic); });
  ASSERT_TRUE(WaitFor([&] { return one.owned() == 2 && two.owned() == 2; }, 30s))
      << "the partitions were not shared: " << one.owned() << " + " << two.owned();
  produce(2000);
  ASSERT_TRUE(WaitFor([&] { return store.Applied() == static_cast<size_t>(produced); }, 30s));
  one.Stop();  // leaves the group: its partitions move to the second member
  first.join();
  ASSERT_TRUE(WaitFor([&] { return two.owned() == 4; }, 30s)) << "the second member did not take over";
  // While the group has a member, only members commit its offsets.
  Status outsider = log->CommitOffsets(group, {{{topic, PartitionId(0)}, Offset(1)}});
  EXPECT_EQ(outsider.code(), StatusCode::kFailedPrecondition) << outsider;
  produce(1000);
  ASSERT_TRUE(WaitFor([&] { return store.Applied() == static_cast<size_t>(produced); }, 30s))
      << store.Applied() << " of " << produced;
  two.Stop();
  second.join();

  std::lock_guard lock(store.mu);
  EXPECT_EQ(store.overlaps, 0) << "a partition was read by two members at once";
  EXPECT_EQ(one.max_owned(), 4u);
  auto info = log->DescribeTopic(topic);
  ASSERT_TRUE(info.ok());
  std::map<TopicPartition, Offset> ends;
  for (const auto& p : info->partitions) {
    ends[{topic, p.partition}] = p.end_offset;
    for (int64_t o = 0; o < p.end_offset.value(); ++o) {
      auto it = store.applied.find({p.partition.value(), o});
      ASSERT_NE(it, store.applied.end()) << "offset " << o << " of partition " << p.partition.value() << " lost";
      ASSERT_EQ(it->second, 1) << "offset " << o << " of partition " << p.partition.value() << " applied twice";
    }
  }
  EXPECT_EQ(store.applied.size(), static_cast<size_t>(produced));
  // The members mirrored their positions to the group when they gave partitions up.
  auto committed = log->CommittedOffsets(group, topic);
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ(*committed, ends);
}

}  // namespace
}  // namespace rtpipe::testing
