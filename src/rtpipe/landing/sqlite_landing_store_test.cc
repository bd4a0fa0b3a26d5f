#include "rtpipe/landing/sqlite_landing_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

#include "rtpipe/base/sqlite.h"

namespace rtpipe {
namespace {

class SqliteLandingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_landing_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "landing.db").string();
    auto store = SqliteLandingStore::Open(path_, "users_created", "users_created.dlq");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static User MakeUser(const std::string& uuid, const std::string& first) {
    User u;
    u.login.uuid = uuid;
    u.name.first = first;
    u.email = first + "@example.com";
    return u;
  }

  int64_t Count(const std::string& sql) {
    auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
    return db.ok() ? db.value()->QueryInt(sql).value().value_or(-1) : -1;
  }

  // A landing entry for `u` with its API JSON as the raw bytes, as ingest gives this store: without
  // the parsed record (NeedsParsedUsers is false).
  static LandingUser Entry(const User& u, int64_t event_ms, std::string message) {
    return {u.login.uuid, UserJson(u), TimestampFromMillis(event_ms), std::move(message), nullptr};
  }
  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<SqliteLandingStore> store_;
};

TEST_F(SqliteLandingStoreTest, UpsertsByUuidAndWritesOutboxOnlyForChanges) {
  auto run = store_->BeginRun();
  ASSERT_TRUE(run.ok());
  User a = MakeUser("uuid-a", "Ann"), b = MakeUser("uuid-b", "Bob");
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(a, 1000, "msg-a"), Entry(b, 1001, "msg-b")};
  batch.next_position = {"seed", 2, 0};
  batch.source_records = 2;
  auto counts = store_->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 2);

  // The same records again: nothing changes, nothing is published again.
  batch.next_position = {"seed", 3, 0};
  counts = store_->Write(batch);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->unchanged, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox"), 2);

  // A changed record is an update, published once more.
  User a2 = MakeUser("uuid-a", "Anne");
  LandingBatch change;
  change.run = *run;
  change.users = {Entry(a2, 1002, "msg-a2")};
  change.rejects = {
      {"seed=s page=3 index=1 #abc", std::nullopt, "{\"reason\":\"malformed_json\"}", TimestampFromMillis(1003)}};
  change.next_position = {"seed", 4, 0};
  change.source_records = 2;
  counts = store_->Write(change);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(counts->rejected, 1);

  // The same reject fetched again is not published again.
  change.users.clear();
  counts = store_->Write(change);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->rejected, 0);

  EXPECT_EQ(Count("SELECT COUNT(*) FROM users"), 2);
  EXPECT_EQ(Count("SELECT version FROM users WHERE uuid = 'uuid-a'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'users_created'"), 3);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE topic = 'users_created.dlq'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE first_name = 'Anne' AND email = 'Anne@example.com'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE event_time = '1970-01-01T00:00:01.002Z'"), 1);

  auto state = store_->LoadIngestState();
  ASSERT_TRUE(state.ok() && state->position.has_value());
  EXPECT_EQ(state->position->page, 4);
  EXPECT_EQ(state->source_records, 8);
}

// Rows are written in key order (cheaper B-tree work), but a batch means what it says in its own
// order: of one person's records the last wins, and the outbox keeps the arrival order.
TEST_F(SqliteLandingStoreTest, ABatchIsAppliedInItsOwnOrderWhateverOrderItsKeysCome) {
  auto run = store_->BeginRun();
  ASSERT_TRUE(run.ok());
  User c = MakeUser("uuid-c", "Cid"), a = MakeUser("uuid-a", "Ann"), b = MakeUser("uuid-b", "Bob"),
       a2 = MakeUser("uuid-a", "Anne");
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(c, 1000, "msg-c"), Entry(a, 1001, "msg-a"), Entry(b, 1002, "msg-b"), Entry(a2, 1003, "msg-a2")};
  batch.next_position = {"seed", 2, 0};
  batch.source_records = 4;
  auto counts = store_->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 3);
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = 'uuid-a' AND first_name = 'Anne' AND version = 2"), 1);

  auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto query = (*db)->Prepare("SELECT key, value FROM outbox ORDER BY seq");
  ASSERT_TRUE(query.ok());
  std::vector<std::string> published;
  while (query->Step().value()) published.push_back(fmt::format("{}={}", query->ColumnText(0), query->ColumnText(1)));
  EXPECT_EQ(published, (std::vector<std::string>{"uuid-c=msg-c", "uuid-a=msg-a", "uuid-b=msg-b", "uuid-a=msg-a2"}));
}

