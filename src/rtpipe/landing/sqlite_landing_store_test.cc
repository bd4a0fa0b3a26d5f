#include "rtpipe/landing/sqlite_landing_store.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <tuple>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/landing/sqlite_outbox_entries.h"

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

  // The database `name`.db as an rtpipe of schema `version` left it: `schema` (SQL) after the version
  // table. Null, having failed the test, if it cannot be made.
  std::unique_ptr<SqliteDb> OldDatabase(const std::string& name, int version, const std::string& schema) {
    auto db = SqliteDb::Open((dir_ / (name + ".db")).string(), SqliteDb::Mode::kReadWriteCreate);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return nullptr;
    Status made = (*db)->Exec(fmt::format(
        "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES ({}); {}", version,
        schema));
    EXPECT_TRUE(made.ok()) << made;
    return made.ok() ? std::move(*db) : nullptr;
  }

  // Opens the store on the old database `name`.db, which migrates it to the current schema; Count
  // reads it from then on.
  Result<std::unique_ptr<SqliteLandingStore>> OpenMigrated(const std::string& name) {
    path_ = (dir_ / (name + ".db")).string();
    auto store = SqliteLandingStore::Open(path_, "users_created", "users_created.dlq");
    if (store.ok()) {
      EXPECT_EQ(Count("SELECT version FROM schema_version"), 5);
    }
    return store;
  }

  // Inserts `users` with their versions into the user_records of schemas 3 and 4 (keyed by
  // uuid_key), each as its UserJson.
  static void InsertKeyedRecords(SqliteDb& db, std::initializer_list<std::pair<const User*, int>> users) {
    auto insert = db.Prepare("INSERT INTO user_records VALUES (uuid_key(?1), ?1, ?2, 5, 'then', 1, ?3)");
    ASSERT_TRUE(insert.ok()) << insert.status();
    for (auto [user, version] : users) {
      const std::string raw = UserJson(*user);  // bound, not copied, until the insert has run
      insert->BindText(1, user->login.uuid);
      insert->BindText(2, raw);
      insert->BindInt(3, version);
      ASSERT_TRUE(insert->Run().ok());
    }
  }

  // A change in the outbox, as its row and entry hold it.
  struct OutboxChange {
    std::string topic;
    int64_t number = 0;
    std::optional<std::string> key;
    std::string value;
    int64_t event_time_ms = 0;
    int64_t ingested_us = 0;
  };
  // Every change in the outbox, in order; and how many rows hold them.
  std::pair<std::vector<OutboxChange>, int> ReadOutbox(const std::string& path) {
    std::vector<OutboxChange> changes;
    int rows = 0;
    auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
    EXPECT_TRUE(db.ok()) << db.status();
    auto query = (*db)->Prepare("SELECT topic, first_change, changes, entries, seq FROM outbox ORDER BY seq");
    EXPECT_TRUE(query.ok()) << query.status();
    while (query->Step().value()) {
      ++rows;
      int64_t number = query->ColumnInt(1);
      Status read =
          ForEachOutboxEntry(query->ColumnBlob(3), query->ColumnInt(2), query->ColumnInt(4), [&](const OutboxEntry& e) {
            changes.push_back({std::string(query->ColumnText(0)), number++,
                               e.key ? std::optional<std::string>(*e.key) : std::nullopt, std::string(e.value),
                               e.event_time_ms, e.ingested_us});
          });
      EXPECT_TRUE(read.ok()) << read;
    }
    return {changes, rows};
  }
  std::vector<OutboxChange> ReadOutbox() { return ReadOutbox(path_).first; }

  // A landing entry for `u` with its API JSON as the raw bytes, as ingest gives this store: without
  // the parsed record (NeedsParsedUsers is false).
  static LandingUser Entry(const User& u, int64_t event_ms, std::string message) {
    return {u.login.uuid, UserJson(u), TimestampFromMillis(event_ms), std::move(message), nullptr};
  }

  // For a store migrated from a database holding `a` and Bob ("uuid-b"), its path in path_: `a`
  // again is unchanged, Bob changed is an update of his row, and Cid is new.
  void ExpectMigratedPeopleFound(SqliteLandingStore& store, const User& a) {
    auto run = store.BeginRun();
    User b2 = MakeUser("uuid-b", "Bobby"), c = MakeUser("uuid-c", "Cid");
    LandingBatch batch;
    batch.run = *run;
    batch.users = {Entry(a, 6, "m"), Entry(b2, 7, "m"), Entry(c, 8, "m")};
    batch.source_records = 3;
    auto counts = store.Write(batch);
    ASSERT_TRUE(counts.ok()) << counts.status();
    EXPECT_EQ(counts->unchanged, 1);
    EXPECT_EQ(counts->updated, 1);
    EXPECT_EQ(counts->inserted, 1);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records"), 3);
    EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = 'uuid-b' AND first_name = 'Bobby' AND version = 2"), 1);
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
  EXPECT_EQ(ReadOutbox().size(), 2u);

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
  std::vector<std::string> published;
  for (const auto& c : ReadOutbox()) published.push_back(fmt::format("{} {} {}", c.number, c.topic, c.value));
  EXPECT_EQ(published,
            (std::vector<std::string>{"1 users_created msg-a", "2 users_created msg-b", "3 users_created msg-a2",
                                      "4 users_created.dlq {\"reason\":\"malformed_json\"}"}));
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

  std::vector<std::string> published;
  for (const auto& change : ReadOutbox()) {
    published.push_back(fmt::format("{}={}", change.key.value_or("(none)"), change.value));
  }
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

  std::vector<int64_t> ingested;
  for (const auto& change : ReadOutbox()) ingested.push_back(change.ingested_us);
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

// A canonical UUID is keyed by its 16 bytes, in the row and in the key tables; the same person
// twice in a batch is one row, inserted and then updated.
TEST_F(SqliteLandingStoreTest, ACanonicalUuidIsKeyedByItsSixteenBytes) {
  auto run = store_->BeginRun();
  User u = MakeUser("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90", "Una");
  User u2 = MakeUser("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90", "Uma");  // the same person again, changed
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(u, 1, "m"), Entry(u2, 2, "m")};
  batch.source_records = 2;
  auto counts = store_->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 1);
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90' AND "
                  "uuid = '0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_keys_all WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_keys WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid_key = uuid_key('0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90') AND "
                  "uuid = '0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90' AND first_name = 'Uma' AND version = 2"),
            1);
}

