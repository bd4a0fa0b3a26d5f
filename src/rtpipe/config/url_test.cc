#include "rtpipe/config/url.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Url, PathOnly) {
  auto u = ParseUrl("sqlite:data/landing.db");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, "sqlite");
  EXPECT_EQ(u->path, "data/landing.db");
  EXPECT_TRUE(u->hosts.empty());
}

TEST(Url, AuthorityWithCredentialsHostsAndQuery) {
  auto u = ParseUrl("postgresql://air%40flow:p%3Ass@db.local:5433/airflow?sslmode=disable");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->user, "air@flow");
  EXPECT_EQ(u->password, "p:ss");
  ASSERT_EQ(u->hosts.size(), 1u);
  EXPECT_EQ(u->hosts[0].host, "db.local");
  EXPECT_EQ(u->hosts[0].port, 5433);
  EXPECT_EQ(u->path, "airflow");
  ASSERT_EQ(u->query.size(), 1u);
  EXPECT_EQ(u->query[0].second, "disable");
}

TEST(Url, SeveralHosts) {
  auto u = ParseUrl("cassandra://c1,c2:9043/spark_streams");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->HostList(9042), "c1:9042,c2:9043");
  EXPECT_EQ(u->path, "spark_streams");
}

TEST(Url, Errors) {
  EXPECT_FALSE(ParseUrl("nocolon").ok());
  EXPECT_FALSE(ParseUrl("kafka://host:99999").ok());
  EXPECT_FALSE(ParseUrl("kafka://host:").ok());
}

TEST(Url, MasksPassword) {
  EXPECT_EQ(MaskUrlPassword("postgresql://u:secret@h:5432/db"), "postgresql://u:****@h:5432/db");
  EXPECT_EQ(MaskUrlPassword("postgresql://u@h/db"), "postgresql://u@h/db");
  EXPECT_EQ(MaskUrlPassword("sqlite:data/x.db"), "sqlite:data/x.db");
}

}  // namespace
}  // namespace rtpipe
