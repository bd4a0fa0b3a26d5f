#include "rtpipe/sink/sqlite_sink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/sink/query.h"

namespace rtpipe {
namespace {

class SqliteSinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_sink_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    config_.sink.url = "sqlite:" + (dir_ / "analytics.db").string();
    config_.landing.url = "sqlite:" + (dir_ / "landing.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static CreatedUser Row(const std::string& id, const std::string& first) {
    CreatedUser u;
    u.id = id;
    u.first_name = first;
    u.last_name = "Nichols";
    u.gender = "female";
    u.address = "1 Main St, Billings, Michigan, United States";
    u.post_code = "63104";
    u.email = "x@example.com";
    u.username = "u";
    u.dob = "1992-03-08T15:13:16.688Z";
    u.registered_date = "2007-07-09T05:51:59.390Z";
    u.phone = "123";
    u.picture = "p";
    u.age = 34;
    u.age_band = "25-34";
    u.email_domain = "example.com";
    u.country = "United States";
    u.nat = "US";
    u.tenure_days = 10;
    u.event_time = TimestampFromMillis(1'767'225'600'000);
    return u;
  }

  static constexpr const char* kCanonical = "0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90";

  // Makes the users table as older rtpipes did: `id` declared as given, then the other columns, each
  // with `constraint`, then `more`. It holds Ann (kCanonical, 30) and Bob ("b", 40), keyed if it has
  // `id_key`.
  void MakeOldUsersTable(const std::string& id, const std::string& more, const std::string& constraint = " NOT NULL") {
    auto db = SqliteDb::Open((dir_ / "analytics.db").string(), SqliteDb::Mode::kReadWriteCreate);
    ASSERT_TRUE(db.ok()) << db.status();
    std::string columns;
    for (const char* column :
         {"first_name TEXT", "last_name TEXT", "gender TEXT", "address TEXT", "post_code TEXT", "email TEXT",
          "username TEXT", "dob TEXT", "registered_date TEXT", "phone TEXT", "picture TEXT", "age INTEGER",
          "age_band TEXT", "email_domain TEXT", "country TEXT", "nat TEXT", "tenure_days INTEGER", "event_time TEXT"}) {
      columns += std::string(", ") + column + constraint;
    }
    std::string sql =
        "CREATE TABLE created_users (id " + id + columns + more +
        "); INSERT INTO created_users (id, first_name, last_name, gender, address, post_code, email, username, dob, "
        "registered_date, phone, picture, age, age_band, email_domain, country, nat, tenure_days, event_time) "
        "VALUES ('" +
        std::string(kCanonical) +
        "', 'Ann', 'N', 'female', 'a', '1', 'e', 'u', 'd', 'r', 'p', 'pic', 30, '25-34', 'example.com', 'Norway', "
        "'NO', 5, 't'), ('b', 'Bob', 'N', 'male', 'a', '1', 'e', 'u', 'd', 'r', 'p', 'pic', 40, '35-44', "
        "'example.com', 'Norway', 'NO', 5, 't')";
    if (!more.empty()) sql += "; UPDATE created_users SET id_key = uuid_key(id)";
    ASSERT_TRUE((*db)->Exec(sql).ok());
  }

  // Opens the store (which migrates an old table) and writes an update of Ann's row and a new one.
  void WriteAnneAndCy() {
    auto sink = OpenSink(config_);
    ASSERT_TRUE(sink.ok()) << sink.status();
    SinkBatch batch;
    batch.users = {Row(kCanonical, "Anne"), Row("c", "Cy")};
    ASSERT_TRUE((*sink)->Write("g", batch).ok());
  }

  // The WHERE clause that finds a row by its key through the key index (README.md).
  static std::string ByKey(const std::string& key) {
    return "WHERE rowid IN (SELECT row FROM spark_streams.created_users_keys_all WHERE id_key = " + key + ")";
  }