// Users are inserted 50 to a statement (the last few one by one), with the same outcome as one by
// one: a store given each batch whole ends as one given it 10 users at a time (one by one only),
// with the same counts, rows, versions and outbox, also where people are known already, changed or
// not, or come twice in a batch.
TEST_F(SqliteLandingStoreTest, ManyUsersLandAsOneByOne) {
  auto run = store_->BeginRun();
  ASSERT_TRUE(run.ok());
  const std::string by_tens_path = (dir_ / "by_tens.db").string();
  auto by_tens = SqliteLandingStore::Open(by_tens_path, "users_created", "users_created.dlq");
  ASSERT_TRUE(by_tens.ok()) << by_tens.status();
  auto run_by_tens = (*by_tens)->BeginRun();
  ASSERT_TRUE(run_by_tens.ok());

  auto user = [](int n, const std::string& first) { return MakeUser(fmt::format("uuid-{:03}", n), first); };
  std::vector<std::vector<User>> batches(2);
  for (int n = 0; n < 120; ++n) batches[0].push_back(user(n, "A"));
  for (int n = 0; n < 60; ++n) batches[1].push_back(user(n, "A"));      // known, unchanged
  for (int n = 60; n < 80; ++n) batches[1].push_back(user(n, "B"));     // known, changed
  for (int n = 200; n < 280; ++n) batches[1].push_back(user(n, "A"));   // new
  for (int n : {205, 210, 70, 30}) batches[1].push_back(user(n, "C"));  // again in the same batch, changed
  for (int n : {215, 40}) batches[1].push_back(user(n, "A"));           // again in the same batch, unchanged
  for (int n = 0; n < 120; n += 7) batches[1].push_back(user(n, "D"));  // spread over every statement
  // In key order: 101 known, then 83 new (205, 210 and 215 twice, in the third statement of 50),
  // the last 34 one by one.

  LandingCounts whole, tens;
  for (const auto& users : batches) {
    LandingBatch batch;
    batch.run = *run;
    for (const User& u : users) batch.users.push_back(Entry(u, 1000, "msg-" + u.name.first));
    batch.source_records = static_cast<int64_t>(users.size());
    auto counts = store_->Write(batch);
    ASSERT_TRUE(counts.ok()) << counts.status();
    whole.inserted += counts->inserted;
    whole.updated += counts->updated;
    whole.unchanged += counts->unchanged;
    for (size_t from = 0; from < users.size(); from += 10) {
      LandingBatch ten;
      ten.run = *run_by_tens;
      for (size_t i = from; i < std::min(users.size(), from + 10); ++i) ten.users.push_back(batch.users[i]);
      ten.source_records = static_cast<int64_t>(ten.users.size());
      auto ten_counts = (*by_tens)->Write(ten);
      ASSERT_TRUE(ten_counts.ok()) << ten_counts.status();
      tens.inserted += ten_counts->inserted;
      tens.updated += ten_counts->updated;
      tens.unchanged += ten_counts->unchanged;
    }
  }
  EXPECT_EQ(whole.inserted, 200);
  EXPECT_EQ(std::tuple(whole.inserted, whole.updated, whole.unchanged),
            std::tuple(tens.inserted, tens.updated, tens.unchanged));

  auto rows = [](const std::string& path) {
    std::vector<std::string> out;
    auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
    EXPECT_TRUE(db.ok());
    auto query = (*db)->Prepare("SELECT uuid, first_name, version FROM users ORDER BY uuid");
    while (query->Step().value()) {
      out.push_back(fmt::format("{} {} {}", query->ColumnText(0), query->ColumnText(1), query->ColumnInt(2)));
    }
    return out;
  };
  EXPECT_EQ(rows(path_).size(), 200u);
  EXPECT_EQ(rows(path_), rows(by_tens_path));
  auto published = [&](const std::string& path) {
    std::vector<std::string> out;
    for (const auto& c : ReadOutbox(path).first) out.push_back(c.key.value_or("") + "=" + c.value);
    return out;
  };
  EXPECT_EQ(published(path_), published(by_tens_path));
}

