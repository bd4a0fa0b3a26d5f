// Change capture by logical replication against a real PostgreSQL 15: inserts and updates come out
// in commit order with stable ids; a Read after a commit always sees it (drain detection); restart
// resumes from the stored position even when the slot is behind; appends made before a crash are
// not repeated; a broken stream is resumed; slot lag is measured and alarms; drop-slot works.

#include <gtest/gtest.h>

#include <functional>
#include <list>
#include <set>
#include <stop_token>
#include <thread>

#include "postgres_test_util.h"
#include "rtpipe/capture/capture_service.h"
#include "rtpipe/capture/postgres_change_feed.h"
#include "rtpipe/landing/postgres_landing_store.h"
#include "rtpipe/landing/postgres_schema.h"
#include "rtpipe/log/log_factory.h"
#include "rtpipe/model/message.h"
#include "rtpipe/source/source.h"

namespace rtpipe::pg::testing {
namespace {

using std::chrono::milliseconds;

// Forwards to a feed but fails every Commit: a capture that dies between append and commit.
class CommitFailsFeed final : public ChangeFeed {
 public:
  explicit CommitFailsFeed(ChangeFeed& inner) : inner_(inner) {}
  Result<CaptureCheckpoint> LoadCheckpoint() override { return inner_.LoadCheckpoint(); }
  Result<std::pair<std::vector<Change>, std::string>> Read(const std::string& position, int max, milliseconds wait,
                                                           std::stop_token stop) override {
    return inner_.Read(position, max, wait, stop);
  }
  Status Commit(const CaptureCheckpoint&) override { return Status::Internal("simulated crash before commit"); }
  Result<int64_t> Backlog() override { return inner_.Backlog(); }
  std::string_view IdPrefix() const override { return inner_.IdPrefix(); }

 private:
  ChangeFeed& inner_;
};

// Forwards to a feed; its first Commit fails as a lost connection would (before storing anything).
class FirstCommitFailsFeed final : public ChangeFeed {
 public:
  explicit FirstCommitFailsFeed(ChangeFeed& inner) : inner_(inner) {}
  Result<CaptureCheckpoint> LoadCheckpoint() override { return inner_.LoadCheckpoint(); }
  Result<std::pair<std::vector<Change>, std::string>> Read(const std::string& position, int max, milliseconds wait,
                                                           std::stop_token stop) override {
    return inner_.Read(position, max, wait, stop);
  }
  Status Commit(const CaptureCheckpoint& checkpoint) override {
    if (!failed_) {
      failed_ = true;
      return Status::Unavailable("simulated lost connection while storing the checkpoint");
    }
    return inner_.Commit(checkpoint);
  }
  Result<int64_t> Backlog() override { return inner_.Backlog(); }
  std::string_view IdPrefix() const override { return inner_.IdPrefix(); }

 private:
  ChangeFeed& inner_;
  bool failed_ = false;
};

class PostgresCaptureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_.landing.url = db_.url();
    config_.capture.slot = db_.slot();
    config_.capture.batch_size = 1000;
    config_.log.url = "file:" + dir_.path() + "/log";
    config_.log.partitions = 3;
    config_.landing.retry_window = std::chrono::seconds(20);
    auto store = PostgresLandingStore::Open(PostgresLandingStore::OptionsFrom(config_));
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    auto run = store_->BeginRun();
    ASSERT_TRUE(run.ok());
    run_ = *run;
  }

  std::unique_ptr<PostgresChangeFeed> OpenFeed(PostgresChangeFeed::Options options) {
    auto feed = PostgresChangeFeed::Open(options);
    EXPECT_TRUE(feed.ok()) << feed.status();
    return feed.ok() ? std::move(*feed) : nullptr;
  }
  std::unique_ptr<PostgresChangeFeed> OpenFeed() { return OpenFeed(PostgresChangeFeed::OptionsFrom(config_)); }