  std::filesystem::path dir_;
  Config config_;
};

TEST_F(SqliteSinkTest, UpsertsByIdAndStoresEachPartitionsCheckpointWithTheRows) {
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  EXPECT_TRUE((*sink)->LoadCheckpoint("g").value().empty());

  const TopicPartition p0{"users_created", PartitionId(0)}, p1{"users_created", PartitionId(1)};
  SinkBatch first;
  first.users = {Row("a", "Ann"), Row("b", "Bob")};
  first.checkpoint[p0] = {Offset(2), 2, {{{"users_created.dlq", PartitionId(0)}, Offset(7)}}, std::string("s\0b", 3)};
  first.checkpoint[p1] = {Offset(1), 1, {}, ""};
  ASSERT_TRUE((*sink)->Write("g", first).ok());

  SinkBatch again;  // a replay of "a" with a changed value, and a new row; only partition 0 moves
  again.users = {Row("a", "Anne"), Row("c", "Cid")};
  again.checkpoint[p0] = {Offset(4), 4, {}, "later"};
  ASSERT_TRUE((*sink)->Write("g", again).ok());

  SinkBatch stale;  // a processor that lost partition 0 writes late: its checkpoint must not go back
  stale.checkpoint[p0] = {Offset(3), 3, {}, "stale"};
  ASSERT_TRUE((*sink)->Write("g", stale).ok());

  auto checkpoint = (*sink)->LoadCheckpoint("g");
  ASSERT_TRUE(checkpoint.ok());
  ASSERT_EQ(checkpoint->size(), 2u);
  EXPECT_EQ(checkpoint->at(p0), (PartitionCheckpoint{Offset(4), 4, {}, "later"}));
  EXPECT_EQ(checkpoint->at(p1), first.checkpoint[p1]);
  EXPECT_TRUE((*sink)->LoadCheckpoint("other group").value().empty());

  auto result = RunQuery(config_, "SELECT id, first_name FROM spark_streams.created_users ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "Anne");
  EXPECT_EQ(result->columns, (std::vector<std::string>{"id", "first_name"}));

  SinkBatch binary;  // the first checkpoint's state had a NUL byte: stored as bytes, read back whole
  binary.checkpoint[p1] = {Offset(5), 5, {}, std::string("a\0b\0", 4)};
  ASSERT_TRUE((*sink)->Write("g", binary).ok());
  EXPECT_EQ((*sink)->LoadCheckpoint("g")->at(p1).state, std::string("a\0b\0", 4));
}

// Rows are written in key order (cheaper B-tree work); of one id's rows in a batch the last wins.
TEST_F(SqliteSinkTest, OfOneIdsRowsInABatchTheLastWins) {
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  batch.users = {Row("c", "Cid"), Row("a", "Ann"), Row("b", "Bob"), Row("a", "Anne"), Row("a", "Annie")};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  auto result = RunQuery(config_, "SELECT id, first_name FROM spark_streams.created_users ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "Annie");
  EXPECT_EQ(std::get<std::string>(result->rows[1][1]), "Bob");
  EXPECT_EQ(std::get<std::string>(result->rows[2][1]), "Cid");
}

// Rows go to SQLite 50 to a statement (the last few one by one), with the same result as one by
// one: of one id's rows the last wins, also where they fall in two statements, and each row keeps
// its own values.
TEST_F(SqliteSinkTest, ManyRowsAreWrittenAsOneByOne) {
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  std::map<std::string, std::pair<std::string, int64_t>> expected;  // id -> (first name, event time)
  auto add = [&](int n, const std::string& first, int64_t event_ms) {
    CreatedUser u = Row(fmt::format("id-{:03}", n), first);
    u.event_time = TimestampFromMillis(event_ms);
    expected[u.id] = {first, event_ms};
    batch.users.push_back(std::move(u));
  };
  for (int i = 0; i < 100; ++i) add(i, fmt::format("first-{}", i), 1'767'225'600'000 + i);
  // In key order id-016's three rows are 16-18 (one statement), id-047's 49-51 (two statements),
  // id-099's 104-106 (the rows left over, one by one).
  for (int n : {16, 47, 99}) {
    add(n, "again", 1'767'225'700'000 + n);
    add(n, fmt::format("last-{}", n), 1'767'225'800'000 + n);
  }
  ASSERT_EQ(batch.users.size(), 106u);
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  auto result = RunQuery(config_, "SELECT id, first_name, event_time FROM spark_streams.created_users ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 100u);
  for (const auto& row : result->rows) {
    const auto& id = std::get<std::string>(row[0]);
    EXPECT_EQ(std::get<std::string>(row[1]), expected.at(id).first) << id;
    EXPECT_EQ(std::get<std::string>(row[2]), FormatIso8601(TimestampFromMillis(expected.at(id).second))) << id;
  }
  EXPECT_EQ(expected.at("id-047").first, "last-47");
}

// The rows are found by id_key = uuid_key(id): 16 bytes for a canonical UUID, in the key tables. A
// query finds a row by it through their indexes, as README.md says, and shows it as the literal that
// stands for it.
TEST_F(SqliteSinkTest, ACanonicalIdIsKeyedByItsSixteenBytes) {
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  batch.users = {Row("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90", "Una"), Row("not-a-uuid", "Nat")};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  auto result = RunQuery(config_, "SELECT first_name, id_key, typeof(id_key) FROM spark_streams.created_users " +
                                      ByKey("uuid_key('0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90')"));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "Una");
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "x'0b7d7f4e4c1f4a259c7e2f3b1a6d8e90'");
  EXPECT_EQ(std::get<std::string>(result->rows[0][2]), "blob");
  result = RunQuery(config_, "SELECT x'00ff0010', uuid_key('00000000-0000-4000-8000-000000000000')");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "x'00ff0010'");
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "x'00000000000040008000000000000000'");
  result = RunQuery(config_, "SELECT first_name FROM spark_streams.created_users " + ByKey("'not-a-uuid'"));
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "Nat");
}

