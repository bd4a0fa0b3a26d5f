// PostgresLandingStore against a real PostgreSQL 15: the versioned schema, batched upserts by
// login.uuid (only where the bytes changed), rejects once by source key, the ingest state, the
// one-ingest lock, and a batch that survives a lost connection.

#include <gtest/gtest.h>

#include <stop_token>

#include "postgres_test_util.h"
#include "rtpipe/landing/postgres_landing_store.h"
#include "rtpipe/landing/postgres_schema.h"
#include "rtpipe/model/message.h"
#include "rtpipe/source/source.h"

namespace rtpipe::pg::testing {
namespace {

class PostgresLandingTest : public ::testing::Test {
 protected:
  PostgresLandingStore::Options Options() const {
    PostgresLandingStore::Options o;
    o.url = db_.url();
    o.slot = db_.slot();
    o.retry_window = std::chrono::seconds(20);
    return o;
  }
  std::unique_ptr<PostgresLandingStore> Open() {
    auto store = PostgresLandingStore::Open(Options());
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(*store) : nullptr;
  }
  // `n` generator users from `page` (pages of 200), parsed.
  struct Page {
    SourceBatch batch;
    std::vector<User> users;  // users[i] from batch.records[i]
  };
  Page Users(int page, int n) {
    Config c;
    c.source.results = 200;
    auto source = MakeSource(c.source, Clock::System());
    EXPECT_TRUE(source.ok());
    std::stop_source stop;
    auto b = (*source)->Fetch({"landing-test", page, 0}, n, stop.get_token());
    EXPECT_TRUE(b.ok()) << b.status();
    Page p{std::move(*b), {}};
    for (const SourceRecord& r : p.batch.records) {
      auto user = ParseUser(r.raw);
      EXPECT_TRUE(user.ok()) << user.status();
      p.users.push_back(user.ok() ? std::move(*user) : User{});
    }
    return p;
  }
  static LandingBatch Batch(const Page& page, RunId run) {
    const SourceBatch& b = page.batch;
    LandingBatch batch;
    batch.run = run;
    batch.next_position = b.next;
    batch.source_records = static_cast<int64_t>(b.records.size());
    for (size_t i = 0; i < b.records.size(); ++i) {
      const User& user = page.users[i];
      batch.users.push_back(LandingUserOf(user, b.records[i].raw, b.EventTime(i), MessageJson(ToMessage(user))));
    }
    return batch;
  }

  ScratchDatabase db_;
};

TEST_F(PostgresLandingTest, UpsertsByUuidOnlyWhereTheBytesChanged) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto run = store->BeginRun();
  ASSERT_TRUE(run.ok()) << run.status();
  auto state = store->LoadIngestState();
  ASSERT_TRUE(state.ok());
  EXPECT_FALSE(state->position.has_value());

  Page page1 = Users(1, 200);
  auto counts = store->Write(Batch(page1, *run));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 200);
  EXPECT_EQ(counts->updated + counts->unchanged + counts->rejected, 0);

  // The same page again changes nothing.
  counts = store->Write(Batch(page1, *run));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->unchanged, 200);
  EXPECT_EQ(counts->inserted + counts->updated, 0);

  // Ten people changed their e-mail; five new people.
  std::vector<User> changed;
  std::vector<std::string> changed_raw;
  changed.reserve(10);
  changed_raw.reserve(10);
  for (int i = 0; i < 10; ++i) {
    User u = page1.users[static_cast<size_t>(i)];
    u.email = fmt::format("changed{}@example.org", i);
    changed_raw.push_back(UserJson(u));
    changed.push_back(u);
  }
  LandingBatch mixed = Batch(page1, *run);
  for (size_t i = 0; i < 10; ++i) {
    mixed.users[i].user = &changed[i];
    mixed.users[i].raw = changed_raw[i];
  }
  Page page2 = Users(2, 5);
  LandingBatch extra = Batch(page2, *run);
  mixed.users.insert(mixed.users.end(), extra.users.begin(), extra.users.end());
  mixed.next_position = page2.batch.next;
  mixed.source_records += extra.source_records;
  counts = store->Write(mixed);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 5);
  EXPECT_EQ(counts->updated, 10);
  EXPECT_EQ(counts->unchanged, 190);

  auto conn = db_.Connect();
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryValue(*conn, "SELECT count(*) || '/' || sum(version) FROM users"), "205/215");
  const User& first = changed[0];
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT email FROM users WHERE uuid = '{}'", first.login.uuid)),
            "changed0@example.org");
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT raw FROM users WHERE uuid = '{}'", first.login.uuid)),
            changed_raw[0]);
  // Typed columns hold the record's fields.
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT first_name || '|' || city || '|' || street_number || '|' || nat "
                                          "|| '|' || dob_age FROM users WHERE uuid = '{}'",
                                          first.login.uuid)),
            fmt::format("{}|{}|{}|{}|{}", first.name.first, first.location.city, first.location.street_number,
                        first.nat, first.dob.age));
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT to_char(dob AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
                                          "FROM users WHERE uuid = '{}'",
                                          first.login.uuid)),
            first.dob.date);
  EXPECT_EQ(QueryValue(*conn, "SELECT count(*) FROM users WHERE raw::json->'login'->>'uuid' <> uuid"), "0");

  // The ingest state: position of the last batch, the record count as an absolute total, and the
  // number of published changes.
  EXPECT_EQ(QueryValue(*conn, "SELECT source_records || '/' || changes FROM ingest_state"),
            fmt::format("{}/{}", 200 + 200 + 205, 200 + 15));
  state = store->LoadIngestState();
  ASSERT_TRUE(state.ok());
  ASSERT_TRUE(state->position.has_value());
  EXPECT_EQ(state->position->page, page2.batch.next.page);
  EXPECT_EQ(state->source_records, 605);
}

