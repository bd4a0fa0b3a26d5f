// The Cassandra sink against the real node (fixture "cassandra"): the tables it creates, users and
// aggregate rows read back equal to what was written, the checkpoint round trip, write timestamps
// that let replays converge without overwriting newer values, an unmeetable consistency level
// reported at start-up, a table left by the brief's own script upgraded in place, and `rtpipe query`
// running CQL.

#include <gtest/gtest.h>

#include <ostream>
#include <set>

#include "cassandra_test_util.h"
#include "rtpipe/sink/aggregate_tables.h"
#include "rtpipe/sink/cassandra/cassandra_schema.h"
#include "rtpipe/sink/query.h"
#include "rtpipe/sink/sink.h"

namespace rtpipe {

// Readable failures (GoogleTest finds it by ADL).
void PrintTo(const CreatedUser& u, std::ostream* os) {
  *os << fmt::format("{{{} {} {} {} {} {} {} {} dob={} reg={} {} {} age={} {} {} {} nat={} tenure={} t={}}}", u.id,
                     u.first_name, u.last_name, u.gender, u.address, u.post_code, u.email, u.username, u.dob,
                     u.registered_date, u.phone, u.picture, u.age, u.age_band, u.email_domain, u.country, u.nat,
                     u.tenure_days, FormatIso8601(u.event_time));
}

namespace {

using cql::CqlValue;

Config SinkConfigFor(const std::string& keyspace) {
  Config c;
  c.sink.url = fmt::format("cassandra://{}/{}", rtpipe::testing::RequiredEnv("RTPIPE_TEST_CASSANDRA"), keyspace);
  c.sink.keyspace = keyspace;
  return c;
}

std::unique_ptr<cql::CqlSession> Admin() { return cql::testing::ConnectOrFail(cql::testing::NodeOptions()); }

void DropKeyspace(cql::CqlSession& s, const std::string& keyspace) {
  auto dropped = s.Execute("DROP KEYSPACE IF EXISTS " + keyspace);
  ASSERT_TRUE(dropped.ok()) << dropped.status();
}

CreatedUser User(std::string id, std::string first, int64_t event_ms) {
  CreatedUser u;
  u.id = std::move(id);
  u.first_name = std::move(first);
  u.last_name = "Müller-Lüdenscheidt";
  u.gender = "female";
  u.address = "4172 Rue de l'Abbé-Grégoire, Créteil, Haute-Corse, France";
  u.post_code = "03914";
  u.email = "zoe.muller@example.com";
  u.username = "bluecat513";
  u.dob = "1987-04-02T11:32:20.417Z";
  u.registered_date = "2011-09-21T16:07:08.331Z";
  u.phone = "+0142233745";
  u.picture = "https://randomuser.me/api/portraits/med/women/57.jpg";
  u.age = 37;
  u.age_band = "35-44";
  u.email_domain = "example.com";
  u.country = "France";
  u.nat = "";  // "" when unknown: must come back as "", not null
  u.tenure_days = 4711;
  u.event_time = TimestampFromMillis(event_ms);
  return u;
}

Result<CreatedUser> ReadUser(cql::CqlSession& s, const std::string& keyspace, const std::string& id) {
  RTPIPE_ASSIGN_OR_RETURN(auto uuid, cql::Uuid::Parse(id));
  RTPIPE_ASSIGN_OR_RETURN(
      auto rows, s.Execute(fmt::format("SELECT id, first_name, last_name, gender, address, post_code, email, username, "
                                       "dob, registered_date, phone, picture, age, age_band, email_domain, country, "
                                       "nat, tenure_days, event_time FROM {}.created_users WHERE id = ?",
                                       keyspace),
                           {CqlValue::FromUuid(uuid)}));
  if (rows.size() != 1) return Status::NotFound("user {}: {} rows", id, rows.size());
  auto r = rows.row(0);
  CreatedUser u;
  RTPIPE_ASSIGN_OR_RETURN(auto read_id, r.Get<cql::Uuid>(0));
  u.id = read_id.ToString();
  size_t c = 1;
  for (std::string* f : {&u.first_name, &u.last_name, &u.gender, &u.address, &u.post_code, &u.email, &u.username,
                         &u.dob, &u.registered_date, &u.phone, &u.picture}) {
    RTPIPE_ASSIGN_OR_RETURN(*f, r.Get<std::string>(c++));
  }
  RTPIPE_ASSIGN_OR_RETURN(u.age, r.Get<int32_t>(c++));
  for (std::string* f : {&u.age_band, &u.email_domain, &u.country, &u.nat}) {
    RTPIPE_ASSIGN_OR_RETURN(*f, r.Get<std::string>(c++));
  }
  RTPIPE_ASSIGN_OR_RETURN(u.tenure_days, r.Get<int64_t>(c++));
  RTPIPE_ASSIGN_OR_RETURN(u.event_time, r.Get<Timestamp>(c++));
  return u;
}

struct StoredAggregate {
  int64_t users = 0;
  double avg_age = 0;
  int min_age = 0, max_age = 0;
  bool final = false;
  Timestamp window_end{};
};

Result<StoredAggregate> ReadCountryGender(cql::CqlSession& s, const std::string& keyspace, Timestamp start,
                                          const std::string& country, const std::string& gender) {
  RTPIPE_ASSIGN_OR_RETURN(
      auto rows,
      s.Execute(fmt::format("SELECT users, avg_age, min_age, max_age, final, window_end FROM "
                            "{}.users_by_country_gender WHERE window_start = ? AND country = ? AND gender = ?",
                            keyspace),
                {CqlValue::FromTimestamp(start), CqlValue::Text(country), CqlValue::Text(gender)}));
  if (rows.size() != 1) return Status::NotFound("{} rows", rows.size());
  auto r = rows.row(0);
  StoredAggregate a;
  RTPIPE_ASSIGN_OR_RETURN(a.users, r.Get<int64_t>(0));
  RTPIPE_ASSIGN_OR_RETURN(a.avg_age, r.Get<double>(1));
  RTPIPE_ASSIGN_OR_RETURN(a.min_age, r.Get<int32_t>(2));
  RTPIPE_ASSIGN_OR_RETURN(a.max_age, r.Get<int32_t>(3));
  RTPIPE_ASSIGN_OR_RETURN(a.final, r.Get<bool>(4));
  RTPIPE_ASSIGN_OR_RETURN(a.window_end, r.Get<Timestamp>(5));
  return a;
}

constexpr int64_t kT0 = 1'700'000'040'000;  // a minute boundary + 40 s

AggregateRow CountryGender(int64_t users, bool final, int min_age = 20, int max_age = 60) {
  AggregateRow row;
  row.definition = 0;  // users_by_country_gender
  row.window_start = TimestampFromMillis(1'700'000'040'000 - 40'000);
  row.window_end = TimestampFromMillis(1'700'000'040'000 + 20'000);
  row.dimensions = {"France", "female"};
  row.users = users;
  row.sum_age = users * 40;
  row.min_age = min_age;
  row.max_age = max_age;
  row.final = final;
  return row;
}

TEST(CassandraSinkTest, CreatesTheTablesAndReadsBackWhatItWrote) {
  const std::string ks = "rtpipe_sink_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  Config config = SinkConfigFor(ks);
  auto sink = OpenSink(config);
  ASSERT_TRUE(sink.ok()) << sink.status();

  // The layout: keys as documented, so `WHERE window_start = ?` and GROUP BY work.
  auto columns = admin->Execute(
      "SELECT table_name, column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ?",
      {CqlValue::Text(ks)});
  ASSERT_TRUE(columns.ok()) << columns.status();
  std::set<std::string> layout;
  for (size_t i = 0; i < columns->size(); ++i) {
    auto r = columns->row(i);
    layout.insert(fmt::format("{}.{} {} {} {}", *r.Get<std::string>(0), *r.Get<std::string>(1), *r.Get<std::string>(2),
                              *r.Get<int32_t>(3), *r.Get<std::string>(4)));
  }
  for (const char* expected :
       {"created_users.id partition_key 0 uuid", "created_users.dob regular -1 text",
        "created_users.tenure_days regular -1 bigint", "created_users.event_time regular -1 timestamp",
        "users_by_country_gender.window_start partition_key 0 timestamp",
        "users_by_country_gender.country clustering 0 text", "users_by_country_gender.gender clustering 1 text",
        "users_by_country_gender.avg_age regular -1 double", "users_by_country_gender.final regular -1 boolean",
        "new_users_per_minute_by_nat.nat clustering 0 text", "users_by_email_domain.users regular -1 bigint",
        "rtpipe_partition_checkpoints.consumer_group partition_key 0 text",
        "rtpipe_partition_checkpoints.partition clustering 1 int", "rtpipe_partition_checkpoints.state regular -1 blob",
        "rtpipe_window_partials.window_start partition_key 1 timestamp",
        "rtpipe_window_partials.partition clustering 1 int"}) {
    EXPECT_TRUE(layout.contains(expected)) << "missing column: " << expected;
  }
  EXPECT_EQ(layout.size(), 19u + 9u + 5u + 5u + 10u + 7u) << "unexpected extra columns";

  SinkBatch batch;
  batch.users = {User("7f1c6a5e-2d7b-4c1e-9a57-3f0e9b1d2c4a", "Zoé", kT0),
                 User("0a8e4f6b-1111-4c1e-9a57-3f0e9b1d2c4b", "Jörg", kT0 + 1)};
  batch.users[1].nat = "DE";
  batch.users[1].age = 17;
  AggregateRow nat;
  nat.definition = 1;  // new_users_per_minute_by_nat
  nat.window_start = TimestampFromMillis(kT0 - 40'000);
  nat.window_end = TimestampFromMillis(kT0 + 20'000);
  nat.dimensions = {"DE"};
  nat.users = 1;
  nat.sum_age = 17;
  nat.min_age = nat.max_age = 17;
  AggregateRow other = CountryGender(3, false);
  other.dimensions = {"Germany", "male"};
  batch.aggregates = {CountryGender(2, false, 17, 37), nat, other};
  batch.checkpoint[{"users_created", PartitionId(0)}] = {Offset(2), 2, {}, ""};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());

  for (const auto& u : batch.users) {
    auto stored = ReadUser(*admin, ks, u.id);
    ASSERT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(*stored, u) << u.id;
  }
  auto agg = ReadCountryGender(*admin, ks, batch.aggregates[0].window_start, "France", "female");
  ASSERT_TRUE(agg.ok()) << agg.status();
  EXPECT_EQ(agg->users, 2);
  EXPECT_DOUBLE_EQ(agg->avg_age, 40.0);
  EXPECT_EQ(agg->min_age, 17);
  EXPECT_EQ(agg->max_age, 37);
  EXPECT_FALSE(agg->final);
  EXPECT_EQ(agg->window_end, batch.aggregates[0].window_end);
  auto grouped = admin->Execute(fmt::format("SELECT window_start, SUM(users) FROM {}.users_by_country_gender "
                                            "WHERE window_start = ? GROUP BY window_start",
                                            ks),
                                {CqlValue::FromTimestamp(batch.aggregates[0].window_start)});
  ASSERT_TRUE(grouped.ok()) << grouped.status();
  ASSERT_EQ(grouped->size(), 1u);
  EXPECT_EQ(*grouped->row(0).Get<int64_t>(1), 5);
  auto by_nat = admin->Execute(fmt::format("SELECT users FROM {}.new_users_per_minute_by_nat WHERE window_start = ? "
                                           "AND nat = 'DE'",
                                           ks),
                               {CqlValue::FromTimestamp(nat.window_start)});
  ASSERT_TRUE(by_nat.ok()) << by_nat.status();
  ASSERT_EQ(by_nat->size(), 1u);
  EXPECT_EQ(*by_nat->row(0).Get<int64_t>(0), 1);

  // Opening again on the existing schema changes nothing and finds the data.
  sink->reset();
  auto again = OpenSink(config);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*cql::testing::CountRows(*admin, ks + ".created_users"), 2);
}

TEST(CassandraSinkTest, CheckpointRoundTripPerPartitionNeverBackwards) {
  const std::string ks = "rtpipe_sink_ckpt_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  auto sink = OpenSink(SinkConfigFor(ks));
  ASSERT_TRUE(sink.ok()) << sink.status();
  auto none = (*sink)->LoadCheckpoint("g");
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());

  const TopicPartition p0{"users_created", PartitionId(0)}, p1{"users_created", PartitionId(1)},
      p3{"users_created", PartitionId(3)};
  SinkBatch a;
  a.checkpoint[p0] = {Offset(10),
                      10,
                      {{{"users_created.dlq", PartitionId(0)}, Offset(4)}},
                      std::string("{\"version\":2}\0\xff binary", 22)};
  a.checkpoint[p3] = {Offset(7), 7, {}, "three"};
  ASSERT_TRUE((*sink)->Write("g", a).ok());
  auto loaded = (*sink)->LoadCheckpoint("g");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, a.checkpoint);

  SinkBatch b;  // partition 0 moves on, partition 1 appears; partition 3 is not in this batch
  b.checkpoint[p0] = {Offset(25), 25, {}, "later"};
  b.checkpoint[p1] = {Offset(5), 5, {}, ""};
  ASSERT_TRUE((*sink)->Write("g", b).ok());
  ASSERT_TRUE((*sink)->Write("other", a).ok());
  // A processor that lost partition 0 writes late: its lower offset must not win.
  SinkBatch stale;
  stale.checkpoint[p0] = {Offset(20), 20, {}, "stale"};
  ASSERT_TRUE((*sink)->Write("g", stale).ok());
  // A fresh instance (a restarted process) reads the newest checkpoint of each partition.
  sink->reset();
  auto reopened = OpenSink(SinkConfigFor(ks));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  loaded = (*reopened)->LoadCheckpoint("g");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ(loaded->at(p0), b.checkpoint[p0]);
  EXPECT_EQ(loaded->at(p1), b.checkpoint[p1]);
  EXPECT_EQ(loaded->at(p3), a.checkpoint[p3]);
  loaded = (*reopened)->LoadCheckpoint("other");
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded, a.checkpoint);
  // The same offset written again (e.g. a flush at stop) by the same process: the later one wins.
  b.checkpoint[p0].state = "flushed";
  ASSERT_TRUE((*reopened)->Write("g", b).ok());
  EXPECT_EQ((*reopened)->LoadCheckpoint("g")->at(p0).state, "flushed");
}

TEST(CassandraSinkTest, AggregateRowsAreTheSumOfThePartitionsValues) {
  const std::string ks = "rtpipe_sink_partials_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  auto sink = OpenSink(SinkConfigFor(ks));
  ASSERT_TRUE(sink.ok()) << sink.status();
  AggregateRow p0 = CountryGender(2, false, 30, 31);  // partition 0's value
  p0.sum_age = 61;
  SinkBatch first;
  first.aggregates = {p0};
  ASSERT_TRUE((*sink)->Write("g", first).ok());
  // Another processor writes partition 3's value of the same window; then partition 0 moves on.
  AggregateRow p3 = CountryGender(1, true, 50, 50);
  p3.partition = 3;
  p3.sum_age = 50;
  SinkBatch second;
  second.aggregates = {p3};
  ASSERT_TRUE((*sink)->Write("g", second).ok());
  p0.users = 3;
  p0.sum_age = 91;
  p0.final = true;
  first.aggregates = {p0};
  ASSERT_TRUE((*sink)->Write("g", first).ok());
  auto agg = ReadCountryGender(*admin, ks, p0.window_start, "France", "female");
  ASSERT_TRUE(agg.ok()) << agg.status();
  EXPECT_EQ(agg->users, 4);
  EXPECT_DOUBLE_EQ(agg->avg_age, 141.0 / 4);
  EXPECT_EQ(agg->min_age, 30);
  EXPECT_EQ(agg->max_age, 50);
  EXPECT_TRUE(agg->final);
}

TEST(CassandraSinkTest, ReplaysConvergeAndNeverOverwriteNewerValues) {
  const std::string ks = "rtpipe_sink_ts_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  auto sink = OpenSink(SinkConfigFor(ks));
  ASSERT_TRUE(sink.ok()) << sink.status();
  const std::string id = "11111111-2222-4333-8444-555555555555";
  CreatedUser v1 = User(id, "Old", kT0), v2 = User(id, "New", kT0 + 60'000);
  v2.email = "new@example.org";

  SinkBatch newer;
  newer.users = {v2};
  newer.aggregates = {CountryGender(10, true)};
  ASSERT_TRUE((*sink)->Write("g", newer).ok());
  // A replay of older input: the earlier version of the person, the window's earlier early value.
  SinkBatch older;
  older.users = {v1};
  older.aggregates = {CountryGender(7, false, 25, 50)};
  ASSERT_TRUE((*sink)->Write("g", older).ok());
  auto stored = ReadUser(*admin, ks, id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, v2) << "an older version overwrote a newer one";
  auto agg = ReadCountryGender(*admin, ks, CountryGender(0, false).window_start, "France", "female");
  ASSERT_TRUE(agg.ok()) << agg.status();
  EXPECT_EQ(agg->users, 10);
  EXPECT_TRUE(agg->final);
  EXPECT_EQ(agg->min_age, 20);
  // The same final value again (a replay past the window's end) is a no-op; a fresh person in one
  // batch together with an older copy of itself ends up as the newest.
  const std::string id2 = "21111111-2222-4333-8444-555555555555";
  SinkBatch both;
  both.users = {User(id2, "First", kT0), User(id2, "Second", kT0 + 5)};
  both.aggregates = {CountryGender(10, true)};
  ASSERT_TRUE((*sink)->Write("g", both).ok());
  EXPECT_EQ(ReadUser(*admin, ks, id2)->first_name, "Second");
  EXPECT_EQ(ReadCountryGender(*admin, ks, CountryGender(0, false).window_start, "France", "female")->users, 10);
  // Timestamps are what the sink documents: event time, window start + 2 * users + final.
  auto wt = admin->Execute(fmt::format("SELECT WRITETIME(first_name) FROM {}.created_users WHERE id = {}", ks, id));
  ASSERT_TRUE(wt.ok()) << wt.status();
  EXPECT_EQ(*wt->row(0).Get<int64_t>(0), (kT0 + 60'000) * 1000);
}

TEST(CassandraSinkTest, AConsistencyTheClusterCannotMeetFailsAtStartUpSayingSo) {
  const std::string ks = "rtpipe_sink_rf3_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  Config config = SinkConfigFor(ks);
  config.sink.replication = "{'class': 'SimpleStrategy', 'replication_factor': 3}";
  auto sink = OpenSink(config);
  ASSERT_FALSE(sink.ok()) << "LOCAL_QUORUM of 3 replicas on a single node must not be met";
  EXPECT_EQ(sink.status().code(), StatusCode::kFailedPrecondition) << sink.status();
  for (const char* part : {"sink.consistency = LOCAL_QUORUM", "rtpipe_sink_rf3_it", "replication_factor",
                           "never lowers", "Cannot achieve consistency level LOCAL_QUORUM"}) {
    EXPECT_NE(sink.status().message().find(part), std::string::npos) << part << " not in: " << sink.status();
  }
  // A level the node can meet works on the same keyspace.
  config.sink.consistency = "ONE";
  config.sink.url += "?consistency=ONE";  // the URL may repeat it
  sink = OpenSink(config);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  batch.users = {User("31111111-2222-4333-8444-555555555555", "One", kT0)};
  EXPECT_TRUE((*sink)->Write("g", batch).ok());
}

TEST(CassandraSinkTest, ATableFromTheBriefsScriptGainsTheNewColumnsAndAConflictingOneIsRefused) {
  const std::string ks = "rtpipe_sink_brief_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  ASSERT_TRUE(cql::testing::CreateKeyspace(*admin, ks).ok());
  // The brief's spark_stream.py table.
  ASSERT_TRUE(admin
                  ->Execute("CREATE TABLE " + ks +
                            ".created_users (id UUID PRIMARY KEY, first_name TEXT, last_name TEXT, gender TEXT, "
                            "address TEXT, post_code TEXT, email TEXT, username TEXT, registered_date TEXT, "
                            "phone TEXT, picture TEXT)")
                  .ok());
  ASSERT_TRUE(admin
                  ->Execute("INSERT INTO " + ks +
                            ".created_users (id, first_name) VALUES (41111111-2222-4333-8444-555555555555, 'Earlier')")
                  .ok());
  auto sink = OpenSink(SinkConfigFor(ks));
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  batch.users = {User("51111111-2222-4333-8444-555555555555", "Now", kT0)};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());
  auto stored = ReadUser(*admin, ks, batch.users[0].id);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(*stored, batch.users[0]);
  EXPECT_EQ(*cql::testing::CountRows(*admin, ks + ".created_users"), 2) << "the earlier row is kept";

  const std::string bad = "rtpipe_sink_bad_it";
  DropKeyspace(*admin, bad);
  ASSERT_TRUE(cql::testing::CreateKeyspace(*admin, bad).ok());
  ASSERT_TRUE(admin->Execute("CREATE TABLE " + bad + ".created_users (id text PRIMARY KEY, first_name text)").ok());
  auto refused = OpenSink(SinkConfigFor(bad));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.status().message().find("exists with primary key (partition_key:id text)"), std::string::npos)
      << refused.status();
}

TEST(CassandraSinkTest, KeyspaceInTheUrlMustAgreeWithSinkKeyspace) {
  Config config = SinkConfigFor("rtpipe_sink_it");
  config.sink.keyspace = "spark_streams";
  auto sink = OpenSink(config);
  ASSERT_FALSE(sink.ok());
  EXPECT_NE(sink.status().message().find("sink.url"), std::string::npos) << sink.status();
  EXPECT_NE(sink.status().message().find("sink.keyspace = \"spark_streams\""), std::string::npos) << sink.status();
}

TEST(CassandraSinkTest, QueryRunsCql) {
  const std::string ks = "rtpipe_sink_query_it";
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  DropKeyspace(*admin, ks);
  Config config = SinkConfigFor(ks);
  auto sink = OpenSink(config);
  ASSERT_TRUE(sink.ok()) << sink.status();
  SinkBatch batch;
  for (int i = 0; i < 7; ++i) {
    batch.users.push_back(User(fmt::format("{:08x}-2222-4333-8444-555555555555", i), "U" + std::to_string(i), kT0 + i));
  }
  batch.aggregates = {CountryGender(7, true)};
  ASSERT_TRUE((*sink)->Write("g", batch).ok());

  auto count = RunQuery(config, "SELECT COUNT(*) FROM " + ks + ".created_users");
  ASSERT_TRUE(count.ok()) << count.status();
  ASSERT_EQ(count->columns, std::vector<std::string>{"count"});
  ASSERT_EQ(count->rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(count->rows[0][0]), 7);

  // Unqualified names resolve in sink.keyspace; every type comes back as QueryValue.
  auto row = RunQuery(config,
                      "select id, first_name, age, tenure_days, event_time, nat FROM created_users WHERE id = "
                      "00000003-2222-4333-8444-555555555555");
  ASSERT_TRUE(row.ok()) << row.status();
  ASSERT_EQ(row->rows.size(), 1u);
  const auto& v = row->rows[0];
  EXPECT_EQ(std::get<std::string>(v[0]), "00000003-2222-4333-8444-555555555555");
  EXPECT_EQ(std::get<std::string>(v[1]), "U3");
  EXPECT_EQ(std::get<int64_t>(v[2]), 37);
  EXPECT_EQ(std::get<int64_t>(v[3]), 4711);
  EXPECT_EQ(std::get<std::string>(v[4]), FormatIso8601(TimestampFromMillis(kT0 + 3)));
  EXPECT_EQ(std::get<std::string>(v[5]), "");
  auto agg = RunQuery(config, "SELECT users, avg_age, final FROM users_by_country_gender");
  ASSERT_TRUE(agg.ok()) << agg.status();
  ASSERT_EQ(agg->rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(agg->rows[0][0]), 7);
  EXPECT_DOUBLE_EQ(std::get<double>(agg->rows[0][1]), 40.0);
  EXPECT_EQ(std::get<int64_t>(agg->rows[0][2]), 1);

  auto write = RunQuery(config, "DELETE FROM created_users WHERE id = 00000003-2222-4333-8444-555555555555");
  ASSERT_FALSE(write.ok());
  EXPECT_NE(write.status().message().find("SELECT"), std::string::npos) << write.status();
  auto syntax = RunQuery(config, "SELECT nope FROM created_users");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("nope"), std::string::npos) << syntax.status();
}

}  // namespace
}  // namespace rtpipe
