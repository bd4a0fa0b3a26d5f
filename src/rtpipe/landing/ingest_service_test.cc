#include "rtpipe/landing/ingest_service.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "rtpipe/landing/sqlite_landing_store.h"
#include "rtpipe/model/message.h"
#include "rtpipe/source/file_source.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

using namespace std::chrono_literals;

// Waits up to `limit` for `done`; true if it came.
template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds limit = 10s) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// A real SQLite store, wrapped: the tests below change what a write does.
class WrappedStore : public LandingStore {
 public:
  explicit WrappedStore(std::unique_ptr<LandingStore> inner) : inner_(std::move(inner)) {}
  Result<RunId> BeginRun() override { return inner_->BeginRun(); }
  Result<IngestState> LoadIngestState() override { return inner_->LoadIngestState(); }
  Result<LandingCounts> Write(const LandingBatch& batch) override { return inner_->Write(batch); }
  bool NeedsParsedUsers() const override { return inner_->NeedsParsedUsers(); }

 private:
  std::unique_ptr<LandingStore> inner_;
};

// Writes can be made to fail, as a full disk or a broken server would.
class FailingStore : public WrappedStore {
 public:
  using WrappedStore::WrappedStore;
  Result<LandingCounts> Write(const LandingBatch& batch) override {
    if (fail) return Status::IoError("disk full (injected)");
    return WrappedStore::Write(batch);
  }
  std::atomic<bool> fail{false};
};

// Slower than the generator, and keeps what each write was asked to land. It reads the parsed
// records, or not, as it is told.
class RecordingStore : public WrappedStore {
 public:
  struct Landed {
    std::string key, raw, message;
    bool message_matches_raw = false;  // the message is the one the record's bytes give
    bool user_given = false;           // LandingUser::user is set...
    bool user_matches_raw = false;     // ...to the record the bytes give
  };
  RecordingStore(std::unique_ptr<LandingStore> inner, bool needs_users)
      : WrappedStore(std::move(inner)), needs_users_(needs_users) {}
  bool NeedsParsedUsers() const override { return needs_users_; }
  Result<LandingCounts> Write(const LandingBatch& batch) override {
    std::this_thread::sleep_for(20ms);  // the fetcher fills the queue meanwhile
    source_records += batch.source_records;
    largest_write = std::max(largest_write, batch.source_records);
    std::set<int64_t> fetch_times;
    for (const LandingUser& u : batch.users) {
      stamped = stamped && u.ingested_us > 0;
      fetch_times_in_order = fetch_times_in_order && (fetch_times.empty() || u.ingested_us >= *fetch_times.rbegin());
      fetch_times.insert(u.ingested_us);
      auto parsed = ParseUser(u.raw);
      Landed& landed = users.emplace_back(Landed{u.key, u.raw, u.message});
      landed.message_matches_raw = parsed.ok() && u.message == MessageJson(ToMessage(*parsed));
      landed.user_given = u.user != nullptr;
      landed.user_matches_raw = landed.user_given && parsed.ok() && *u.user == *parsed;
    }
    for (const LandingReject& r : batch.rejects) {
      rejects.push_back(r.dead_letter);
      stamped = stamped && fetch_times.contains(r.ingested_us);  // a time of its write's batches
    }
    most_fetch_times = std::max(most_fetch_times, fetch_times.size());
    return WrappedStore::Write(batch);
  }
  int64_t source_records = 0;
  int64_t largest_write = 0;  // source records
  // When each record was fetched (LandingUser::ingested_us): set for every record, in batch order,
  // and as many different ones in a write as the most batches it landed together.
  bool stamped = true;
  bool fetch_times_in_order = true;
  size_t most_fetch_times = 0;
  std::vector<Landed> users;
  std::vector<std::string> rejects;

 private:
  const bool needs_users_;
};