// Batches fetched at different times can land in one transaction: each record's outbox entry keeps
// the time it was fetched, where its latency starts; a record without one gets the time it landed.
TEST_F(SqliteLandingStoreTest, EachOutboxEntryKeepsTheTimeItsRecordWasFetched) {
  auto run = store_->BeginRun();
  ASSERT_TRUE(run.ok());
  User a = MakeUser("uuid-a", "Ann"), b = MakeUser("uuid-b", "Bob"), c = MakeUser("uuid-c", "Cid");
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(a, 1000, "msg-a"), Entry(b, 1001, "msg-b"), Entry(c, 1002, "msg-c")};
  batch.users[0].ingested_us = 1'700'000'000'000'000;  // fetched first...
  batch.users[1].ingested_us = 1'700'000'000'100'000;  // ...and 100 ms later, landed together
  batch.rejects.push_back(
      {"seed=s page=1 index=3 #00", std::nullopt, "dead letter", TimestampFromMillis(1003), 1'700'000'000'100'000});
  batch.next_position = {"seed", 2, 0};
  batch.source_records = 4;
  const int64_t before = WallMicros();
  ASSERT_TRUE(store_->Write(batch).ok());
  const int64_t after = WallMicros();

  auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(db.ok());
  auto query = (*db)->Prepare("SELECT ingested_us FROM outbox ORDER BY seq");
  ASSERT_TRUE(query.ok());
  std::vector<int64_t> ingested;
  while (query->Step().value()) ingested.push_back(query->ColumnInt(0));
  ASSERT_EQ(ingested.size(), 4u);
  EXPECT_EQ(ingested[0], 1'700'000'000'000'000);
  EXPECT_EQ(ingested[1], 1'700'000'000'100'000);
  EXPECT_GE(ingested[2], before);  // none given: when it landed
  EXPECT_LE(ingested[2], after);
  EXPECT_EQ(ingested[3], 1'700'000'000'100'000);  // the reject's
}

TEST_F(SqliteLandingStoreTest, TypedColumnsFollowTheRawJsonAndAbsentFieldsAreNull) {
  auto run = store_->BeginRun();
  User u = MakeUser("uuid-c", "Cid");
  u.present = static_cast<uint16_t>(UserField::kLogin) | static_cast<uint16_t>(UserField::kName);
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(u, 1, "m")};
  batch.source_records = 1;
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE email IS NULL AND first_name = 'Cid'"), 1);

  User n = MakeUser("uuid-n", "Nora");
  n.location.postcode = "0150";  // Norway: a string with a leading zero
  n.location.street_number = 42;
  User us = MakeUser("uuid-us", "Sam");
  us.location.postcode = "63104";
  us.location.postcode_is_number = true;
  LandingBatch more;
  more.run = *run;
  more.users = {Entry(n, 2, "m"), Entry(us, 3, "m")};
  more.source_records = 2;
  ASSERT_TRUE(store_->Write(more).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE postcode = '0150' AND postcode_is_number = 0 "
                  "AND street_number = 42"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE postcode = '63104' AND postcode_is_number = 1"), 1);
}

TEST_F(SqliteLandingStoreTest, ACanonicalUuidIsKeyedByItsSixteenBytes) {
  auto run = store_->BeginRun();
  User u = MakeUser("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90", "Una");
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(u, 1, "m")};
  batch.source_records = 1;
  ASSERT_TRUE(store_->Write(batch).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90' AND "
                  "uuid = '0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid_key = uuid_key('0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90') AND "
                  "uuid = '0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90' AND first_name = 'Una'"),
            1);
}

// A database written by an rtpipe of schema version 1 (user_records keyed by the uuid's text) is
// migrated when opened, and the rows keep their versions and still match their records.
TEST_F(SqliteLandingStoreTest, ADatabaseOfSchemaVersionOneIsMigrated) {
  const std::string canonical = "0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90";
  User a = MakeUser(canonical, "Ann"), b = MakeUser("uuid-b", "Bob");
  std::string raw_a = UserJson(a), raw_b = UserJson(b);
  const std::string v1_path = (dir_ / "v1.db").string();
  {
    auto db = SqliteDb::Open(v1_path, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)
                    ->Exec("CREATE TABLE schema_version (version INTEGER NOT NULL); "
                           "INSERT INTO schema_version VALUES (1); "
                           "CREATE TABLE user_records (uuid TEXT PRIMARY KEY, raw TEXT NOT NULL, "
                           "event_time_ms INTEGER NOT NULL, ingested_at TEXT NOT NULL, run_id INTEGER NOT NULL, "
                           "version INTEGER NOT NULL DEFAULT 1); "
                           "CREATE VIEW users AS SELECT uuid, raw FROM user_records")
                    .ok());
    auto insert = (*db)->Prepare("INSERT INTO user_records VALUES (?1, ?2, 5, 'then', 1, ?3)");
    ASSERT_TRUE(insert.ok());
    for (auto [uuid, raw, version] : {std::tuple{canonical, raw_a, 3}, std::tuple{std::string("uuid-b"), raw_b, 1}}) {
      insert->BindText(1, uuid);
      insert->BindText(2, raw);
      insert->BindInt(3, version);
      ASSERT_TRUE(insert->Run().ok());
    }
  }
  auto store = SqliteLandingStore::Open(v1_path, "users_created", "users_created.dlq");
  ASSERT_TRUE(store.ok()) << store.status();
  path_ = v1_path;
  EXPECT_EQ(Count("SELECT version FROM schema_version"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = '" + canonical + "' AND first_name = 'Ann' AND version = 3"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = 'uuid-b' AND version = 1"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_records_v1'"), 0);

  // The same records again are unchanged; a changed one is an update of the migrated row.
  auto run = (*store)->BeginRun();
  User b2 = MakeUser("uuid-b", "Bobby");
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(a, 6, "m"), Entry(b2, 7, "m")};
  batch.source_records = 2;
  auto counts = (*store)->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->unchanged, 1);
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(counts->inserted, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = 'uuid-b' AND first_name = 'Bobby' AND version = 2"), 1);
}

}  // namespace
}  // namespace rtpipe
