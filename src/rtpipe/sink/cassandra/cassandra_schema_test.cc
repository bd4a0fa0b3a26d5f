#include "rtpipe/sink/cassandra/cassandra_schema.h"

#include <gtest/gtest.h>

#include <map>

#include "rtpipe/config/loader.h"

namespace rtpipe {
namespace {

SinkConfig Cassandra(std::string url) {
  SinkConfig c;
  c.url = std::move(url);
  return c;
}

TEST(CassandraSettingsTest, KeyspaceComesFromSinkKeyspaceAndTheUrlMayRepeatIt) {
  auto s = CassandraSettings(Cassandra("cassandra://10.0.0.1,10.0.0.2:19042/spark_streams"));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->keyspace, "spark_streams");
  EXPECT_EQ(s->client.keyspace, "") << "the sink qualifies every table; no USE on the connections";
  EXPECT_EQ(s->client.hosts, (std::vector<std::string>{"10.0.0.1", "10.0.0.2:19042"}));
  EXPECT_EQ(s->client.consistency, cql::Consistency::kLocalQuorum);
  EXPECT_EQ(s->client.retry_window, kSinkRetryWindow);
  EXPECT_EQ(s->table, "created_users");

  SinkConfig env_style = Cassandra("cassandra://cassandra");  // CASSANDRA_HOST=cassandra
  env_style.keyspace = "Analytics";                           // CASSANDRA_KEYSPACE=Analytics
  s = CassandraSettings(env_style);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->keyspace, "analytics") << "unquoted CQL names are lower case";
  EXPECT_EQ(s->client.port, 9042);
}

