#include "rtpipe/log/log.h"

#include <gtest/gtest.h>

#include <string>

#include "rtpipe/log/log_factory.h"

namespace rtpipe {
namespace {

// Kafka's own known answers for Utils.murmur2 (clients/src/test/java/.../utils/UtilsTest.java,
// testMurmur2) and further values computed with the Java client.
TEST(PartitionForTest, Murmur2MatchesKafkaKnownAnswers) {
  EXPECT_EQ(KafkaMurmur2("21"), -973932308);
  EXPECT_EQ(KafkaMurmur2("foobar"), -790332482);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(KafkaMurmur2("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(KafkaMurmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(KafkaMurmur2("abc"), 479470107);
  EXPECT_EQ(KafkaMurmur2("1"), -1993445489);
  EXPECT_EQ(KafkaMurmur2("12"), 126087238);
  EXPECT_EQ(KafkaMurmur2("123"), -267702483);
  EXPECT_EQ(KafkaMurmur2("1234"), -1614185708);
  EXPECT_EQ(KafkaMurmur2("12345"), -1188365604);
}

TEST(PartitionForTest, PositiveModuloLikeTheJavaClient) {
  // toPositive(murmur2) % n: "21" -> -973932308 & 0x7fffffff = 1173551340.
  EXPECT_EQ(PartitionFor("21", 4), PartitionId(1173551340 % 4));
  EXPECT_EQ(PartitionFor("foobar", 7), PartitionId((-790332482 & 0x7fffffff) % 7));
  for (int n : {1, 2, 3, 4, 16}) {
    for (const char* key : {"", "a", "user-1", "9f1c2e3d-aaaa-bbbb-cccc-000000000000"}) {
      int p = PartitionFor(key, n).value();
      EXPECT_GE(p, 0);
      EXPECT_LT(p, n);
      EXPECT_EQ(PartitionFor(key, n), PartitionFor(key, n));
    }
  }
}

TEST(ConsumedRecordTest, HeaderValueFindsTheFirstMatch) {
  ConsumedRecord r;
  r.headers = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  EXPECT_EQ(r.HeaderValue("a"), "1");
  EXPECT_EQ(r.HeaderValue("b"), "2");
  EXPECT_FALSE(r.HeaderValue("c").has_value());
}

TEST(OpenLogTest, RejectsOtherSchemesNamingTheKey) {
  LogConfig config;
  config.url = "s3://bucket/log";
  auto log = OpenLog(config, LogAccess::kReadOnly);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(log.status().message().find("log.url"), std::string::npos) << log.status();
  config.url = "nonsense";
  EXPECT_EQ(OpenLog(config, LogAccess::kReadOnly).status().code(), StatusCode::kInvalidArgument);
}

TEST(OpenLogTest, ReadOnlyOpenOfAMissingLogIsNotFound) {
  LogConfig config;
  config.url = "file:/nonexistent/rtpipe-log-test";
  auto log = OpenLog(config, LogAccess::kReadOnly);
  EXPECT_EQ(log.status().code(), StatusCode::kNotFound) << log.status();
}

}  // namespace
}  // namespace rtpipe