// The generator, with each request taking `latency` and its start time recorded.
class SlowSource : public Source {
 public:
  SlowSource(std::unique_ptr<Source> inner, std::chrono::milliseconds latency)
      : inner_(std::move(inner)), latency_(latency) {}
  Result<SourceBatch> Fetch(const SourcePosition& position, int max_users, std::stop_token stop) override {
    {
      std::lock_guard lock(mutex_);
      starts_.push_back(std::chrono::steady_clock::now());
    }
    std::this_thread::sleep_for(latency_);
    return inner_->Fetch(position, max_users, stop);
  }
  const SourceMetrics& metrics() const override { return inner_->metrics(); }
  // Time from the first request's start to the start of request `k`.
  std::chrono::milliseconds StartOf(size_t k) {
    std::lock_guard lock(mutex_);
    return std::chrono::duration_cast<std::chrono::milliseconds>(starts_.at(k) - starts_.at(0));
  }
  size_t requests() {
    std::lock_guard lock(mutex_);
    return starts_.size();
  }

 private:
  std::unique_ptr<Source> inner_;
  std::chrono::milliseconds latency_;
  std::mutex mutex_;
  std::vector<std::chrono::steady_clock::time_point> starts_;
};

class IngestServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_ingest_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    auto store = SqliteLandingStore::Open((dir_ / "landing.db").string(), "users_created", "users_created.dlq");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::make_unique<FailingStore>(std::move(*store));
    config_.source.results = 100;
    config_.source.interval = 0ms;
    config_.landing.max_outbox_backlog = 1000;
    auto source = MakeSource(config_.source, Clock::System());
    ASSERT_TRUE(source.ok()) << source.status();
    source_ = std::move(*source);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Runs ingest from config_.source until `records` source records are landed in a RecordingStore
  // over a landing database of its own, `name`.db.
  std::unique_ptr<RecordingStore> LandRecorded(const std::string& name, bool needs_users, int64_t records,
                                               IngestMetrics& metrics) {
    auto source = MakeSource(config_.source, Clock::System());
    EXPECT_TRUE(source.ok()) << source.status();
    auto inner = SqliteLandingStore::Open((dir_ / (name + ".db")).string(), "users_created", "users_created.dlq");
    EXPECT_TRUE(inner.ok()) << inner.status();
    if (!source.ok() || !inner.ok()) return nullptr;
    auto store = std::make_unique<RecordingStore>(std::move(*inner), needs_users);
    auto ingest = IngestService::Create(config_, **source, *store, metrics, records, nullptr);
    EXPECT_TRUE(ingest.ok()) << ingest.status();
    if (!ingest.ok()) return nullptr;
    Status run = (*ingest)->Run(std::stop_token());
    EXPECT_TRUE(run.ok()) << run;
    return store;
  }

  // Every user landed once, under its own key, with the message its bytes give, and the parsed user
  // given to the store exactly when it reads them.
  static void ExpectEachUserLandedOnceAsItsBytesSay(const RecordingStore& store, bool needs_users) {
    std::set<std::string> keys;
    for (const auto& u : store.users) {
      EXPECT_TRUE(u.message_matches_raw) << u.message;
      EXPECT_NE(u.raw.find(fmt::format(R"("uuid":"{}")", u.key)), std::string::npos) << "the key is the user's own";
      EXPECT_EQ(u.user_given, needs_users);
      EXPECT_EQ(u.user_matches_raw, needs_users);
      keys.insert(u.key);
    }
    EXPECT_EQ(keys.size(), store.users.size()) << "no user is landed twice";
  }

  std::filesystem::path dir_;
  Config config_;
  std::unique_ptr<Source> source_;
  std::unique_ptr<FailingStore> store_;
  IngestMetrics metrics_;
};

TEST_F(IngestServiceTest, WaitsWhileCaptureIsBehindWithBoundedMemoryThenResumes) {
  Gauge capture_backlog;
  capture_backlog.Set(5000);  // above landing.max_outbox_backlog
  auto ingest = IngestService::Create(config_, *source_, *store_, metrics_, std::nullopt, &capture_backlog);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  std::stop_source stop;
  Status result;
  std::thread runner([&] { result = (*ingest)->Run(stop.get_token()); });

  ASSERT_TRUE(Eventually([&] { return metrics_.paused.value() == 1; })) << "ingest did not pause";
  std::this_thread::sleep_for(300ms);  // the fetcher runs ahead until the queue is full, then blocks
  EXPECT_EQ(metrics_.total.value(), 0) << "nothing may be landed while capture is behind";
  // Fetched while paused: the queue's 4 batches, the one the landing thread holds and the one the
  // fetcher waits to push. Not more: a full queue blocks its producer.
  EXPECT_LE(metrics_.fetched.value(), 6 * config_.source.results);

  capture_backlog.Set(0);
  ASSERT_TRUE(Eventually([&] { return metrics_.total.value() >= 10 * config_.source.results; }))
      << "ingest did not resume once capture caught up";
  EXPECT_EQ(metrics_.paused.value(), 0);
  stop.request_stop();
  runner.join();
  EXPECT_TRUE(result.ok()) << result;
}