TEST(CassandraSettingsTest, ConflictsNameBothKeys) {
  auto s = CassandraSettings(Cassandra("cassandra://h/other_ks"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("sink.url"), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("sink.keyspace = \"spark_streams\""), std::string::npos) << s.status();
  EXPECT_NE(s.status().message().find("other_ks"), std::string::npos) << s.status();

  s = CassandraSettings(Cassandra("cassandra://h/spark_streams?consistency=ONE"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("sink.consistency = \"LOCAL_QUORUM\""), std::string::npos) << s.status();

  SinkConfig agree = Cassandra("cassandra://h/spark_streams?consistency=one&retry_window_ms=500");
  agree.consistency = "ONE";
  s = CassandraSettings(agree);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->client.consistency, cql::Consistency::kOne);
  EXPECT_EQ(s->client.retry_window, std::chrono::milliseconds(500)) << "an explicit retry window is kept";

  s = CassandraSettings(Cassandra("cassandra://h?colour=red"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("config key sink.url"), std::string::npos) << s.status();
}

// The same rules when the config is loaded: the run fails before anything is created.
TEST(CassandraSettingsTest, LoadingTheConfigChecksTheUrlAgainstTheOtherKeys) {
  auto load = [](std::vector<std::pair<std::string, std::string>> overrides,
                 std::map<std::string, std::string> env = {}) {
    ConfigInputs in;
    in.file_path = "";  // no file (unless ./rtpipe.yaml exists, as in config_test)
    in.overrides = std::move(overrides);
    in.getenv = [env = std::move(env)](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    return LoadConfig(in);
  };
  auto ok = load({}, {{"CASSANDRA_HOST", "cassandra"}, {"CASSANDRA_KEYSPACE", "analytics"}});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->config.sink.url, "cassandra://cassandra");
  EXPECT_EQ(ok->config.sink.keyspace, "analytics");
  ok = load({{"sink.url", "cassandra://h1:19042,h2/Spark_Streams?consistency=local_quorum"}});
  EXPECT_TRUE(ok.ok()) << ok.status();

  auto bad = load({{"sink.url", "cassandra://h/analytics"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sink.keyspace = \"spark_streams\""), std::string::npos) << bad.status();
  EXPECT_NE(bad.status().message().find("sink.url = \"cassandra://h/analytics\" names keyspace \"analytics\""),
            std::string::npos)
      << bad.status();
  bad = load({{"sink.url", "cassandra://h?consistency=ONE"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sink.consistency"), std::string::npos) << bad.status();
  bad = load({{"sink.url", "cassandra://"}});
  EXPECT_FALSE(bad.ok());
  bad = load({{"sink.consistency", "ANY"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("LOCAL_QUORUM"), std::string::npos) << bad.status();
  bad = load({{"sink.replication", "{'class': 'SimpleStrategy'}; DROP KEYSPACE x"}});
  EXPECT_FALSE(bad.ok());
}

TEST(CassandraSchemaTest, TablesKeysAndStatements) {
  EXPECT_EQ(CreateTableCql("ks", CheckpointsTableSpec()),
            "CREATE TABLE IF NOT EXISTS ks.rtpipe_partition_checkpoints (consumer_group text, topic text, "
            "partition int, next_offset bigint, records bigint, dlq_ends text, state blob, "
            "PRIMARY KEY ((consumer_group), topic, partition))");
  EXPECT_EQ(CreateTableCql("ks", PartialsTableSpec()),
            "CREATE TABLE IF NOT EXISTS ks.rtpipe_window_partials (aggregate text, window_start timestamp, "
            "dimensions text, partition int, window_end timestamp, users bigint, sum_age bigint, min_age int, "
            "max_age int, final boolean, PRIMARY KEY ((aggregate, window_start), dimensions, partition))");
  // A processor that lost a partition writes a lower offset: its checkpoint loses to the new owner's.
  EXPECT_LT(CheckpointWriteMicros(Offset(99), 7), CheckpointWriteMicros(Offset(100), 1));
  EXPECT_LT(CheckpointWriteMicros(Offset(100), 1), CheckpointWriteMicros(Offset(100), 2));
  AggregateDefinition def{
      "users_by_country_gender", {"country", "gender"}, std::chrono::minutes(1), std::chrono::minutes(1), true};
  EXPECT_EQ(CreateTableCql("ks", AggregateTableSpec(def)),
            "CREATE TABLE IF NOT EXISTS ks.users_by_country_gender (window_start timestamp, country text, gender "
            "text, window_end timestamp, users bigint, avg_age double, min_age int, max_age int, final boolean, "
            "PRIMARY KEY ((window_start), country, gender))");
  std::string users = CreateTableCql("spark_streams", UsersTableSpec("created_users"));
  EXPECT_NE(users.find("(id uuid, first_name text,"), std::string::npos) << users;
  EXPECT_NE(users.find("dob text, age int, age_band text, email_domain text, country text, nat text, tenure_days "
                       "bigint, event_time timestamp, PRIMARY KEY ((id)))"),
            std::string::npos)
      << users;
  EXPECT_EQ(InsertCql("ks", PartialsTableSpec()),
            "INSERT INTO ks.rtpipe_window_partials (aggregate, window_start, dimensions, partition, window_end, users, "
            "sum_age, min_age, max_age, final) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  EXPECT_EQ(CreateKeyspaceCql("ks", "{'class': 'SimpleStrategy', 'replication_factor': 1}"),
            "CREATE KEYSPACE IF NOT EXISTS ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
}

TEST(CassandraSchemaTest, ValuesMatchTheColumns) {
  CreatedUser u;
  u.id = "7f1c6a5e-2d7b-4c1e-9a57-3f0e9b1d2c4a";
  u.age = 33;
  u.tenure_days = 4000;
  u.event_time = TimestampFromMillis(1'700'000'000'123);
  auto values = UserValues(u);
  ASSERT_TRUE(values.ok()) << values.status();
  ASSERT_EQ(values->size(), UsersTableSpec("t").columns.size());
  EXPECT_EQ((*values)[0].kind(), cql::CqlValue::Kind::kUuid);
  EXPECT_EQ((*values)[12], cql::CqlValue::Int(33));
  EXPECT_EQ((*values)[17], cql::CqlValue::Bigint(4000));
  EXPECT_EQ((*values)[18], cql::CqlValue::FromTimestamp(u.event_time));
  u.id = "not-a-uuid";
  EXPECT_EQ(UserValues(u).status().code(), StatusCode::kInvalidArgument);

  AggregateDefinition def{
      "users_by_email_domain", {"email_domain"}, std::chrono::minutes(1), std::chrono::minutes(1), false};
  AggregateRow row{0,  0,   TimestampFromMillis(60'000), TimestampFromMillis(120'000), {"example.com"}, 5, 150, 20,
                   40, true};
  auto agg = AggregateValues(def, row);
  ASSERT_EQ(agg.size(), AggregateTableSpec(def).columns.size());
  EXPECT_EQ(agg.back(), cql::CqlValue::Boolean(true));
}

TEST(CassandraSchemaTest, WriteTimestampsOrderVersionsAndWindowValues) {
  CreatedUser older, newer;
  older.event_time = TimestampFromMillis(1'700'000'000'000);
  newer.event_time = TimestampFromMillis(1'700'000'000'001);
  EXPECT_LT(UserWriteMicros(older), UserWriteMicros(newer));
  EXPECT_EQ(UserWriteMicros(older), 1'700'000'000'000'000);

  AggregateRow early{0, 0, TimestampFromMillis(60'000), TimestampFromMillis(120'000), {"FR"}, 10, 300, 20, 40, false};
  AggregateRow more = early, final_row = early;
  more.users = 11;
  final_row.final = true;
  EXPECT_LT(AggregateWriteMicros(early), AggregateWriteMicros(final_row)) << "the final value replaces the early one";
  EXPECT_LT(AggregateWriteMicros(final_row), AggregateWriteMicros(more)) << "more users: a later value";
  AggregateRow restarted = early;  // recomputed after a restart from the same checkpoint
  EXPECT_EQ(AggregateWriteMicros(restarted), AggregateWriteMicros(early));
}

}  // namespace
}  // namespace rtpipe
