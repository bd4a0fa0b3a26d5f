// Authentication against a real Cassandra 5.0 node running PasswordAuthenticator (fixture
// "cassandra-auth", superuser cassandra/cassandra): SASL PLAIN with good and bad credentials.

#include <gtest/gtest.h>

#include "cassandra_test_util.h"

namespace rtpipe::cql {
namespace {

CqlOptions AuthNode(std::string user, std::string password) {
  auto o = testing::NodeOptions("RTPIPE_TEST_CASSANDRA_AUTH");
  o.user = std::move(user);
  o.password = std::move(password);
  return o;
}

TEST(CassandraAuthTest, GoodCredentialsLogIn) {
  auto session = testing::ConnectOrFail(AuthNode("cassandra", "cassandra"));
  ASSERT_NE(session, nullptr);
  auto rows = session->Execute("SELECT release_version FROM system.local");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->row(0).Get<std::string>(0)->rfind("5.0.", 0), 0u);

  // A role created by the superuser logs in too, on every connection of its session.
  ASSERT_TRUE(
      session->Execute("CREATE ROLE IF NOT EXISTS rtpipe_app WITH PASSWORD = 'app-secret' AND LOGIN = true").ok());
  auto options = AuthNode("rtpipe_app", "app-secret");
  options.connections_per_host = 3;
  auto app = testing::ConnectOrFail(options);
  ASSERT_NE(app, nullptr);
  for (int i = 0; i < 6; ++i) {
    auto who = app->Execute("SELECT now() FROM system.local");
    ASSERT_TRUE(who.ok()) << who.status();
  }
}

TEST(CassandraAuthTest, WrongPasswordIsRefusedClearly) {
  auto session = CqlSession::Connect(AuthNode("cassandra", "not-the-password"));
  ASSERT_FALSE(session.ok());
  const Status& s = session.status();
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s;
  EXPECT_NE(s.message().find("rejected the credentials of user \"cassandra\""), std::string::npos) << s;
  EXPECT_NE(s.message().find("PasswordAuthenticator"), std::string::npos) << s;
  EXPECT_NE(s.message().find("Authentication_error (0x0100)"), std::string::npos) << s;
  EXPECT_EQ(s.message().find("not-the-password"), std::string::npos) << "the password must never be echoed";
}

TEST(CassandraAuthTest, UnknownUserIsRefused) {
  auto session = CqlSession::Connect(AuthNode("nobody_here", "x"));
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kPermissionDenied) << session.status();
  EXPECT_NE(session.status().message().find("nobody_here"), std::string::npos) << session.status();
}

TEST(CassandraAuthTest, MissingCredentialsAreNamed) {
  auto session = CqlSession::Connect(AuthNode("", ""));
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.status().code(), StatusCode::kPermissionDenied) << session.status();
  EXPECT_NE(session.status().message().find("requires authentication"), std::string::npos) << session.status();
  EXPECT_NE(session.status().message().find("no user/password is configured"), std::string::npos) << session.status();
}

}  // namespace
}  // namespace rtpipe::cql