  // Lands `n` generator users of `page` (plus `rejects` rejects); returns the expected messages in
  // landing order. `edit` changes some of them before landing.
  std::vector<std::string> Land(int page, int n, int rejects = 0, const std::function<void(User&)>& edit = nullptr) {
    Config c;
    c.source.results = 500;
    auto source = MakeSource(c.source, Clock::System());
    std::stop_source stop;
    auto b = (*source)->Fetch({"capture-test", page, 0}, n, stop.get_token());
    EXPECT_TRUE(b.ok()) << b.status();
    auto& users = kept_users_.emplace_back();
    users.reserve(b->records.size());
    LandingBatch batch;
    batch.run = run_;
    batch.next_position = b->next;
    // Each record keeps the time it was fetched: here, a microsecond apart.
    const int64_t fetched_us = WallMicros();
    std::vector<std::string> messages;
    for (size_t i = 0; i < b->records.size(); ++i) {
      auto user = ParseUser(b->records[i].raw);
      if (!user.ok()) continue;
      users.push_back(std::move(*user));
      if (edit) edit(users.back());
      std::string raw = edit ? UserJson(users.back()) : b->records[i].raw;
      std::string message = MessageJson(ToMessage(users.back()));
      batch.users.push_back(LandingUserOf(users.back(), std::move(raw), b->EventTime(i), message));
      batch.users.back().ingested_us = fetched_us + static_cast<int64_t>(batch.users.size() - 1);
      messages.push_back(message);
    }
    for (int i = 0; i < rejects; ++i) {
      std::string letter = fmt::format(R"({{"reason":"malformed_json","page":{},"i":{}}})", page, i);
      batch.rejects.push_back(
          {fmt::format("page={} reject={}", page, i), std::nullopt, letter, b->first_event_time, fetched_us - 1});
      messages.push_back(letter);
    }
    batch.source_records = static_cast<int64_t>(b->records.size()) + rejects;
    last_ingested_us_ = fetched_us;
    auto counts = store_->Write(batch);
    EXPECT_TRUE(counts.ok()) << counts.status();
    return messages;
  }

  // Reads until an empty Read; returns the changes and advances `position`.
  std::vector<Change> ReadAll(ChangeFeed& feed, std::string& position, int max = 1000) {
    std::vector<Change> all;
    std::stop_source stop;
    for (;;) {
      auto read = feed.Read(position, max, milliseconds(0), stop.get_token());
      EXPECT_TRUE(read.ok()) << read.status();
      if (!read.ok() || read->first.empty()) break;
      position = read->second;
      for (auto& c : read->first) all.push_back(std::move(c));
    }
    return all;
  }

  std::multiset<std::string> Values(Log& log, const std::string& topic) {
    std::multiset<std::string> values;
    auto info = log.DescribeTopic(topic);
    if (!info.ok()) return values;
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
      auto records = (*consumer)->Poll(1000, milliseconds(500), stop.get_token());
      if (!records.ok() || records->empty()) break;
      for (auto& r : *records) values.insert(r.value.value_or(""));
    }
    return values;
  }

  static size_t Drain(CaptureService& capture) {
    std::stop_source stop;
    size_t total = 0;
    for (;;) {
      auto n = capture.RunOnce(stop.get_token(), milliseconds(0));
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok() || *n == 0) return total;
      total += *n;
    }
  }

  ScratchDatabase db_;
  rtpipe::testing::TempDir dir_;
  Config config_;
  std::unique_ptr<PostgresLandingStore> store_;
  RunId run_{0};
  std::list<std::vector<User>> kept_users_;  // the landed users outlive their batches
  int64_t last_ingested_us_ = 0;
};

std::string LsnOf(const std::string& id) { return id.substr(3, id.rfind(':') - 3); }

