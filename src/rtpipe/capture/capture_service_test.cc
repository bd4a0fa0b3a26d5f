#include "rtpipe/capture/capture_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <thread>

#include "rtpipe/capture/sqlite_outbox_feed.h"
#include "rtpipe/landing/sqlite_landing_store.h"
#include "rtpipe/log/log_factory.h"

namespace rtpipe {
namespace {

class CaptureServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_capture_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    config_.landing.url = "sqlite:" + (dir_ / "landing.db").string();
    config_.log.url = "file:" + (dir_ / "log").string();
    config_.log.partitions = 3;
    config_.capture.batch_size = 40;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Lands users first..first+n-1 plus one reject, `per_batch` users per landing transaction (all
  // at once by default), the reject with the last. Each transaction's users are an outbox row,
  // which capture reads whole, and the reject another.
  void Land(int n, int first = 0, int per_batch = 0) {
    auto store = SqliteLandingStore::Open((dir_ / "landing.db").string(), config_.log.topic, config_.log.dlq_topic);
    ASSERT_TRUE(store.ok()) << store.status();
    auto run = (*store)->BeginRun();
    if (per_batch == 0) per_batch = n;
    for (int from = 0; from < n; from += per_batch) {
      LandingBatch batch;
      batch.run = *run;
      for (int i = from; i < std::min(n, from + per_batch); ++i) {
        batch.users.push_back({"uuid-" + std::to_string(first + i), "{}", TimestampFromMillis(i),
                               "message-" + std::to_string(first + i), nullptr});
      }
      if (from + per_batch >= n) {
        batch.rejects.push_back({"reject-" + std::to_string(first), std::nullopt, "{\"reason\":\"malformed_json\"}",
                                 TimestampFromMillis(0)});
      }
      batch.source_records = static_cast<int64_t>(batch.rejects.size() + batch.users.size());
      ASSERT_TRUE((*store)->Write(batch).ok());
    }
  }

  // Every value in the topic, with its count.
  std::multiset<std::string> Values(Log& log, const std::string& topic) {
    std::multiset<std::string> values;
    auto info = log.DescribeTopic(topic);
    EXPECT_TRUE(info.ok()) << info.status();
    std::map<TopicPartition, Offset> from;
    int64_t total = 0;
    for (const auto& p : info->partitions) {
      from[{topic, p.partition}] = Offset(0);
      total += p.end_offset.value();
    }
    auto consumer = log.NewConsumer();
    EXPECT_TRUE((*consumer)->Assign(from).ok());
    std::stop_source stop;
    while (static_cast<int64_t>(values.size()) < total) {
      auto records = (*consumer)->Poll(1000, std::chrono::milliseconds(500), stop.get_token());
      EXPECT_TRUE(records.ok());
      if (!records.ok() || records->empty()) break;
      for (auto& r : *records) values.insert(r.value.value_or(""));
    }
    return values;
  }

  std::filesystem::path dir_;
  Config config_;
};

TEST_F(CaptureServiceTest, PublishesEveryChangeOnceByKeyPartition) {
  Land(100);
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok()) << log.status();
  auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
  ASSERT_TRUE(feed.ok());
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, **feed, **log, metrics);
  ASSERT_TRUE(capture.ok()) << capture.status();
  std::stop_source stop;
  size_t total = 0;
  for (;;) {
    auto n = (*capture)->RunOnce(stop.get_token(), std::chrono::milliseconds(0));
    ASSERT_TRUE(n.ok()) << n.status();
    if (*n == 0) break;
    total += *n;
  }
  EXPECT_EQ(total, 101u);
  EXPECT_EQ(metrics.captured.value(), 101u);
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), 100u);
  EXPECT_EQ(values.count("message-42"), 1u);
  EXPECT_EQ(Values(**log, config_.log.dlq_topic).size(), 1u);
  // Keys decide partitions: uuid-7 is where Kafka's partitioner puts it.
  auto consumer = (*log)->NewConsumer();
  PartitionId p = PartitionFor("uuid-7", 3);
  ASSERT_TRUE((*consumer)->Assign({{{config_.log.topic, p}, Offset(0)}}).ok());
  auto records = (*consumer)->Poll(1000, std::chrono::milliseconds(500), stop.get_token());
  ASSERT_TRUE(records.ok());
  bool found = false;
  for (const auto& r : *records) found = found || (r.key && *r.key == "uuid-7");
  EXPECT_TRUE(found);
  EXPECT_EQ((**feed).Backlog().value(), 0);

  // Sequence numbers are never reused after the captured prefix is pruned.
  Land(5, 1000);
  auto more = (*capture)->RunOnce(stop.get_token(), std::chrono::milliseconds(0));
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(*more, 6u);
  EXPECT_EQ((**feed).Backlog().value(), 0);
  EXPECT_EQ(Values(**log, config_.log.topic).count("message-1004"), 1u);
}

