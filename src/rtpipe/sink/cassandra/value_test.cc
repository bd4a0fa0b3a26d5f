#include "rtpipe/sink/cassandra/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

std::string Encoded(const CqlValue& v) {
  std::string out;
  CqlWriter w(out);
  v.AppendTo(w);
  return out;
}

const CqlType kText = CqlType::Of(CqlTypeId::kVarchar);
const CqlType kInt = CqlType::Of(CqlTypeId::kInt);
const CqlType kBigint = CqlType::Of(CqlTypeId::kBigint);
const CqlType kUuidType = CqlType::Of(CqlTypeId::kUuid);
const CqlType kTimestampType = CqlType::Of(CqlTypeId::kTimestamp);
const CqlType kDateType = CqlType::Of(CqlTypeId::kDate);
const CqlType kDoubleType = CqlType::Of(CqlTypeId::kDouble);
const CqlType kBooleanType = CqlType::Of(CqlTypeId::kBoolean);

TEST(CqlValueTest, EncodesEachTypeAsSpecified) {
  EXPECT_EQ(Encoded(CqlValue::Null()), Bytes({0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(Encoded(CqlValue::Unset()), Bytes({0xFF, 0xFF, 0xFF, 0xFE}));
  EXPECT_EQ(Encoded(CqlValue::Boolean(true)), Bytes({0, 0, 0, 1, 1}));
  EXPECT_EQ(Encoded(CqlValue::Boolean(false)), Bytes({0, 0, 0, 1, 0}));
  EXPECT_EQ(Encoded(CqlValue::Int(-2)), Bytes({0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFE}));
  EXPECT_EQ(Encoded(CqlValue::Bigint(0x0102030405060708)), Bytes({0, 0, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(Encoded(CqlValue::Smallint(-1)), Bytes({0, 0, 0, 2, 0xFF, 0xFF}));
  EXPECT_EQ(Encoded(CqlValue::Tinyint(5)), Bytes({0, 0, 0, 1, 5}));
  // IEEE-754 binary64 of 1.5 is 0x3FF8000000000000.
  EXPECT_EQ(Encoded(CqlValue::Double(1.5)), Bytes({0, 0, 0, 8, 0x3F, 0xF8, 0, 0, 0, 0, 0, 0}));
  // binary32 of -2.0 is 0xC0000000.
  EXPECT_EQ(Encoded(CqlValue::Float(-2.0f)), Bytes({0, 0, 0, 4, 0xC0, 0, 0, 0}));
  EXPECT_EQ(Encoded(CqlValue::Text("hé")), Bytes({0, 0, 0, 3, 'h', 0xC3, 0xA9}));
  EXPECT_EQ(Encoded(CqlValue::Text("")), Bytes({0, 0, 0, 0}));
  EXPECT_EQ(Encoded(CqlValue::Blob(Bytes({0, 1}))), Bytes({0, 0, 0, 2, 0, 1}));
  // 2024-03-08T15:13:16.688Z = 1709910796688 ms = 0x0000018E1EA02990.
  EXPECT_EQ(Encoded(CqlValue::FromTimestamp(TimestampFromMillis(1709910796688))),
            Bytes({0, 0, 0, 8, 0, 0, 0x01, 0x8E, 0x1E, 0xA0, 0x29, 0x90}));
  EXPECT_EQ(Encoded(CqlValue::Time(1)), Bytes({0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 1}));
}

TEST(CqlValueTest, DateEpochIsCenteredAtTwoToThe31) {
  // Spec §6.5: 2^31 is 1970-01-01.
  EXPECT_EQ(Encoded(CqlValue::FromDate(CqlDate{0})), Bytes({0, 0, 0, 4, 0x80, 0, 0, 0}));
  EXPECT_EQ(Encoded(CqlValue::FromDate(CqlDate{1})), Bytes({0, 0, 0, 4, 0x80, 0, 0, 1}));
  EXPECT_EQ(Encoded(CqlValue::FromDate(CqlDate{-1})), Bytes({0, 0, 0, 4, 0x7F, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(*DecodeDate(kDateType, Bytes({0x80, 0, 0, 0})), CqlDate{0});
  EXPECT_EQ(*DecodeDate(kDateType, Bytes({0x7F, 0xFF, 0xFF, 0xFF})), CqlDate{-1});
  // The spec's examples: 0 is -5877641-06-23; its "2^32: 5881580-07-11" is the largest encodable
  // day, 2^32 - 1 (2^32 itself does not fit the 4 bytes).
  EXPECT_EQ(DecodeDate(kDateType, Bytes({0, 0, 0, 0}))->ToString(), "-5877641-06-23");
  EXPECT_EQ(DecodeDate(kDateType, Bytes({0xFF, 0xFF, 0xFF, 0xFF}))->ToString(), "5881580-07-11");
}

TEST(CqlValueTest, UuidEncodingAndText) {
  auto u = Uuid::Parse("00112233-4455-6677-8899-AABBCCDDEEFF");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->ToString(), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(Encoded(CqlValue::FromUuid(*u)), Bytes({0,    0,    0,    16,   0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
                                                    0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF}));
  EXPECT_FALSE(Uuid::Parse("00112233-4455-6677-8899-AABBCCDDEEF").ok());
  EXPECT_FALSE(Uuid::Parse("00112233x4455-6677-8899-AABBCCDDEEFF").ok());
  EXPECT_FALSE(Uuid::Parse("g0112233-4455-6677-8899-AABBCCDDEEFF").ok());
  Uuid r = Uuid::Random();
  EXPECT_EQ(r.version(), 4);
  EXPECT_EQ(r.bytes[8] & 0xC0, 0x80);
  EXPECT_NE(r, Uuid::Random());
}

TEST(CqlValueTest, CqlDateCalendar) {
  EXPECT_EQ(CqlDate::Parse("1970-01-01")->days_since_epoch, 0);
  EXPECT_EQ(CqlDate::Parse("2000-03-01")->days_since_epoch, 11017);
  EXPECT_EQ(CqlDate::Parse("1969-12-31")->days_since_epoch, -1);
  EXPECT_EQ(CqlDate::Parse("1944-06-06")->ToString(), "1944-06-06");
  EXPECT_FALSE(CqlDate::Parse("2023-02-29").ok());
  EXPECT_FALSE(CqlDate::Parse("2023-2-28").ok());
  EXPECT_FALSE(CqlDate::Parse("0000-01-01").ok());
}

TEST(CqlValueTest, DecodesEachTypeFromSpecBytes) {
  EXPECT_EQ(*DecodeInt(kInt, Bytes({0xFF, 0xFF, 0xFF, 0xFE})), -2);
  EXPECT_EQ(*DecodeInt(CqlType::Of(CqlTypeId::kSmallint), Bytes({0x80, 0x00})), -32768);
  EXPECT_EQ(*DecodeInt(CqlType::Of(CqlTypeId::kTinyint), Bytes({0x7F})), 127);
  EXPECT_EQ(*DecodeBigint(kBigint, Bytes({0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF})), -1);
  EXPECT_EQ(*DecodeBigint(kInt, Bytes({0, 0, 1, 0})), 256) << "int widens to int64";
  EXPECT_EQ(*DecodeBigint(CqlType::Of(CqlTypeId::kCounter), Bytes({0, 0, 0, 0, 0, 0, 0, 9})), 9);
  EXPECT_EQ(*DecodeDouble(kDoubleType, Bytes({0x3F, 0xF8, 0, 0, 0, 0, 0, 0})), 1.5);
  EXPECT_EQ(*DecodeDouble(CqlType::Of(CqlTypeId::kFloat), Bytes({0xC0, 0, 0, 0})), -2.0);
  EXPECT_TRUE(*DecodeBoolean(kBooleanType, Bytes({2})));
  EXPECT_FALSE(*DecodeBoolean(kBooleanType, Bytes({0})));
  EXPECT_EQ(*DecodeText(kText, "abc"), "abc");
  EXPECT_EQ(*DecodeText(CqlType::Of(CqlTypeId::kAscii), "abc"), "abc");
  EXPECT_EQ(ToMillis(*DecodeTimestamp(kTimestampType, Bytes({0, 0, 0x01, 0x8E, 0x1E, 0xA0, 0x29, 0x90}))),
            1709910796688);
  EXPECT_EQ(DecodeUuid(kUuidType, std::string(16, '\x11'))->ToString(), "11111111-1111-1111-1111-111111111111");
}

TEST(CqlValueTest, DecodingRefusesWrongTypesAndLengths) {
  auto wrong = DecodeInt(kText, "abcd");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().message(), "column is text, read as int");
  EXPECT_EQ(DecodeInt(kInt, "abc").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeBigint(kBigint, "abc").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeUuid(kUuidType, "short").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeDate(kDateType, "12345").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeBoolean(kBooleanType, "").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeTimestamp(kBigint, std::string(8, '\0')).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodeBigint(CqlType::Of(CqlTypeId::kTime), Bytes({0xFF, 0, 0, 0, 0, 0, 0, 0})).status().code(),
            StatusCode::kCorruption);
}

TEST(CqlValueTest, FitsTypeIsStrictButAcceptsAliases) {
  EXPECT_TRUE(CqlValue::Text("x").FitsType(kText));
  EXPECT_TRUE(CqlValue::Text("x").FitsType(CqlType::Of(CqlTypeId::kAscii)));
  EXPECT_FALSE(CqlValue::Text("x").FitsType(kInt));
  EXPECT_FALSE(CqlValue::Int(1).FitsType(kBigint));
  EXPECT_TRUE(CqlValue::Bigint(1).FitsType(CqlType::Of(CqlTypeId::kCounter)));
  EXPECT_TRUE(CqlValue::FromUuid(Uuid::Random()).FitsType(CqlType::Of(CqlTypeId::kTimeuuid)));
  EXPECT_TRUE(CqlValue::Null().FitsType(kInt));
  EXPECT_TRUE(CqlValue::Unset().FitsType(kDateType));
  EXPECT_FALSE(CqlValue::FromDate(CqlDate{}).FitsType(kTimestampType));
  EXPECT_EQ(CqlValue::FromTimestamp(Timestamp{}).KindName(), "timestamp");
}

TEST(CqlTypeTest, ReadsNestedOptions) {
  // map<text, frozen<list<int>>>
  std::string in = Bytes({0, 0x21, 0, 0x0D, 0, 0x20, 0, 0x09});
  CqlReader r(in);
  auto t = ReadType(r);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->ToString(), "map<text, list<int>>");
  EXPECT_TRUE(r.AtEnd());

  // tuple<uuid, date> and a custom type
  std::string tuple = Bytes({0, 0x31, 0, 2, 0, 0x0C, 0, 0x11});
  CqlReader rt(tuple);
  EXPECT_EQ(ReadType(rt)->ToString(), "tuple<uuid, date>");
  std::string custom = Bytes({0, 0, 0, 3}) + "a.B";
  CqlReader rc(custom);
  EXPECT_EQ(ReadType(rc)->ToString(), "'a.B'");

  // UDT ks.addr {street text}
  std::string udt =
      Bytes({0, 0x30, 0, 2, 'k', 's', 0, 4, 'a', 'd', 'd', 'r', 0, 1, 0, 6}) + "street" + Bytes({0, 0x0D});
  CqlReader ru(udt);
  auto u = ReadType(ru);
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->ToString(), "frozen<ks.addr>");
  EXPECT_EQ(u->field_names, (std::vector<std::string>{"street"}));
}

TEST(CqlTypeTest, RejectsUnknownIdsAndDeepNesting) {
  std::string unknown = Bytes({0, 0x0A});
  CqlReader r(unknown);
  EXPECT_EQ(ReadType(r).status().code(), StatusCode::kCorruption);
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += Bytes({0, 0x20});
  deep += Bytes({0, 0x09});
  CqlReader rd(deep);
  auto t = ReadType(rd);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("nested deeper"), std::string::npos);
}

TEST(CqlValueTest, FormatsCellsReadably) {
  EXPECT_EQ(FormatCell(kInt, Bytes({0, 0, 0, 7}), false), "7");
  EXPECT_EQ(FormatCell(kInt, "", true), "null");
  EXPECT_EQ(FormatCell(kDateType, Bytes({0x80, 0, 0, 0}), false), "1970-01-01");
  EXPECT_EQ(FormatCell(kTimestampType, Bytes({0, 0, 0x01, 0x8E, 0x1E, 0xA0, 0x29, 0x90}), false),
            "2024-03-08T15:13:16.688Z");
  CqlType list = CqlType::Of(CqlTypeId::kList);
  list.params.push_back(kText);
  EXPECT_EQ(FormatCell(list, Bytes({0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b'}), false), "[a, b]");
  auto elements = DecodeCollection(list, Bytes({0, 0, 0, 2, 0, 0, 0, 1, 'a', 0, 0, 0, 1, 'b'}));
  ASSERT_TRUE(elements.ok());
  EXPECT_EQ(elements->size(), 2u);
  EXPECT_FALSE(DecodeCollection(list, Bytes({0x7F, 0, 0, 0})).ok());
  EXPECT_EQ(FormatCell(CqlType::Of(CqlTypeId::kBlob), Bytes({0xCA, 0xFE}), false), "0xcafe");
}

}  // namespace
}  // namespace rtpipe::cql
