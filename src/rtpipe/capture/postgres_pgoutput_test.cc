#include "rtpipe/capture/postgres_pgoutput.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe::pgoutput {
namespace {

// Builds messages byte by byte, as the server lays them out.
class Bytes {
 public:
  Bytes& Byte(char c) {
    s_.push_back(c);
    return *this;
  }
  template <typename T>
  Bytes& Int(T v) {
    for (int i = static_cast<int>(sizeof(T)) - 1; i >= 0; --i) {
      s_.push_back(static_cast<char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff));
    }
    return *this;
  }
  Bytes& Str(std::string_view v) {
    s_.append(v);
    s_.push_back('\0');
    return *this;
  }
  Bytes& Text(std::string_view v) {
    Byte('t').Int<int32_t>(static_cast<int32_t>(v.size()));
    s_.append(v);
    return *this;
  }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

TEST(PgOutputTest, DecodesBeginAndCommitWithUnixTimes) {
  Message m;
  std::string begin = Bytes().Byte('B').Int<uint64_t>(0x1544570).Int<int64_t>(1'000'000).Int<uint32_t>(728).str();
  ASSERT_TRUE(Decode(begin, m).ok());
  EXPECT_EQ(m.kind, Kind::kBegin);
  EXPECT_EQ(m.lsn.value, 0x1544570u);
  EXPECT_EQ(m.xid, 728u);
  EXPECT_EQ(m.commit_time_us, kPgEpochUnixMicros + 1'000'000);

  std::string commit =
      Bytes().Byte('C').Byte(0).Int<uint64_t>(0x1544570).Int<uint64_t>(0x15446A0).Int<int64_t>(5).str();
  ASSERT_TRUE(Decode(commit, m).ok());
  EXPECT_EQ(m.kind, Kind::kCommit);
  EXPECT_EQ(m.lsn.value, 0x1544570u);
  EXPECT_EQ(m.end_lsn.value, 0x15446A0u);
  EXPECT_EQ(FormatLsn(m.end_lsn), "0/15446A0");
}

TEST(PgOutputTest, DecodesRelationAndTuples) {
  Message m;
  std::string rel = Bytes()
                        .Byte('R')
                        .Int<uint32_t>(16384)
                        .Str("public")
                        .Str("users")
                        .Byte('d')
                        .Int<int16_t>(2)
                        .Byte(1)
                        .Str("uuid")
                        .Int<uint32_t>(25)
                        .Int<int32_t>(-1)
                        .Byte(0)
                        .Str("raw")
                        .Int<uint32_t>(114)
                        .Int<int32_t>(-1)
                        .str();
  ASSERT_TRUE(Decode(rel, m).ok());
  ASSERT_EQ(m.kind, Kind::kRelation);
  EXPECT_EQ(m.relation.id, 16384u);
  EXPECT_EQ(m.relation.ns, "public");
  EXPECT_EQ(m.relation.name, "users");
  ASSERT_EQ(m.relation.columns.size(), 2u);
  EXPECT_TRUE(m.relation.columns[0].key);
  EXPECT_EQ(m.relation.columns[1].name, "raw");
  EXPECT_EQ(m.relation.columns[1].type_oid, 114u);

  std::string insert =
      Bytes().Byte('I').Int<uint32_t>(16384).Byte('N').Int<int16_t>(3).Text("a").Byte('n').Text("{\"x\":1}").str();
  ASSERT_TRUE(Decode(insert, m).ok());
  ASSERT_EQ(m.kind, Kind::kInsert);
  ASSERT_EQ(m.tuple.size(), 3u);
  EXPECT_EQ(m.tuple[0].text, "a");
  EXPECT_EQ(m.tuple[1].tag, Value::Tag::kNull);
  EXPECT_EQ(m.tuple[2].text, "{\"x\":1}");

  // An update with the old key first: the new values are what counts.
  std::string update = Bytes()
                           .Byte('U')
                           .Int<uint32_t>(16384)
                           .Byte('K')
                           .Int<int16_t>(1)
                           .Text("old")
                           .Byte('N')
                           .Int<int16_t>(2)
                           .Text("new")
                           .Byte('u')
                           .str();
  ASSERT_TRUE(Decode(update, m).ok());
  ASSERT_EQ(m.kind, Kind::kUpdate);
  ASSERT_EQ(m.tuple.size(), 2u);
  EXPECT_EQ(m.tuple[0].text, "new");
  EXPECT_EQ(m.tuple[1].tag, Value::Tag::kUnchanged);
}

TEST(PgOutputTest, EveryTruncationIsCorruptionNeverACrash) {
  std::string insert = Bytes().Byte('I').Int<uint32_t>(7).Byte('N').Int<int16_t>(2).Text("abc").Text("defgh").str();
  Message m;
  ASSERT_TRUE(Decode(insert, m).ok());
  for (size_t n = 0; n < insert.size(); ++n) {
    Status s = Decode(std::string_view(insert).substr(0, n), m);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "prefix of " << n << " bytes";
  }
  EXPECT_EQ(Decode("Z", m).code(), StatusCode::kCorruption);
  EXPECT_EQ(
      Decode(Bytes().Byte('I').Int<uint32_t>(7).Byte('N').Int<int16_t>(1).Byte('t').Int<int32_t>(-5).str(), m).code(),
      StatusCode::kCorruption);
  EXPECT_TRUE(Decode(Bytes().Byte('O').Int<uint64_t>(1).Str("origin").str(), m).ok());
  EXPECT_EQ(m.kind, Kind::kSkipped);
}

TEST(PgOutputTest, ParsesTimestamptzAsTheServerWritesIt) {
  // 2026-11-26 12:46:44.007755 UTC
  auto t = ParseTimestampMicros("2026-11-26 12:46:44.007755+00");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, 1795697204007755);
  EXPECT_EQ(*ParseTimestampMicros("2026-11-26 12:46:44+00"), 1795697204000000);
  EXPECT_EQ(*ParseTimestampMicros("2026-11-26 18:16:44.5+05:30"), 1795697204500000);
  EXPECT_EQ(*ParseTimestampMicros("2026-11-26T12:46:44.007-01"), 1795697204007000 + 3600'000'000LL);
  EXPECT_EQ(*ParseTimestampMicros("1969-12-31 23:59:59+00"), -1'000'000);
  for (const char* bad : {"", "2026-11-26", "2026-11-26 12:46:44", "2026-02-30 00:00:00+00", "2026-11-26 12:46:44.+00",
                          "2026-11-26 12:46:44+0", "2026-11-26 12:46:44+00x"}) {
    EXPECT_FALSE(ParseTimestampMicros(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace rtpipe::pgoutput