TEST_F(CaptureServiceTest, AReadWaitingOnAnEmptyOutboxReturnsWhenTheLandingStoreCommits) {
  Land(1);
  auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
  ASSERT_TRUE(feed.ok()) << feed.status();
  std::stop_source stop;
  auto first = (*feed)->Read("", 40, std::chrono::milliseconds(0), stop.get_token());
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->first.size(), 2u);  // the user and the reject

  // Nothing new: a read waits its whole time (to within the millisecond).
  auto started = std::chrono::steady_clock::now();
  auto empty = (*feed)->Read(first->second, 40, std::chrono::milliseconds(30), stop.get_token());
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->first.empty());
  EXPECT_GE(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(29));

  // The landing store commits while a read waits: it returns the new changes, long before its 60 s.
  std::jthread land([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Land(3, 100);
  });
  started = std::chrono::steady_clock::now();
  auto read = (*feed)->Read(first->second, 40, std::chrono::seconds(60), stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->first.size(), 4u);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
}

// The outbox holds a row of changes per landing transaction: the feed reads whole rows until it
// has the changes asked for, numbers them on from row to row, and counts its backlog in changes.
TEST_F(CaptureServiceTest, TheOutboxFeedReadsWholeRowsAndCountsChanges) {
  Land(100, 0, 30);  // rows of 30, 30, 30 and 10 users, then the reject's
  auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
  ASSERT_TRUE(feed.ok()) << feed.status();
  EXPECT_EQ((*feed)->Backlog().value(), 101);
  std::stop_source stop;
  auto read = (*feed)->Read("", 40, std::chrono::milliseconds(0), stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->first.size(), 60u) << "two rows of 30";
  EXPECT_EQ(read->second, "2");
  for (int i = 0; i < 60; ++i) {
    EXPECT_EQ(read->first[i].id, "outbox:" + std::to_string(i + 1));
    EXPECT_EQ(read->first[i].value, "message-" + std::to_string(i));
  }
  ASSERT_TRUE((*feed)->Commit({read->second, {}}).ok());
  EXPECT_EQ((*feed)->Backlog().value(), 41);

  read = (*feed)->Read("2", 1000, std::chrono::milliseconds(0), stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->first.size(), 41u);
  EXPECT_EQ(read->first[39].id, "outbox:100");
  EXPECT_EQ(read->first[40].id, "outbox:101");
  EXPECT_EQ(read->first[40].topic, config_.log.dlq_topic);
  EXPECT_FALSE(read->first[40].key.has_value());
  EXPECT_EQ(read->second, "5");
}

TEST_F(CaptureServiceTest, TheOutboxFeedReadsOnlyWhatALandingStoreOfTheProcessHasOnDisk) {
  const std::string path = (dir_ / "landing.db").string();
  auto store = SqliteLandingStore::Open(path, config_.log.topic, config_.log.dlq_topic,
                                        SqliteLandingStore::Durability::kBeforeCapture);
  ASSERT_TRUE(store.ok()) << store.status();
  auto feed = SqliteOutboxFeed::Open(path);
  ASSERT_TRUE(feed.ok()) << feed.status();
  auto run = (*store)->BeginRun();
  ASSERT_TRUE(run.ok());
  auto land = [&](int first, int n) {
    LandingBatch batch;
    batch.run = *run;
    for (int i = first; i < first + n; ++i) {
      batch.users.push_back(
          {"uuid-" + std::to_string(i), "{}", TimestampFromMillis(i), "message-" + std::to_string(i), nullptr});
    }
    batch.source_records = n;
    ASSERT_TRUE((*store)->Write(batch).ok());
  };
  std::stop_source stop;
  const auto sync_wait = std::chrono::seconds(30);  // the read returns as soon as the sync is done

  land(0, 10);
  auto read = (*feed)->Read("", 1000, sync_wait, stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->first.size(), 10u);
  EXPECT_EQ(read->second, "1");
  ASSERT_TRUE((*feed)->Commit({read->second, {}}).ok());

  // A commit that the store has not marked as synced: an outbox row appended over a connection of
  // its own. The feed waits for it...
  {
    auto other = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(other.ok());
    std::string entries;
    AppendOutboxEntry({"uuid-x", "message-x", 0, 0}, &entries);
    auto append =
        (*other)->Prepare("INSERT INTO outbox (topic, first_change, changes, entries) VALUES (?1, 11, 1, ?2)");
    ASSERT_TRUE(append.ok());
    append->BindText(1, config_.log.topic);
    append->BindBlob(2, entries);
    ASSERT_TRUE(append->Run().ok());
  }
  read = (*feed)->Read("1", 1000, std::chrono::milliseconds(100), stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_TRUE(read->first.empty()) << read->first.size() << " changes read that are not known to be on disk";
  EXPECT_EQ((*feed)->Backlog().value(), 1) << "the backlog counts it";

  // ...until a later commit of the store is synced: its mark covers the row before it.
  land(10, 5);
  read = (*feed)->Read("1", 1000, sync_wait, stop.get_token());
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->first.size(), 6u);
  EXPECT_EQ(read->first[0].value, "message-x");
  EXPECT_EQ(read->first[5].value, "message-14");
  EXPECT_EQ(read->second, "3");
}