// Of many users, each commit keeps the new keys in memory and moves those of a slice of the key
// space into created_users_keys. A store opened anew (which indexes the rest, and makes its filter
// of keys anew) still finds every user: a known one's row is updated, a new one gets a row, and the
// documented look-up by key reads the indexes only.
TEST_F(SqliteSinkTest, KeysIndexedInSlicesStillFindTheirUsers) {
  constexpr int kUsers = 20'010;
  // UUIDs spread over the key space, as random ones are.
  auto id = [](int n) {
    return fmt::format("{:08x}-0000-4000-8000-{:012}", static_cast<uint32_t>(n * 2654435761u), n);
  };
  auto count = [&](const std::string& table) {
    auto result = RunQuery(config_, "SELECT COUNT(*) FROM spark_streams." + table);
    EXPECT_TRUE(result.ok()) << result.status();
    return result.ok() ? std::get<int64_t>(result->rows[0][0]) : -1;
  };
  {
    auto sink = OpenSink(config_);
    ASSERT_TRUE(sink.ok()) << sink.status();
    for (int from = 0; from < kUsers; from += 5'000) {
      SinkBatch batch;
      for (int n = from; n < std::min(kUsers, from + 5'000); ++n) batch.users.push_back(Row(id(n), "first"));
      ASSERT_TRUE((*sink)->Write("g", batch).ok());
    }
    EXPECT_LT(count("created_users_keys"), kUsers);  // the rest in memory
    EXPECT_EQ(count("created_users_keys_all"), kUsers);
  }
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;  // a new user, then known ones, one of them twice
  batch.users = {Row(id(kUsers), "new"), Row(id(7), "changed"), Row(id(19'999), "once"), Row(id(19'999), "twice")};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  batch.users = {Row(id(kUsers), "new again")};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  EXPECT_EQ(count("created_users"), kUsers + 1);
  EXPECT_EQ(count("created_users_keys_all"), kUsers + 1);
  auto distinct = RunQuery(config_, "SELECT COUNT(DISTINCT id_key) FROM spark_streams.created_users");
  ASSERT_TRUE(distinct.ok()) << distinct.status();
  EXPECT_EQ(std::get<int64_t>(distinct->rows[0][0]), kUsers + 1);
  std::map<int, std::string> expected = {{7, "changed"}, {19'999, "twice"}, {kUsers, "new again"}};
  for (int n = 0; n < 100; ++n) expected.emplace(n, "first");
  for (const auto& [n, first_name] : expected) {
    const std::string where = ByKey("uuid_key('" + id(n) + "')");
    auto row = RunQuery(config_, "SELECT first_name FROM spark_streams.created_users " + where);
    ASSERT_TRUE(row.ok()) << row.status();
    ASSERT_EQ(row->rows.size(), 1u) << n;
    EXPECT_EQ(std::get<std::string>(row->rows[0][0]), first_name) << n;
    auto plan = RunQuery(config_, "EXPLAIN QUERY PLAN SELECT first_name FROM spark_streams.created_users " + where);
    ASSERT_TRUE(plan.ok()) << plan.status();
    for (const auto& line : plan->rows) {  // the one row of created_users_keys_state aside
      const auto& step = std::get<std::string>(line.back());
      EXPECT_TRUE(!step.starts_with("SCAN") || step == "SCAN created_users_keys_state") << step;
    }
  }
}

// A table written before it had id_key (keyed by the id's text) is rebuilt with it when the store
// opens, keeping its rows; upserts then find them.
TEST_F(SqliteSinkTest, ATableKeyedByTheIdsTextIsMigrated) {
  const std::string canonical = kCanonical;
  MakeOldUsersTable("TEXT PRIMARY KEY", "");
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;  // an update of the first row
  batch.users = {Row(canonical, "Anne")};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  auto result =
      RunQuery(config_, "SELECT id, first_name, age, hex(id_key) FROM spark_streams.created_users ORDER BY id_key");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "b");  // TEXT orders before BLOB
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "Bob");
  EXPECT_EQ(std::get<int64_t>(result->rows[0][2]), 40);
  EXPECT_EQ(std::get<std::string>(result->rows[1][0]), canonical);
  EXPECT_EQ(std::get<std::string>(result->rows[1][1]), "Anne");
  EXPECT_EQ(std::get<std::string>(result->rows[1][3]), "0B7D7F4E4C1F4A259C7E2F3B1A6D8E90");
  auto leftover = RunQuery(config_, "SELECT COUNT(*) FROM spark_streams.sqlite_master WHERE name LIKE '%rebuilt%'");
  ASSERT_TRUE(leftover.ok()) << leftover.status();
  EXPECT_EQ(std::get<int64_t>(leftover->rows[0][0]), 0);
}

// The users table has no NOT NULL column (sqlite_sink.cc CreateSchema: SQLite would run each upsert
// of many rows with a statement journal). One made with them is rebuilt without them when the store
// opens, keeping its rows and keys; upserts then find them.
TEST_F(SqliteSinkTest, ATableWithNotNullColumnsIsRebuiltWithoutThem) {
  const std::string canonical = kCanonical;
  MakeOldUsersTable("TEXT NOT NULL", ", id_key BLOB PRIMARY KEY");
  WriteAnneAndCy();
  auto result = RunQuery(config_, "SELECT id, first_name, age FROM spark_streams.created_users ORDER BY id");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), canonical);
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "Anne");
  EXPECT_EQ(std::get<int64_t>(result->rows[0][2]), 34);
  EXPECT_EQ(std::get<std::string>(result->rows[1][0]), "b");
  EXPECT_EQ(std::get<std::string>(result->rows[1][1]), "Bob");
  EXPECT_EQ(std::get<int64_t>(result->rows[1][2]), 40);
  EXPECT_EQ(std::get<std::string>(result->rows[2][0]), "c");
  auto not_null =
      RunQuery(config_, "SELECT COUNT(*) FROM pragma_table_info('created_users', 'spark_streams') WHERE \"notnull\"");
  ASSERT_TRUE(not_null.ok()) << not_null.status();
  EXPECT_EQ(std::get<int64_t>(not_null->rows[0][0]), 0);
  auto leftover = RunQuery(config_, "SELECT COUNT(*) FROM spark_streams.sqlite_master WHERE name LIKE '%rebuilt%'");
  ASSERT_TRUE(leftover.ok()) << leftover.status();
  EXPECT_EQ(std::get<int64_t>(leftover->rows[0][0]), 0);
}

