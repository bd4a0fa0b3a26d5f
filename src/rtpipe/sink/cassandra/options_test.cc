#include "rtpipe/sink/cassandra/options.h"

#include <gtest/gtest.h>

namespace rtpipe::cql {
namespace {

TEST(ConsistencyTest, NamesRoundTrip) {
  for (uint16_t v = 0; v <= 0x0A; ++v) {
    auto c = static_cast<Consistency>(v);
    auto parsed = ParseConsistency(ConsistencyName(c));
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, c);
  }
  EXPECT_EQ(*ParseConsistency("local_quorum"), Consistency::kLocalQuorum);
  auto bad = ParseConsistency("MOST");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("LOCAL_ONE"), std::string::npos) << bad.status();
  EXPECT_EQ(ConsistencyName(static_cast<Consistency>(0x1F)), "consistency 0x1f");
}

TEST(CqlOptionsTest, DefaultsAreSafe) {
  CqlOptions o;
  EXPECT_EQ(o.consistency, Consistency::kLocalQuorum);
  EXPECT_FALSE(o.Validate().ok()) << "no hosts";
  o.hosts = {"127.0.0.1"};
  EXPECT_TRUE(o.Validate().ok());
  QueryOptions q;
  EXPECT_TRUE(q.idempotent);
  EXPECT_FALSE(q.consistency.has_value());
}

TEST(CqlOptionsTest, FromUrl) {
  auto o = CqlOptions::FromUrl(
      "cassandra://app:s%40cret@h1,h2:19042/spark_streams?consistency=ONE&connections_per_host=3&compression=lz4"
      "&retry_window_ms=5000");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->hosts, (std::vector<std::string>{"h1", "h2:19042"}));
  EXPECT_EQ(o->keyspace, "spark_streams");
  EXPECT_EQ(o->user, "app");
  EXPECT_EQ(o->password, "s@cret");
  EXPECT_EQ(o->consistency, Consistency::kOne);
  EXPECT_EQ(o->connections_per_host, 3);
  EXPECT_TRUE(o->compression);
  EXPECT_EQ(o->retry_window.count(), 5000);
}

TEST(CqlOptionsTest, FromUrlRejectsBadInput) {
  EXPECT_FALSE(CqlOptions::FromUrl("postgresql://h/db").ok());
  auto unknown = CqlOptions::FromUrl("cassandra://h/ks?colour=red");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("colour"), std::string::npos);
  auto range = CqlOptions::FromUrl("cassandra://h/ks?connections_per_host=0");
  ASSERT_FALSE(range.ok());
  EXPECT_NE(range.status().message().find("connections_per_host=0"), std::string::npos) << range.status();
  EXPECT_FALSE(CqlOptions::FromUrl("cassandra://h/ks?consistency=SOME").ok());
  EXPECT_FALSE(CqlOptions::FromUrl("cassandra://h/ks?compression=zip").ok());
}

TEST(CqlOptionsTest, ValidateNamesTheField) {
  CqlOptions o;
  o.hosts = {"h"};
  o.max_in_flight = 0;
  EXPECT_NE(o.Validate().message().find("max_in_flight"), std::string::npos);
  o.max_in_flight = 10;
  o.serial_consistency = Consistency::kQuorum;
  EXPECT_NE(o.Validate().message().find("serial_consistency"), std::string::npos);
}

}  // namespace
}  // namespace rtpipe::cql
