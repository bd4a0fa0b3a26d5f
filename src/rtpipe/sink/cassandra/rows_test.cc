#include "rtpipe/sink/cassandra/rows.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Rows body (after the kind): global spec ks.t, columns id int, name text; 2 rows; a null cell.
std::string TwoRows(bool more_pages) {
  std::string b = Bytes({0, 0, 0, more_pages ? 0x03 : 0x01, 0, 0, 0, 2});
  if (more_pages) b += Bytes({0, 0, 0, 3, 'p', 'g', 's'});
  b += Bytes({0, 2, 'k', 's', 0, 1, 't'});
  b += Bytes({0, 2, 'i', 'd', 0, 0x09});
  b += Bytes({0, 4, 'n', 'a', 'm', 'e', 0, 0x0D});
  b += Bytes({0, 0, 0, 2});
  b += Bytes({0, 0, 0, 4, 0, 0, 0, 7, 0, 0, 0, 3, 'a', 'b', 'c'});
  b += Bytes({0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF});
  return b;
}

TEST(CqlRowsTest, DecodesCellsAndMetadata) {
  std::string prefix = "XYZ";  // rows decode from an offset into the frame body
  auto rows = CqlRows::Decode(prefix + TwoRows(false), prefix.size());
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  ASSERT_EQ(rows->column_count(), 2u);
  EXPECT_EQ(rows->columns()[0].keyspace, "ks");
  EXPECT_EQ(rows->columns()[1].table, "t");
  EXPECT_EQ(rows->columns()[1].type.ToString(), "text");
  EXPECT_FALSE(rows->has_more_pages());

  EXPECT_EQ(*rows->row(0).Get<int32_t>(0), 7);
  EXPECT_EQ(*rows->row(0).Get<int64_t>("id"), 7);
  EXPECT_EQ(*rows->row(0).Get<std::string>("name"), "abc");
  EXPECT_EQ(*(*rows)[1].Get<int32_t>("id"), -8);
  EXPECT_TRUE(rows->row(1).IsNull(1));
  EXPECT_EQ(rows->row(1).Format(1), "null");
  EXPECT_EQ(rows->row(0).Format(0), "7");

  auto null_read = rows->row(1).Get<std::string>("name");
  ASSERT_FALSE(null_read.ok());
  EXPECT_NE(null_read.status().message().find("is null"), std::string::npos);
  auto wrong = rows->row(0).Get<Uuid>("name");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), "column name: column is text, read as uuid");
  auto missing = rows->row(0).Get<std::string>("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("columns: id, name"), std::string::npos);
}

TEST(CqlRowsTest, PagingState) {
  auto rows = CqlRows::Decode(TwoRows(true), 0);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_TRUE(rows->has_more_pages());
  EXPECT_EQ(rows->paging_state(), "pgs");
  EXPECT_EQ(rows->size(), 2u);
}

TEST(CqlRowsTest, SurvivesMovesOfSmallBodies) {
  // A body short enough for the small-string buffer: cells are offsets, so moves cannot dangle.
  std::string b = Bytes({0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'k', 0, 1, 't', 0, 1, 'c', 0, 0x09, 0, 0, 0, 0});
  auto rows = CqlRows::Decode(b, 0);
  ASSERT_TRUE(rows.ok()) << rows.status();
  CqlRows moved = std::move(*rows);
  CqlRows again = moved;
  EXPECT_EQ(again.size(), 0u);
  EXPECT_EQ(again.columns()[0].name, "c");
}

TEST(CqlRowsTest, NoMetadataResult) {
  std::string b = Bytes({0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'x'});
  auto rows = CqlRows::Decode(b, 0);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->row(0).Raw(0), "x");
  EXPECT_EQ(rows->row(0).Get<std::string>(0).status().code(), StatusCode::kFailedPrecondition);
}

TEST(CqlRowsTest, MalformedRowsAreRejected) {
  std::string good = TwoRows(false);
  // Every truncation of a valid body fails cleanly.
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(CqlRows::Decode(good.substr(0, n), 0).ok()) << "prefix of " << n << " bytes";
  }
  // A row count that cannot fit.
  std::string huge = Bytes({0, 0, 0, 4, 0, 0, 0, 100, 0x7F, 0xFF, 0xFF, 0xFF});
  auto r = CqlRows::Decode(huge, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("claims"), std::string::npos);
  // Negative column count.
  EXPECT_FALSE(CqlRows::Decode(Bytes({0, 0, 0, 4, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0}), 0).ok());
  EXPECT_FALSE(CqlRows::Decode(good, good.size() + 1).ok());
}

}  // namespace
}  // namespace rtpipe::cql