TEST_F(PostgresCaptureTest, CapturesInsertsAndUpdatesInCommitOrder) {
  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  auto checkpoint = feed->LoadCheckpoint();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status();
  EXPECT_EQ(checkpoint->position, "");

  std::vector<std::string> a = Land(1, 100, 2);
  int64_t a_ingested = last_ingested_us_;
  std::vector<std::string> b_new = Land(2, 20);
  // Ten known people change: their records are updated, so they are published again.
  std::vector<std::string> b_changed = Land(1, 10, 0, [](User& u) { u.email = "new." + u.email; });

  std::string position = checkpoint->position;
  std::vector<Change> changes = ReadAll(*feed, position);
  ASSERT_EQ(changes.size(), a.size() + b_new.size() + b_changed.size());
  // Batch A: its users in landing order, then its two rejects to the dead-letter topic.
  for (size_t i = 0; i < 100; ++i) {
    EXPECT_EQ(changes[i].topic, config_.log.topic);
    EXPECT_EQ(changes[i].value, a[i]) << i;
    EXPECT_EQ(changes[i].ingested_us, a_ingested + static_cast<int64_t>(i));  // as each was fetched
    ASSERT_TRUE(changes[i].key.has_value());
    EXPECT_NE(a[i].find(*changes[i].key), std::string::npos) << "key = login.uuid = the message's id";
  }
  for (size_t i = 100; i < 102; ++i) {
    EXPECT_EQ(changes[i].topic, config_.log.dlq_topic);
    EXPECT_EQ(changes[i].value, a[i]);
    EXPECT_EQ(changes[i].ingested_us, a_ingested - 1);
    EXPECT_FALSE(changes[i].key.has_value());
  }
  // Then the next transactions, in commit order.
  for (size_t i = 0; i < b_new.size(); ++i) EXPECT_EQ(changes[102 + i].value, b_new[i]);
  std::multiset<std::string> updated, expected_updated(b_changed.begin(), b_changed.end());
  for (size_t i = 122; i < changes.size(); ++i) updated.insert(changes[i].value);
  EXPECT_EQ(updated, expected_updated);

  // Stable, unique ids: pg:<commit LSN>:<index>, one LSN per transaction, increasing.
  std::set<std::string> ids;
  for (const auto& c : changes) {
    EXPECT_TRUE(c.id.starts_with("pg:")) << c.id;
    ids.insert(c.id);
  }
  EXPECT_EQ(ids.size(), changes.size());
  EXPECT_EQ(LsnOf(changes[0].id), LsnOf(changes[101].id));
  EXPECT_NE(LsnOf(changes[101].id), LsnOf(changes[102].id));
  EXPECT_LT(ParseLsn(LsnOf(changes[101].id))->value, ParseLsn(LsnOf(changes[102].id))->value);
  EXPECT_LT(ParseLsn(LsnOf(changes[121].id))->value, ParseLsn(LsnOf(changes[122].id))->value);
  EXPECT_EQ(changes[5].id, "pg:" + LsnOf(changes[0].id) + ":5");

  // Reading the same transactions again (a restart from the same position) gives the same ids.
  feed.reset();  // it holds the slot
  auto again = OpenFeed();
  ASSERT_NE(again, nullptr);
  std::string from_start;
  std::vector<Change> reread = ReadAll(*again, from_start);
  ASSERT_EQ(reread.size(), changes.size());
  for (size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(reread[i].id, changes[i].id);
}

TEST_F(PostgresCaptureTest, TheFirstReadAfterACommitSeesIt) {
  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  std::string position;
  std::stop_source stop;
  for (int round = 0; round < 10; ++round) {
    std::vector<std::string> landed = Land(10 + round, 20);
    // One Read, no waiting: an empty answer would tell `rtpipe run --records` that capture drained.
    auto read = feed->Read(position, 1000, milliseconds(0), stop.get_token());
    ASSERT_TRUE(read.ok()) << read.status();
    ASSERT_EQ(read->first.size(), landed.size()) << "round " << round;
    position = read->second;
    ASSERT_TRUE(feed->Commit({position, {}}).ok());
  }
  auto read = feed->Read(position, 1000, milliseconds(0), stop.get_token());
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->first.empty());
  EXPECT_EQ(read->second, position);
}

TEST_F(PostgresCaptureTest, ResumesFromTheStoredPositionEvenWhenTheSlotIsBehind) {
  auto admin = db_.Connect();
  ASSERT_NE(admin, nullptr);
  // A second slot, created before anything landed: its confirmed position stays at the start.
  std::string behind = db_.slot() + "_b";
  ASSERT_TRUE(
      admin->Exec(fmt::format("SELECT pg_create_logical_replication_slot('{}', 'pgoutput')", behind), "t").ok());
  std::vector<std::string> a = Land(20, 30);
  std::vector<std::string> b = Land(21, 40);

  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  std::stop_source stop;
  auto first = feed->Read("", 1, milliseconds(0), stop.get_token());  // whole transactions only
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->first.size(), a.size());
  std::string after_a = first->second;

  // The state table says A is in the log; the slot does not know it.
  ASSERT_TRUE(
      admin->Query("INSERT INTO capture_state (slot, position, log_ends) VALUES ($1, $2, '{}')", {behind, after_a}, "t")
          .ok());
  auto options = PostgresChangeFeed::OptionsFrom(config_);
  options.slot = behind;
  auto resumed = OpenFeed(options);
  ASSERT_NE(resumed, nullptr);
  auto checkpoint = resumed->LoadCheckpoint();
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(checkpoint->position, after_a);
  std::string position = checkpoint->position;
  std::vector<Change> changes = ReadAll(*resumed, position);
  ASSERT_EQ(changes.size(), b.size()) << "only what came after the stored position";
  for (size_t i = 0; i < b.size(); ++i) EXPECT_EQ(changes[i].value, b[i]);
}

