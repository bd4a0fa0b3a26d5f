#include "rtpipe/sink/cassandra/wire.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(CqlWriterTest, EncodesIntegersBigEndian) {
  std::string out;
  CqlWriter w(out);
  w.Byte(0xAB);
  w.Short(0x0102);
  w.Int(-2);
  w.Long(0x0102030405060708);
  EXPECT_EQ(out, Bytes({0xAB, 0x01, 0x02, 0xFF, 0xFF, 0xFF, 0xFE, 1, 2, 3, 4, 5, 6, 7, 8}));
}

TEST(CqlWriterTest, EncodesStringsAndBytes) {
  std::string out;
  CqlWriter w(out);
  w.String("ab");
  w.LongString("c");
  w.Bytes("d");
  w.NullBytes();
  w.ShortBytes("ef");
  EXPECT_EQ(out, Bytes({0, 2, 'a', 'b', 0, 0, 0, 1, 'c', 0, 0, 0, 1, 'd', 0xFF, 0xFF, 0xFF, 0xFF, 0, 2, 'e', 'f'}));
}

TEST(CqlWriterTest, EncodesStringMapAndList) {
  std::string out;
  CqlWriter w(out);
  w.StringMap({{"K", "v"}});
  w.StringList({"x", "yz"});
  EXPECT_EQ(out, Bytes({0, 1, 0, 1, 'K', 0, 1, 'v', 0, 2, 0, 1, 'x', 0, 2, 'y', 'z'}));
}

TEST(CqlWriterTest, PatchIntRewritesInPlace) {
  std::string out;
  CqlWriter w(out);
  size_t at = w.position();
  w.Int(0);
  w.Byte(7);
  w.PatchInt(at, 0x01020304);
  EXPECT_EQ(out, Bytes({1, 2, 3, 4, 7}));
}

TEST(CqlReaderTest, RoundTripsEveryPrimitive) {
  std::string out;
  CqlWriter w(out);
  w.Byte(9);
  w.Short(65535);
  w.Int(-123456);
  w.Long(-9'000'000'000'000);
  w.String("héllo");
  w.LongString("long");
  w.Bytes(std::string("\0\1", 2));
  w.NullBytes();
  w.ShortBytes("id");
  w.StringList({"a", "b"});
  w.StringMap({{"k1", "v1"}, {"k2", "v2"}});

  CqlReader r(out);
  EXPECT_EQ(*r.Byte(), 9);
  EXPECT_EQ(*r.Short(), 65535);
  EXPECT_EQ(*r.Int(), -123456);
  EXPECT_EQ(*r.Long(), -9'000'000'000'000);
  EXPECT_EQ(*r.String(), "héllo");
  EXPECT_EQ(*r.LongString(), "long");
  EXPECT_EQ(*r.Bytes(), std::string("\0\1", 2));
  bool null = false;
  EXPECT_EQ(*r.Bytes(&null), "");
  EXPECT_TRUE(null);
  EXPECT_EQ(*r.ShortBytes(), "id");
  EXPECT_EQ(*r.StringList(), (std::vector<std::string>{"a", "b"}));
  auto map = *r.StringMap();
  ASSERT_EQ(map.size(), 2u);
  EXPECT_EQ(map[1].first, "k2");
  EXPECT_EQ(map[1].second, "v2");
  EXPECT_TRUE(r.AtEnd());
}

TEST(CqlReaderTest, StringMultimapAsInSupported) {
  // {"COMPRESSION": ["lz4", "snappy"]}
  std::string in = Bytes({0, 1, 0, 11}) + "COMPRESSION" + Bytes({0, 2, 0, 3}) + "lz4" + Bytes({0, 6}) + "snappy";
  CqlReader r(in);
  auto map = r.StringMultimap();
  ASSERT_TRUE(map.ok()) << map.status();
  EXPECT_EQ(map->at("COMPRESSION"), (std::vector<std::string>{"lz4", "snappy"}));
}

TEST(CqlReaderTest, InetV4AndV6) {
  std::string v4 = Bytes({4, 127, 0, 0, 1, 0, 0, 0x23, 0x52});
  CqlReader r4(v4);
  EXPECT_EQ(*r4.Inet(), "127.0.0.1:9042");
  std::string v6 = Bytes({16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 80});
  CqlReader r6(v6);
  EXPECT_EQ(*r6.Inet(), "[0:0:0:0:0:0:0:1]:80");
  std::string bad = Bytes({5, 1, 2, 3, 4, 5, 0, 0, 0, 1});
  CqlReader rb(bad);
  EXPECT_EQ(rb.Inet().status().code(), StatusCode::kCorruption);
}

TEST(CqlReaderTest, TruncatedInputIsCorruptionNotACrash) {
  std::string in = Bytes({0, 5, 'a', 'b'});  // [string] claims 5 bytes, has 2
  CqlReader r(in);
  auto s = r.String();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  EXPECT_NE(s.status().message().find("[string]"), std::string::npos) << s.status();

  CqlReader empty("");
  EXPECT_FALSE(empty.Byte().ok());
  EXPECT_FALSE(empty.Short().ok());
  EXPECT_FALSE(empty.Int().ok());
  EXPECT_FALSE(empty.Long().ok());
  EXPECT_FALSE(empty.Uuid().ok());
}

TEST(CqlReaderTest, HugeCountsAreRefusedBeforeAllocating) {
  std::string list = Bytes({0xFF, 0xFF, 0, 1, 'a'});  // 65535 strings in 3 bytes
  CqlReader r(list);
  EXPECT_EQ(r.StringList().status().code(), StatusCode::kCorruption);
  std::string long_string = Bytes({0x7F, 0xFF, 0xFF, 0xFF});
  CqlReader r2(long_string);
  EXPECT_EQ(r2.LongString().status().code(), StatusCode::kCorruption);
  std::string negative = Bytes({0xFF, 0xFF, 0xFF, 0xF0});
  CqlReader r3(negative);
  EXPECT_EQ(r3.LongString().status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace rtpipe::cql