// The outbox of schema versions 1 and 2: a row per change.
constexpr std::string_view kV2Outbox =
    "CREATE TABLE outbox (seq INTEGER PRIMARY KEY, topic TEXT NOT NULL, key TEXT, value BLOB NOT NULL, "
    "event_time_ms INTEGER NOT NULL, ingested_us INTEGER NOT NULL)";

// A batch's changes fill outbox rows of about 64 KiB each, and are numbered on from row to row,
// also once capture has deleted the rows it captured (it keeps the last one).
TEST_F(SqliteLandingStoreTest, ManyChangesFillSeveralOutboxRowsNumberedOnFromRowToRow) {
  auto run = store_->BeginRun();
  ASSERT_TRUE(run.ok());
  std::vector<User> users;
  for (int i = 0; i < 300; ++i) users.push_back(MakeUser(fmt::format("uuid-{:03}", i), "U"));
  LandingBatch batch;
  batch.run = *run;
  for (int i = 0; i < 200; ++i)
    batch.users.push_back(Entry(users[i], i, fmt::format("{:03}{}", i, std::string(997, 'm'))));
  batch.source_records = 200;
  ASSERT_TRUE(store_->Write(batch).ok());
  auto [changes, rows] = ReadOutbox(path_);
  ASSERT_EQ(changes.size(), 200u);
  EXPECT_EQ(rows, 4) << "200 changes of about 1 KiB: 3 rows of 64 KiB, and the rest";
  EXPECT_GE(Count("SELECT MIN(length(entries)) FROM outbox WHERE seq < 4"), 64 * 1024);
  EXPECT_LT(Count("SELECT MAX(length(entries)) FROM outbox"), 64 * 1024 + 1100) << "full after one change more";
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(changes[i].number, i + 1);
    EXPECT_EQ(changes[i].key, fmt::format("uuid-{:03}", i));
    EXPECT_EQ(changes[i].value.substr(0, 3), fmt::format("{:03}", i));
    EXPECT_EQ(changes[i].event_time_ms, i);
  }
  const int64_t in_last_row = Count("SELECT changes FROM outbox ORDER BY seq DESC LIMIT 1");
  {
    auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("DELETE FROM outbox WHERE seq < (SELECT MAX(seq) FROM outbox)").ok());
  }
  LandingBatch more;
  more.run = *run;
  for (int i = 200; i < 300; ++i) more.users.push_back(Entry(users[i], i, "m"));
  more.source_records = 100;
  ASSERT_TRUE(store_->Write(more).ok());
  std::tie(changes, rows) = ReadOutbox(path_);
  ASSERT_EQ(rows, 2);
  ASSERT_EQ(static_cast<int64_t>(changes.size()), in_last_row + 100);
  for (size_t i = 0; i < changes.size(); ++i) EXPECT_EQ(changes[i].number, 201 - in_last_row + static_cast<int64_t>(i));
}