TEST_F(PostgresCaptureTest, AppendsMadeBeforeACrashAreNotRepeated) {
  std::vector<std::string> a = Land(30, 150, 3);
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok()) << log.status();
  {
    // The previous incarnation appended A durably, then died before its commit.
    auto feed = OpenFeed();
    ASSERT_NE(feed, nullptr);
    CommitFailsFeed dying(*feed);
    CaptureMetrics metrics;
    auto capture = CaptureService::Create(config_, dying, **log, metrics);
    ASSERT_TRUE(capture.ok()) << capture.status();
    std::stop_source stop;
    auto n = (*capture)->RunOnce(stop.get_token(), milliseconds(0));
    ASSERT_FALSE(n.ok());
    EXPECT_EQ(Values(**log, config_.log.topic).size(), 150u) << "appended before the failed commit";
  }
  std::vector<std::string> b = Land(31, 50);
  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, *feed, **log, metrics);
  ASSERT_TRUE(capture.ok()) << capture.status();
  Drain(**capture);
  EXPECT_EQ(metrics.duplicates.value(), 153u) << "the re-read changes of A were recognised";
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), 200u);
  for (size_t i = 0; i < 150; ++i) EXPECT_EQ(values.count(a[i]), 1u) << i;
  for (const auto& m : b) EXPECT_EQ(values.count(m), 1u);
  EXPECT_EQ(Values(**log, config_.log.dlq_topic).size(), 3u);
  auto backlog = feed->Backlog();
  ASSERT_TRUE(backlog.ok()) << backlog.status();
  EXPECT_EQ(*backlog, 0);
}

TEST_F(PostgresCaptureTest, AFailedCommitMidRunIsRetriedWithoutDuplicates) {
  std::vector<std::string> expected = Land(35, 200, 2);
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok());
  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  FirstCommitFailsFeed flaky(*feed);
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, flaky, **log, metrics);
  ASSERT_TRUE(capture.ok()) << capture.status();
  std::stop_source stop;
  std::thread runner([&] { EXPECT_TRUE((*capture)->Run(stop.get_token()).ok()); });
  for (int page = 36; page < 38; ++page) {
    auto more = Land(page, 200);
    expected.insert(expected.end(), more.begin(), more.end());
  }
  // The first round appended, failed to commit, and is read again from the stored position.
  // Committed rounds count what they appended; the failed round's changes count as duplicates
  // when the retry finds them in the log.
  auto done = [&] { return metrics.captured.value() + metrics.duplicates.value() >= 602; };
  for (int i = 0; i < 200 && !done(); ++i) std::this_thread::sleep_for(milliseconds(50));
  stop.request_stop();
  runner.join();
  EXPECT_EQ(metrics.captured.value() + metrics.duplicates.value(), 602u);
  EXPECT_GE(metrics.duplicates.value(), 202u) << "the failed round's changes were recognised in the log";
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), 600u);
  for (size_t i = 0; i < expected.size(); ++i) {
    if (i == 200 || i == 201) continue;  // the two rejects, on the dead-letter topic
    EXPECT_EQ(values.count(expected[i]), 1u) << i;
  }
  EXPECT_EQ(Values(**log, config_.log.dlq_topic).size(), 2u);
}