TEST_F(IngestServiceTest, AFailingStoreStopsTheStageWithTheCauseAndKeepsWhatWasLanded) {
  auto ingest = IngestService::Create(config_, *source_, *store_, metrics_, std::nullopt, nullptr);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  std::stop_source stop;
  Status result;
  std::thread runner([&] { result = (*ingest)->Run(stop.get_token()); });
  ASSERT_TRUE(Eventually([&] { return metrics_.total.value() >= 500; }));
  store_->fail = true;
  runner.join();  // the stage ends by itself
  EXPECT_EQ(result.code(), StatusCode::kIoError) << result;
  EXPECT_NE(result.message().find("landing"), std::string::npos) << result;
  EXPECT_NE(result.message().find("disk full"), std::string::npos) << result;

  // What was landed stays, and a new ingest resumes right after it.
  store_->fail = false;
  auto state = store_->LoadIngestState();
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->source_records, metrics_.total.value());
  ASSERT_TRUE(state->position.has_value());
  EXPECT_EQ((state->position->page - 1) * config_.source.results + state->position->skip, state->source_records)
      << "the stored position is where the landed records end";
}

// Every source record is landed once, as a user with its users_created message or as a reject with
// its dead letter, also when batches queued behind a slow store are landed together. A store that
// reads the parsed records (PostgreSQL) is given them; one that does not (SQLite) is not, and gets
// the same keys, bytes and messages.
TEST_F(IngestServiceTest, LandsEverySourceRecordOnceAsAUserWithItsMessageOrAsADeadLetter) {
  config_.source.bad_rate = 0.2;
  for (bool needs_users : {true, false}) {
    SCOPED_TRACE(needs_users ? "a store that reads the parsed records" : "a store that does not");
    IngestMetrics metrics;
    auto recorded = LandRecorded(fmt::format("recorded-{}", needs_users), needs_users, 2000, metrics);
    ASSERT_NE(recorded, nullptr);
    const RecordingStore& store = *recorded;

    EXPECT_EQ(store.source_records, 2000);
    EXPECT_GT(store.largest_write, config_.source.results) << "queued batches are landed together";
    EXPECT_GT(store.most_fetch_times, 1u) << "batches landed together keep the times they were fetched";
    EXPECT_TRUE(store.stamped) << "every user and reject carries its fetch time";
    EXPECT_TRUE(store.fetch_times_in_order);
    EXPECT_EQ(static_cast<int64_t>(store.users.size() + store.rejects.size()), 2000);
    EXPECT_GT(store.rejects.size(), 0u) << "the generator's malformed records are rejected at ingest";
    ExpectEachUserLandedOnceAsItsBytesSay(store, needs_users);
    for (const auto& letter : store.rejects) {
      EXPECT_NE(letter.find("\"stage\":\"ingest\""), std::string::npos) << letter;
    }
    EXPECT_EQ(metrics.rejected.value(), static_cast<int64_t>(store.rejects.size()));
  }
}

TEST_F(IngestServiceTest, UsersTheSourceReadOnTheWayLandAsTheParsedOnes) {
  // A file: (or http:) source reads each user while it splits the page (SourceRecord::parsed):
  // landing takes that user instead of parsing the record again, and lands the same.
  const std::filesystem::path pages = dir_ / "pages";
  for (int64_t page = 1; page <= 10; ++page) {
    GeneratorRequest request;
    request.seed = "s";
    request.page = page;
    request.results = 100;
    ASSERT_TRUE(FileSource::SavePage(pages, page, Generator().Response(request)).ok());
  }
  config_.source.url = "file:" + pages.string();
  config_.source.seed = "s";
  for (bool needs_users : {true, false}) {
    SCOPED_TRACE(needs_users ? "a store that reads the parsed records" : "a store that does not");
    IngestMetrics metrics;
    auto store = LandRecorded(fmt::format("from-files-{}", needs_users), needs_users, 1000, metrics);
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->source_records, 1000);
    EXPECT_EQ(store->users.size(), 1000u);
    ExpectEachUserLandedOnceAsItsBytesSay(*store, needs_users);
  }
}