// A database of schema version 2 (a row per change) is migrated when opened: changes not yet
// captured keep their numbers and their order, and the capture position stays valid.
TEST_F(SqliteLandingStoreTest, ADatabaseOfSchemaVersionTwoIsMigrated) {
  ASSERT_NE(OldDatabase("v2", 2,
                        std::string(kV2Outbox) +
                            "; INSERT INTO outbox VALUES (7, 'users_created', 'uuid-a', 'msg-a', 1000, 11); "
                            "INSERT INTO outbox VALUES (8, 'users_created.dlq', NULL, 'dead', 1001, 12); "
                            "INSERT INTO outbox VALUES (9, 'users_created', 'uuid-b', 'msg-b', 1002, 13); "
                            "CREATE TABLE capture_state (id INTEGER PRIMARY KEY CHECK (id = 1), "
                            "position INTEGER NOT NULL, log_ends TEXT NOT NULL); "
                            "INSERT INTO capture_state VALUES (1, 7, '{}')"),
            nullptr);
  auto store = OpenMigrated("v2");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'outbox_v2'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM outbox WHERE seq > (SELECT position FROM capture_state)"), 2);

  auto run = (*store)->BeginRun();
  LandingBatch batch;
  batch.run = *run;
  batch.users = {Entry(MakeUser("uuid-c", "Cid"), 1003, "msg-c")};
  batch.source_records = 1;
  ASSERT_TRUE((*store)->Write(batch).ok());
  std::vector<std::string> changes;
  for (const auto& c : ReadOutbox()) {
    changes.push_back(fmt::format("{} {} {} {} {} {}", c.number, c.topic, c.key.value_or("(none)"), c.value,
                                  c.event_time_ms, c.ingested_us));
  }
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], "7 users_created uuid-a msg-a 1000 11");
  EXPECT_EQ(changes[1], "8 users_created.dlq (none) dead 1001 12");
  EXPECT_EQ(changes[2], "9 users_created uuid-b msg-b 1002 13");
  EXPECT_EQ(changes[3].substr(0, 32), "10 users_created uuid-c msg-c 10");
}