TEST_F(CaptureServiceTest, AppendsMadeBeforeACrashAreNotRepeated) {
  Land(100, 0, 20);
  {
    // A previous capture appended the first 40 changes durably, then died before committing.
    auto log = OpenLog(config_.log, LogAccess::kReadWrite);
    ASSERT_TRUE(log.ok());
    ASSERT_TRUE((*log)->EnsureTopic({config_.log.topic, 3}).ok());
    ASSERT_TRUE((*log)->EnsureTopic({config_.log.dlq_topic, 1}).ok());
    auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
    std::stop_source stop;
    auto read = (*feed)->Read("", 40, std::chrono::milliseconds(0), stop.get_token());
    ASSERT_TRUE(read.ok());
    auto producer = (*log)->NewProducer();
    for (auto& c : read->first) {
      Record r{c.key, c.value, c.event_time, {{std::string(kSourceIdHeader), c.id}}};
      PartitionId p = c.key ? PartitionFor(*c.key, 3) : PartitionId(0);
      ASSERT_TRUE((*producer)->Append(c.topic, p, std::span<const Record>(&r, 1)).ok());
    }
  }
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok());
  auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, **feed, **log, metrics);
  ASSERT_TRUE(capture.ok()) << capture.status();
  std::stop_source stop;
  while ((*capture)->RunOnce(stop.get_token(), std::chrono::milliseconds(0)).ValueOr(0) > 0) {
  }
  EXPECT_EQ(metrics.duplicates.value(), 40u);
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values.count("message-" + std::to_string(i)), 1u) << i;
}

TEST_F(CaptureServiceTest, RoundsDoNotWaitForTheLandingWriterAndARestartSkipsWhatTheyAppended) {
  config_.capture.batch_size = 20;  // the 100 users and the reject, in 6 outbox rows: 6 rounds
  Land(100, 0, 20);
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok());
  auto feed = SqliteOutboxFeed::Open((dir_ / "landing.db").string());
  ASSERT_TRUE(feed.ok());
  auto landing = SqliteDb::Open((dir_ / "landing.db").string(), SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(landing.ok());
  auto committed = [&] { return (*feed)->LoadCheckpoint().value().position; };
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, **feed, **log, metrics);
  ASSERT_TRUE(capture.ok()) << capture.status();
  std::stop_source stop;
  auto round = [&](size_t expected) {
    auto started = std::chrono::steady_clock::now();
    auto n = (*capture)->RunOnce(stop.get_token(), std::chrono::milliseconds(0));
    EXPECT_TRUE(n.ok()) << n.status();
    EXPECT_EQ(n.ValueOr(0), expected);
    return std::chrono::steady_clock::now() - started;
  };

  // The landing thread is writing: rounds append without waiting for its lock to commit...
  auto writing = SqliteTransaction::Begin(**landing);
  ASSERT_TRUE(writing.ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_LT(round(20), std::chrono::seconds(2)) << "waited out the busy timeout (5 s)";
    EXPECT_EQ(committed(), "");
  }
  EXPECT_EQ(Values(**log, config_.log.topic).size(), 60u);
  // ...until four rounds are uncommitted: the fourth waits for the lock.
  std::thread landing_commits([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(writing->Commit().ok());
  });
  round(20);
  landing_commits.join();
  EXPECT_EQ(committed(), "4");  // the outbox rows' seq
  round(20);                    // no writer: commits at once
  EXPECT_EQ(committed(), "5");

  // The last round (the reject) appends while landing writes, then capture dies uncommitted.
  {
    auto again = SqliteTransaction::Begin(**landing);
    ASSERT_TRUE(again.ok());
    round(1);
    capture->reset();
  }
  EXPECT_EQ(committed(), "5");
  EXPECT_EQ(Values(**log, config_.log.dlq_topic).size(), 1u);

  // A restart reads it again, and the replay guard does not append it twice.
  CaptureMetrics restarted;
  capture = CaptureService::Create(config_, **feed, **log, restarted);
  ASSERT_TRUE(capture.ok()) << capture.status();
  round(1);
  round(0);  // nothing left: commits what the previous round read
  EXPECT_EQ(restarted.duplicates.value(), 1u);
  EXPECT_EQ(committed(), "6");
  EXPECT_EQ((*feed)->Backlog().value(), 0);
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(values.count("message-" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(Values(**log, config_.log.dlq_topic).size(), 1u);
}

}  // namespace
}  // namespace rtpipe