// A table keyed by id_key itself, as rtpipe made it before its keys had a table of their own, is
// rebuilt when the store opens: its rows keep their rowids, and their keys go to created_users_keys.
TEST_F(SqliteSinkTest, ATableKeyedByIdKeyIsRebuiltWithItsKeysInATableOfTheirOwn) {
  const std::string canonical = kCanonical;
  MakeOldUsersTable("TEXT", ", id_key BLOB PRIMARY KEY", "");
  WriteAnneAndCy();
  auto result = RunQuery(config_, "SELECT rowid, id, first_name FROM spark_streams.created_users ORDER BY rowid");
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(result->rows[0], (std::vector<QueryValue>{int64_t{1}, canonical, std::string("Anne")}));
  EXPECT_EQ(result->rows[1], (std::vector<QueryValue>{int64_t{2}, std::string("b"), std::string("Bob")}));
  EXPECT_EQ(result->rows[2], (std::vector<QueryValue>{int64_t{3}, std::string("c"), std::string("Cy")}));
  auto keys = RunQuery(config_,
                       "SELECT row, k.id_key = uuid_key(id) FROM spark_streams.created_users_keys k JOIN "
                       "spark_streams.created_users u ON u.rowid = row ORDER BY row");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->rows.size(), 3u);
  for (int64_t row = 1; row <= 3; ++row) {
    EXPECT_EQ(keys->rows[row - 1], (std::vector<QueryValue>{row, int64_t{1}}));
  }
  auto indexed = RunQuery(config_, "SELECT COUNT(*) FROM pragma_index_list('created_users', 'spark_streams')");
  ASSERT_TRUE(indexed.ok()) << indexed.status();
  EXPECT_EQ(std::get<int64_t>(indexed->rows[0][0]), 0);
}