TEST_F(PostgresLandingTest, RejectsAreRecordedOnceBySourceKeyAndDuplicatesLandTheLastRecord) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto run = store->BeginRun();
  ASSERT_TRUE(run.ok());
  Page page = Users(3, 3);
  LandingBatch batch = Batch(page, *run);
  // The same person twice in one batch, with different bytes: the last one lands.
  User again = page.users[0];
  again.phone = "000";
  std::string again_raw = UserJson(again);
  batch.users.push_back(LandingUserOf(again, again_raw, page.batch.EventTime(0), MessageJson(ToMessage(again))));
  for (int i = 0; i < 3; ++i) {
    batch.rejects.push_back({fmt::format("seed=x page=1 index={} #00", i), std::nullopt,
                             fmt::format(R"({{"reason":"malformed_json","n":{}}})", i), TimestampFromMillis(i)});
  }
  auto counts = store->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 3);
  EXPECT_EQ(counts->unchanged, 1);  // the earlier record of the duplicate
  EXPECT_EQ(counts->rejected, 3);
  counts = store->Write(batch);
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->rejected, 0) << "a reject already recorded is not recorded (or published) again";
  auto conn = db_.Connect();
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryValue(*conn, "SELECT count(*) FROM rejected_records"), "3");
  EXPECT_EQ(QueryValue(*conn, "SELECT dead_letter->>'n' FROM rejected_records ORDER BY source_key LIMIT 1"), "0");
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT phone FROM users WHERE uuid = '{}'", again.login.uuid)), "000");
}

TEST_F(PostgresLandingTest, AbsentFieldsAndBadDatesAreNullColumnsWithTheRawRecordKept) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto run = store->BeginRun();
  ASSERT_TRUE(run.ok());
  Page page = Users(4, 1);
  User u = page.users[0];
  u.present &= static_cast<uint16_t>(~static_cast<uint16_t>(UserField::kPicture));
  u.id.value.reset();
  u.registered.date = "not a date";
  u.location.street_name = "tab\there, back\\slash, line\nbreak\r and a long tail past eight bytes \\";
  std::string raw = UserJson(u);
  LandingBatch batch = Batch(page, *run);
  batch.users[0].user = &u;
  batch.users[0].raw = raw;
  ASSERT_TRUE(store->Write(batch).ok());
  auto conn = db_.Connect();
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryValue(*conn,
                       "SELECT (picture_medium IS NULL)::text || (id_value IS NULL)::text || "
                       "(registered IS NULL)::text || (registered_age IS NOT NULL)::text || (raw = " +
                           QuoteLiteral(raw) + ")::text FROM users"),
            "truetruetruetruetrue");
  EXPECT_EQ(QueryValue(*conn, "SELECT street_name FROM users"), u.location.street_name) << "COPY escaping";
}

TEST_F(PostgresLandingTest, TheSchemaIsVersionedAndMigrationIsIdempotent) {
  ASSERT_NE(Open(), nullptr);
  ASSERT_NE(Open(), nullptr) << "a second start on a migrated database";
  auto conn = db_.Connect();
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(QueryValue(*conn, "SELECT string_agg(version::text, ',') FROM rtpipe_schema_migrations"), "1");
  EXPECT_EQ(QueryValue(*conn, fmt::format("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '{}' AND "
                                          "plugin = 'pgoutput'",
                                          db_.slot())),
            "1")
      << "the landing store creates the slot, so no landed change predates it";
  ASSERT_TRUE(
      conn->Exec("INSERT INTO rtpipe_schema_migrations (version, description) VALUES (99, 'future')", "t").ok());
  auto store = PostgresLandingStore::Open(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("schema version 99, newer than this rtpipe"), std::string::npos)
      << store.status();
}

TEST_F(PostgresLandingTest, OneIngestPerDatabase) {
  auto first = Open();
  ASSERT_NE(first, nullptr);
  auto options = Options();
  options.retry_window = std::chrono::milliseconds(500);
  auto second = PostgresLandingStore::Open(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("another rtpipe ingest is landing into"), std::string::npos)
      << second.status();
  first.reset();
  EXPECT_NE(Open(), nullptr) << "the lock goes with the session";
}

TEST_F(PostgresLandingTest, ABatchSurvivesALostConnection) {
  auto store = Open();
  ASSERT_NE(store, nullptr);
  auto run = store->BeginRun();
  ASSERT_TRUE(run.ok());
  ASSERT_TRUE(store->Write(Batch(Users(5, 50), *run)).ok());
  auto admin = db_.Connect();
  ASSERT_NE(admin, nullptr);
  // What a server restart does to the session: the server ends it.
  EXPECT_EQ(QueryValue(*admin, fmt::format("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                           "datname = '{}' AND application_name = 'rtpipe-landing'",
                                           db_.name())),
            "1");
  auto counts = store->Write(Batch(Users(6, 50), *run));
  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_EQ(counts->inserted, 50);
  EXPECT_EQ(QueryValue(*admin, "SELECT count(*) || '/' || (SELECT source_records FROM ingest_state) FROM users"),
            "100/100");
}

}  // namespace
}  // namespace rtpipe::pg::testing