// A database written by an rtpipe of schema version 1 (user_records keyed by the uuid's text) is
// migrated when opened, and the rows keep their versions and still match their records.
TEST_F(SqliteLandingStoreTest, ADatabaseOfSchemaVersionOneIsMigrated) {
  const std::string canonical = "0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90";
  User a = MakeUser(canonical, "Ann"), b = MakeUser("uuid-b", "Bob");
  std::string raw_a = UserJson(a), raw_b = UserJson(b);
  {
    auto db = OldDatabase("v1", 1,
                          "CREATE TABLE user_records (uuid TEXT PRIMARY KEY, raw TEXT NOT NULL, "
                          "event_time_ms INTEGER NOT NULL, ingested_at TEXT NOT NULL, run_id INTEGER NOT NULL, "
                          "version INTEGER NOT NULL DEFAULT 1); "
                          "CREATE VIEW users AS SELECT uuid, raw FROM user_records; " +
                              std::string(kV2Outbox));
    ASSERT_NE(db, nullptr);
    auto insert = db->Prepare("INSERT INTO user_records VALUES (?1, ?2, 5, 'then', 1, ?3)");
    ASSERT_TRUE(insert.ok());
    for (auto [uuid, raw, version] : {std::tuple{canonical, raw_a, 3}, std::tuple{std::string("uuid-b"), raw_b, 1}}) {
      insert->BindText(1, uuid);
      insert->BindText(2, raw);
      insert->BindInt(3, version);
      ASSERT_TRUE(insert->Run().ok());
    }
  }
  auto store = OpenMigrated("v1");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = '" + canonical + "' AND first_name = 'Ann' AND version = 3"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records WHERE uuid_key = 'uuid-b' AND version = 1"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_records_v1'"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_keys"), 2);

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

// A database of schema version 3 (user_records keyed by uuid_key) is migrated when opened: the rows
// keep their rowids, and their keys go to user_keys, so known people are still found.
TEST_F(SqliteLandingStoreTest, ADatabaseOfSchemaVersionThreeIsMigrated) {
  const std::string canonical = "0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90";
  User a = MakeUser(canonical, "Ann"), b = MakeUser("uuid-b", "Bob");
  {
    auto db = OldDatabase("v3", 3,
                          "CREATE TABLE user_records (uuid_key BLOB PRIMARY KEY, uuid TEXT NOT NULL, "
                          "raw TEXT NOT NULL, event_time_ms INTEGER NOT NULL, ingested_at TEXT NOT NULL, "
                          "run_id INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1); "
                          "CREATE VIEW users AS SELECT uuid, raw FROM user_records");
    ASSERT_NE(db, nullptr);
    InsertKeyedRecords(*db, {{&a, 2}, {&b, 1}});
  }
  auto store = OpenMigrated("v3");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'user_records_v3'"), 0);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM user_keys k JOIN user_records r ON r.rowid = k.row AND r.uuid_key = k.uuid_key"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM users WHERE uuid = '" + canonical + "' AND first_name = 'Ann' AND version = 2"),
            1);

  ExpectMigratedPeopleFound(**store, a);
}

// A database of schema version 4 (keys in recent_keys and user_keys) is migrated when opened: every
// key goes to user_keys, so known people are still found.
TEST_F(SqliteLandingStoreTest, ADatabaseOfSchemaVersionFourIsMigrated) {
  User a = MakeUser("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90", "Ann"), b = MakeUser("uuid-b", "Bob");
  {
    auto db = OldDatabase("v4", 4,
                          "CREATE TABLE user_records (uuid_key BLOB NOT NULL, uuid TEXT NOT NULL, "
                          "raw TEXT NOT NULL, event_time_ms INTEGER NOT NULL, ingested_at TEXT NOT NULL, "
                          "run_id INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1); "
                          "CREATE TABLE recent_keys (uuid_key BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID; "
                          "CREATE TABLE user_keys (uuid_key BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;");
    ASSERT_NE(db, nullptr);
    InsertKeyedRecords(*db, {{&a, 1}, {&b, 1}});
    // Ann's key was merged, Bob's recent.
    ASSERT_TRUE(db->Exec("INSERT INTO user_keys SELECT uuid_key, rowid FROM user_records WHERE rowid = 1; "
                         "INSERT INTO recent_keys SELECT uuid_key, rowid FROM user_records WHERE rowid = 2")
                    .ok());
  }
  auto store = OpenMigrated("v4");
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE name = 'recent_keys'"), 0);
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM user_keys k JOIN user_records r ON r.rowid = k.row AND r.uuid_key = k.uuid_key"), 2);
  EXPECT_EQ(Count("SELECT indexed_below FROM user_keys_state"), 3);

  ExpectMigratedPeopleFound(**store, a);
}