// Keeps where the source continues after each write, and how many source records were landed by then.
class PositionRecordingStore : public WrappedStore {
 public:
  using WrappedStore::WrappedStore;
  Result<LandingCounts> Write(const LandingBatch& batch) override {
    landed += batch.source_records;
    ends.push_back({landed, batch.next_position});
    return WrappedStore::Write(batch);
  }
  int64_t landed = 0;
  std::vector<std::pair<int64_t, SourcePosition>> ends;
};

// A paced source's pages go to landing in chunks of up to 1,000 users, each with where the source
// continues after it (where a restart resumes): a write can end within a page. Unpaced, every write
// ends where a page does.
TEST_F(IngestServiceTest, APacedSourcesPagesLandInChunksThatEachSayWhereTheNextStarts) {
  config_.source.results = 2500;
  for (auto interval : {1ms, 0ms}) {
    SCOPED_TRACE(interval.count() > 0 ? "paced" : "unpaced");
    config_.source.interval = interval;
    auto source = MakeSource(config_.source, Clock::System());
    ASSERT_TRUE(source.ok()) << source.status();
    auto inner = SqliteLandingStore::Open((dir_ / fmt::format("chunks-{}.db", interval.count())).string(),
                                          "users_created", "users_created.dlq");
    ASSERT_TRUE(inner.ok()) << inner.status();
    PositionRecordingStore store(std::move(*inner));
    IngestMetrics metrics;
    auto ingest = IngestService::Create(config_, **source, store, metrics, 10'000, nullptr);
    ASSERT_TRUE(ingest.ok()) << ingest.status();
    ASSERT_TRUE((*ingest)->Run(std::stop_token()).ok());

    EXPECT_EQ(store.landed, 10'000);
    bool within_a_page = false;
    for (const auto& [landed, next] : store.ends) {
      EXPECT_EQ((next.page - 1) * config_.source.results + next.skip, landed) << "page " << next.page;
      within_a_page = within_a_page || next.skip != 0;
    }
    EXPECT_EQ(within_a_page, interval.count() > 0);
  }
}

// Runs ingest with `source` until it made `requests` requests.
void RunUntilRequests(const Config& config, SlowSource& source, LandingStore& store, size_t requests) {
  IngestMetrics metrics;
  auto ingest = IngestService::Create(config, source, store, metrics, std::nullopt, nullptr);
  ASSERT_TRUE(ingest.ok()) << ingest.status();
  std::stop_source stop;
  Status result;
  std::thread runner([&] { result = (*ingest)->Run(stop.get_token()); });
  bool made = Eventually([&] { return source.requests() >= requests; });
  stop.request_stop();
  runner.join();
  ASSERT_TRUE(made);
  EXPECT_TRUE(result.ok()) << result;
}

TEST_F(IngestServiceTest, RequestsStartOnAFixedScheduleWhateverTheyTake) {
  // 200 ms apart, each taking 100 ms: the pause after a request is what is left of the interval
  // (a pause of a whole interval would put the 5th request at 1200 ms).
  config_.source.interval = 200ms;
  SlowSource source(std::move(source_), 100ms);
  RunUntilRequests(config_, source, *store_, 5);
  EXPECT_GE(source.StartOf(4), 800ms);
  EXPECT_LT(source.StartOf(4), 1100ms);
}

TEST_F(IngestServiceTest, ARequestBehindTheScheduleIsFollowedAtOnceWithoutABurst) {
  // Each request takes 150 ms, longer than the 100 ms interval: they run back to back (not 250 ms
  // apart), and never closer than that to catch up.
  config_.source.interval = 100ms;
  SlowSource source(std::move(source_), 150ms);
  RunUntilRequests(config_, source, *store_, 5);
  for (size_t k = 1; k < 5; ++k) {
    EXPECT_GE(source.StartOf(k) - source.StartOf(k - 1), 150ms) << k;
  }
  EXPECT_LT(source.StartOf(4), 900ms);
}

}  // namespace
}  // namespace rtpipe