TEST_F(PostgresCaptureTest, ABrokenStreamIsResumedWithoutLossOrDuplicates) {
  auto log = OpenLog(config_.log, LogAccess::kReadWrite);
  ASSERT_TRUE(log.ok());
  auto feed = OpenFeed();
  ASSERT_NE(feed, nullptr);
  CaptureMetrics metrics;
  auto capture = CaptureService::Create(config_, *feed, **log, metrics);
  ASSERT_TRUE(capture.ok());
  std::vector<std::string> expected = Land(40, 100);
  Drain(**capture);
  auto admin = db_.Connect();
  ASSERT_NE(admin, nullptr);
  for (int i = 0; i < 3; ++i) {
    auto more = Land(41 + i, 100);
    expected.insert(expected.end(), more.begin(), more.end());
    // What a server restart does to the replication connection.
    EXPECT_EQ(QueryValue(*admin, fmt::format("SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots "
                                             "WHERE slot_name = '{}'",
                                             db_.slot())),
              "1");
    std::stop_source stop;
    Status failure;
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto n = (*capture)->RunOnce(stop.get_token(), milliseconds(0));
      if (n.ok()) {
        if (*n == 0) break;
        continue;
      }
      failure = n.status();
      EXPECT_TRUE(n.status().IsRetryable()) << n.status();
      std::this_thread::sleep_for(milliseconds(100));
    }
    EXPECT_NE(failure.message().find("replication stream"), std::string::npos) << failure;
  }
  auto values = Values(**log, config_.log.topic);
  EXPECT_EQ(values.size(), expected.size());
  for (const auto& m : expected) EXPECT_EQ(values.count(m), 1u);
}

TEST_F(PostgresCaptureTest, SlotLagIsMeasuredAlarmsAndDropSlotReleasesIt) {
  auto options = PostgresChangeFeed::OptionsFrom(config_);
  options.max_slot_lag = 64 * 1024;
  options.max_slot_lag_time = milliseconds(500);
  auto feed = OpenFeed(options);
  ASSERT_NE(feed, nullptr);
  for (int page = 50; page < 53; ++page) Land(page, 200);
  std::this_thread::sleep_for(milliseconds(700));
  auto backlog = feed->Backlog();
  ASSERT_TRUE(backlog.ok()) << backlog.status();
  EXPECT_EQ(*backlog, 600);
  FeedLag lag = feed->Lag();
  EXPECT_GT(lag.bytes, 64 * 1024) << "600 landed users are well over 64 KiB of WAL";
  EXPECT_GE(lag.millis, 500);
  EXPECT_TRUE(lag.alarm);

  // Capturing clears it.
  std::string position;
  auto changes = ReadAll(*feed, position);
  ASSERT_EQ(changes.size(), 600u);
  ASSERT_TRUE(feed->Commit({position, {}}).ok());
  std::this_thread::sleep_for(milliseconds(250));
  backlog = feed->Backlog();
  ASSERT_TRUE(backlog.ok());
  EXPECT_EQ(*backlog, 0);
  EXPECT_EQ(feed->Lag().millis, 0);

  // The slot is held by the running stream: dropping it needs --force.
  auto admin = db_.Connect();
  ASSERT_NE(admin, nullptr);
  Status refused = DropSlot(*admin, db_.slot(), false);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused;
  EXPECT_NE(refused.message().find("is in use by server process"), std::string::npos) << refused;
  ASSERT_TRUE(DropSlot(*admin, db_.slot(), true).ok());
  EXPECT_EQ(
      QueryValue(*admin, fmt::format("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{}'", db_.slot())),
      "0");
  // Changes landed while the slot is gone are lost to capture: the documented cost of dropping it.
  Land(60, 30);
  std::stop_source stop;
  auto ended = feed->Read(position, 1000, milliseconds(0), stop.get_token());
  EXPECT_FALSE(ended.ok()) << "the stream was ended by the drop";
  auto recreated = feed->Read(position, 1000, milliseconds(0), stop.get_token());
  ASSERT_TRUE(recreated.ok()) << recreated.status();
  EXPECT_TRUE(recreated->first.empty());
  EXPECT_EQ(
      QueryValue(*admin, fmt::format("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{}'", db_.slot())),
      "1")
      << "capture goes on with a new slot";
  Land(61, 25);
  auto last = ReadAll(*feed, position);
  EXPECT_EQ(last.size(), 25u);
}

}  // namespace
}  // namespace rtpipe::pg::testing
