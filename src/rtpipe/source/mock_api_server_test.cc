#include "rtpipe/source/mock_api_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "rtpipe/model/user.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

using ::testing::HasSubstr;

std::unique_ptr<MockApiServer> StartServer(MockApiOptions options = {}) {
  options.host = "127.0.0.1";
  options.port = 0;
  auto server = std::make_unique<MockApiServer>(options);
  EXPECT_TRUE(server->Start().ok());
  EXPECT_GT(server->port(), 0);
  return server;
}

TEST(MockApiServerTest, ServesTheGeneratorOnBothPaths) {
  auto server = StartServer();
  httplib::Client client("127.0.0.1", server->port());
  GeneratorRequest r;
  r.seed = "mock";
  r.page = 2;
  r.results = 3;
  const std::string expected = Generator().Response(r);
  for (const char* path : {"/api/?results=3&seed=mock&page=2", "/api/1.4/?results=3&seed=mock&page=2",
                           "/api?results=3&seed=mock&page=2", "/api/1.4?seed=mock&results=3&page=2"}) {
    auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(res->body, expected) << path;
  }
  EXPECT_EQ(server->requests(), 4u);
  auto missing = client.Get("/other/");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST(MockApiServerTest, QueryParametersAsTheApiReadsThem) {
  auto server = StartServer();
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Get("/api/?results=0&page=20000&seed=q&nat=no,ir&inc=login,nat&noinfo");
  ASSERT_TRUE(res);
  auto response = ParseResponse(res->body);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->records.size(), 1u);  // results=0 -> 1
  EXPECT_FALSE(response->info.has_value());
  auto user = ParseUser(response->records[0].raw);
  ASSERT_TRUE(user.ok()) << user.status();
  const User& u = *user;
  EXPECT_EQ(u.present, static_cast<uint16_t>(UserField::kLogin) | static_cast<uint16_t>(UserField::kNat));
  EXPECT_TRUE(u.nat == "NO" || u.nat == "IR");
  // page 20000 is read as page 1.
  auto page1 = client.Get("/api/?results=1&page=1&seed=q&nat=no,ir&inc=login,nat&noinfo");
  ASSERT_TRUE(page1);
  EXPECT_EQ(page1->body, res->body);
  // A repeated parameter: the last one counts.
  auto repeated = client.Get("/api/?results=1&results=4&seed=q");
  ASSERT_TRUE(repeated);
  EXPECT_EQ(ParseResponse(repeated->body)->records.size(), 4u);
}

TEST(MockApiServerTest, FaultScriptInOrder) {
  MockApiOptions options;
  options.rate_limit_first = 1;
  options.unavailable_first = 1;
  options.empty_first = 1;
  options.error_first = 1;
  options.retry_after_seconds = 7;
  auto server = StartServer(options);
  httplib::Client client("127.0.0.1", server->port());

  auto limited = client.Get("/api/?results=5&seed=f");
  ASSERT_TRUE(limited);
  EXPECT_EQ(limited->status, 429);
  EXPECT_EQ(limited->get_header_value("Retry-After"), "7");
  EXPECT_THAT(limited->body, HasSubstr("Whoa, ease up there cowboy. You've requested 5 users in the last minute."));
  auto limited_body = ParseResponse(limited->body);
  EXPECT_EQ(limited_body.status().code(), StatusCode::kUnavailable);

  auto unavailable = client.Get("/api/?results=5&seed=f");
  ASSERT_TRUE(unavailable);
  EXPECT_EQ(unavailable->status, 503);

  auto empty = client.Get("/api/?results=5&seed=f");
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->status, 200);
  auto empty_body = ParseResponse(empty->body);
  ASSERT_TRUE(empty_body.ok());
  EXPECT_TRUE(empty_body->records.empty());
  EXPECT_EQ(empty_body->info->results, 5);

  auto error = client.Get("/api/?results=5&seed=f");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->status, 200);
  auto error_body = ParseResponse(error->body);
  EXPECT_EQ(error_body.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(error_body.status().message(), HasSubstr("Uh oh, something has gone wrong."));

  auto ok = client.Get("/api/?results=5&seed=f");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ParseResponse(ok->body)->records.size(), 5u);
}

TEST(MockApiServerTest, EveryNthRequest) {
  MockApiOptions options;
  options.unavailable_every = 3;
  auto server = StartServer(options);
  httplib::Client client("127.0.0.1", server->port());
  std::vector<int> statuses;
  for (int i = 0; i < 7; ++i) {
    auto res = client.Get("/api/");
    ASSERT_TRUE(res);
    statuses.push_back(res->status);
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 503, 200, 200, 503, 200}));
}

TEST(MockApiServerTest, BadRateKeepsTheBodyValid) {
  MockApiOptions options;
  options.bad_rate = 0.5;
  auto server = StartServer(options);
  httplib::Client client("127.0.0.1", server->port());
  auto res = client.Get("/api/?results=400&seed=bad");
  ASSERT_TRUE(res);
  auto response = ParseResponse(res->body);
  ASSERT_TRUE(response.ok()) << response.status();
  int failed = 0;
  for (const auto& r : response->records) failed += !ParseUser(r.raw).ok();
  EXPECT_GT(failed, 20);
  EXPECT_LT(failed, 200);
}

TEST(MockApiServerTest, StopInterruptsASlowResponse) {
  MockApiOptions options;
  options.slow_first = 1;
  options.slow_delay = std::chrono::milliseconds(30000);
  auto server = StartServer(options);
  std::thread client_thread([port = server->port()] {
    httplib::Client client("127.0.0.1", port);
    client.set_read_timeout(20, 0);
    auto res = client.Get("/api/");
  });
  for (int i = 0; i < 200 && server->requests() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  client_thread.join();
}

TEST(MockApiServerTest, BindFailureIsReported) {
  auto first = StartServer();
  MockApiOptions options;
  options.host = "127.0.0.1";
  options.port = first->port();
  MockApiServer second(options);
  Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot bind"));
}

}  // namespace
}  // namespace rtpipe