// The keys of new people are kept in memory, and each commit moves those of a slice of the key
// space into user_keys. A person is found either way, by the store and by the documented look-up
// (through user_keys_all, reading indexes only), also after the store is opened again, which
// indexes the rest.
TEST_F(SqliteLandingStoreTest, KeysIndexedInSlicesStillFindTheirPeople) {
  // UUIDs spread over the key space, as random ones are.
  auto uuid = [](int n) {
    return fmt::format("{:08x}-0000-4000-8000-{:012}", static_cast<uint32_t>(n * 2654435761u), n);
  };
  auto write = [&](SqliteLandingStore& store, int from, int to, const std::string& first) {
    LandingBatch batch;
    batch.run = *store.BeginRun();
    for (int n = from; n < to; ++n) batch.users.push_back(Entry(MakeUser(uuid(n), first), 1000, "m"));
    batch.source_records = to - from;
    return store.Write(batch);
  };
  auto look_up_all = [&](int from, int to) {
    auto db = SqliteDb::Open(path_, SqliteDb::Mode::kReadOnly);
    ASSERT_TRUE(db.ok()) << db.status();
    for (int n = from; n < to; ++n) {
      const std::string lookup = fmt::format(
          "SELECT first_name FROM users WHERE row IN (SELECT row FROM user_keys_all WHERE uuid_key = uuid_key('{}'))",
          uuid(n));
      auto found = (*db)->Prepare(lookup);
      ASSERT_TRUE(found.ok()) << found.status();
      ASSERT_TRUE(found->Step().ValueOr(false)) << n;
      EXPECT_EQ(found->ColumnText(0), n < from + 5 ? "A" : "B") << n;
      EXPECT_FALSE(found->Step().ValueOr(true)) << n;
      found->Reset();
      auto plan = (*db)->Prepare("EXPLAIN QUERY PLAN " + lookup);
      ASSERT_TRUE(plan.ok()) << plan.status();
      while (plan->Step().ValueOr(false)) {  // the one row of user_keys_state aside
        const std::string_view step = plan->ColumnText(3);
        EXPECT_TRUE(!step.starts_with("SCAN") || step == "SCAN user_keys_state") << step;
      }
      plan->Reset();
    }
  };
  constexpr int kFirst = 20'010;
  auto counts = write(*store_, 0, kFirst, "A");
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, kFirst);
  // The first commit's slice is the whole key space: every key is in user_keys.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_keys"), kFirst);
  EXPECT_EQ(Count("SELECT indexed_below FROM user_keys_state"), kFirst + 1);

  // Some known (changed) and some new ones: a slice of sqrt(30 / 20,040) of the key space moves,
  // so most new keys stay in memory.
  counts = write(*store_, kFirst - 20, kFirst + 30, "B");
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->updated, 20);
  EXPECT_EQ(counts->inserted, 30);
  EXPECT_LT(Count("SELECT COUNT(*) FROM user_keys"), kFirst + 15);
  look_up_all(kFirst - 25, kFirst + 30);
  // Then all of them again, in a store opened anew.
  store_.reset();
  auto reopened = SqliteLandingStore::Open(path_, "users_created", "users_created.dlq");
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_keys"), kFirst + 30);
  counts = write(**reopened, kFirst - 20, kFirst + 30, "B");
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->unchanged, 50);
  EXPECT_EQ(counts->inserted, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records"), kFirst + 30);
  EXPECT_EQ(Count("SELECT COUNT(DISTINCT uuid_key) FROM user_records"), kFirst + 30);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM user_records r JOIN user_keys k ON k.row = r.rowid AND k.uuid_key = "
                  "r.uuid_key"),
            kFirst + 30);
  look_up_all(kFirst - 25, kFirst + 30);
}

}  // namespace
}  // namespace rtpipe