TEST_F(SqliteSinkTest, AggregateRowsAreTheSumOfThePartitionsValues) {
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok()) << sink.status();
  AggregateRow row;
  row.definition = 0;  // users_by_country_gender
  row.partition = 0;
  row.window_start = TimestampFromMillis(1'767'225'600'000);
  row.window_end = TimestampFromMillis(1'767'225'660'000);
  row.dimensions = {"Spain", "male"};
  row.users = 2;
  row.sum_age = 61;
  row.min_age = 30;
  row.max_age = 31;
  SinkBatch batch;
  batch.aggregates = {row};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  AggregateRow other = row;  // another partition's value of the same window (perhaps another processor's)
  other.partition = 3;
  other.users = 1;
  other.sum_age = 50;
  other.min_age = 50;
  other.max_age = 50;
  other.final = true;
  row.users = 3;  // a later full value of partition 0 replaces its earlier one
  row.sum_age = 91;
  row.final = true;
  batch.aggregates = {row, other};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());

  auto result = RunQuery(config_, "SELECT * FROM spark_streams.users_by_country_gender ORDER BY 1, 2, 3");
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->columns, (std::vector<std::string>{"window_start", "country", "gender", "window_end", "users",
                                                       "avg_age", "min_age", "max_age", "final"}));
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(std::get<int64_t>(result->rows[0][4]), 4);
  EXPECT_DOUBLE_EQ(std::get<double>(result->rows[0][5]), 141.0 / 4);
  EXPECT_EQ(std::get<int64_t>(result->rows[0][6]), 30);
  EXPECT_EQ(std::get<int64_t>(result->rows[0][7]), 50);
  EXPECT_EQ(std::get<int64_t>(result->rows[0][8]), 1);
  auto tables = RunQuery(config_, "SELECT name FROM spark_streams.sqlite_master WHERE type = 'table' ORDER BY name");
  ASSERT_TRUE(tables.ok());
  std::vector<std::string> names;
  for (const auto& r : tables->rows) names.push_back(std::get<std::string>(r[0]));
  for (const char* t :
       {"created_users", "new_users_per_minute_by_nat", "users_by_country_gender", "users_by_email_domain"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), t), names.end()) << t;
  }
}

TEST_F(SqliteSinkTest, QueryIsReadOnlyAndNamesMissingStore) {
  auto missing = RunQuery(config_, "SELECT 1");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  auto sink = OpenSink(config_);
  ASSERT_TRUE(sink.ok());
  auto write = RunQuery(config_, "DELETE FROM spark_streams.created_users");
  EXPECT_FALSE(write.ok());
  auto bad = RunQuery(config_, "SELECT nope FROM spark_streams.created_users");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("no such column"), std::string::npos) << bad.status();
}

}  // namespace
}  // namespace rtpipe
