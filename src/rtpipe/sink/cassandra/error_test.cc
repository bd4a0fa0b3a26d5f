#include "rtpipe/sink/cassandra/error.h"

#include <gtest/gtest.h>

#include <string>

#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// <code:int><message:string>
std::string Head(int32_t code, std::string_view message) {
  std::string out;
  CqlWriter w(out);
  w.Int(code);
  w.String(message);
  return out;
}

TEST(CqlErrorTest, UnavailableCarriesConsistencyRequiredAlive) {
  std::string body =
      Head(0x1000, "Cannot achieve consistency level LOCAL_QUORUM") + Bytes({0, 0x06, 0, 0, 0, 2, 0, 0, 0, 1});
  auto e = DecodeError(body);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->consistency, Consistency::kLocalQuorum);
  EXPECT_EQ(e->required, 2);
  EXPECT_EQ(e->alive, 1);
  EXPECT_EQ(e->Action(), ErrorAction::kRetryOnceNextHost);
  Status s = e->ToStatus("10.0.0.1:9042");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(s.IsRetryable());
  EXPECT_NE(s.message().find("Cassandra Unavailable (0x1000) from 10.0.0.1:9042"), std::string::npos) << s;
  EXPECT_NE(s.message().find("consistency LOCAL_QUORUM needs 2 live replica(s), 1 alive"), std::string::npos) << s;
  EXPECT_NE(s.message().find("does not lower the consistency"), std::string::npos) << s;
}

TEST(CqlErrorTest, WriteTimeoutCarriesWriteType) {
  std::string body = Head(0x1100, "Operation timed out") + Bytes({0, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 6}) + "SIMPLE";
  auto e = DecodeError(body);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->write_type, "SIMPLE");
  EXPECT_EQ(e->block_for, 1);
  EXPECT_EQ(e->Action(), ErrorAction::kRetrySameHost);
  Status s = e->ToStatus("h:1");
  EXPECT_EQ(s.code(), StatusCode::kTimeout);
  EXPECT_NE(s.message().find("0 of 1 replica(s) acknowledged, write type SIMPLE"), std::string::npos) << s;
}

TEST(CqlErrorTest, ReadTimeoutAndFailures) {
  auto rt = DecodeError(Head(0x1200, "t") + Bytes({0, 0x04, 0, 0, 0, 1, 0, 0, 0, 2, 1}));
  ASSERT_TRUE(rt.ok());
  EXPECT_TRUE(rt->data_present);
  EXPECT_EQ(rt->ToStatus("h").code(), StatusCode::kTimeout);

  auto rf = DecodeError(Head(0x1300, "f") + Bytes({0, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0}));
  ASSERT_TRUE(rf.ok());
  EXPECT_EQ(rf->num_failures, 1);
  EXPECT_EQ(rf->ToStatus("h").code(), StatusCode::kInternal);
  EXPECT_EQ(rf->Action(), ErrorAction::kFail);

  auto wf = DecodeError(Head(0x1500, "f") + Bytes({0, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 5}) + "BATCH");
  ASSERT_TRUE(wf.ok());
  EXPECT_EQ(wf->write_type, "BATCH");
}

TEST(CqlErrorTest, AlreadyExistsNamesKeyspaceAndTable) {
  auto e = DecodeError(Head(0x2400, "Cannot add already existing table \"t\" to keyspace \"ks\"") +
                       Bytes({0, 2, 'k', 's', 0, 1, 't'}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->keyspace, "ks");
  EXPECT_EQ(e->table, "t");
  Status s = e->ToStatus("h");
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.message().find("[table ks.t]"), std::string::npos) << s;
  auto ks = DecodeError(Head(0x2400, "x") + Bytes({0, 2, 'k', 's', 0, 0}));
  EXPECT_NE(ks->ToStatus("h").message().find("[keyspace ks]"), std::string::npos);
}

TEST(CqlErrorTest, UnpreparedCarriesTheId) {
  auto e = DecodeError(Head(0x2500, "Prepared query with ID 0abc not found") + Bytes({0, 2, 0x0A, 0xBC}));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->unprepared_id, Bytes({0x0A, 0xBC}));
  EXPECT_EQ(e->Action(), ErrorAction::kReprepare);
  EXPECT_NE(e->ToStatus("h").message().find("[statement id 0abc]"), std::string::npos);
}

TEST(CqlErrorTest, ClassifiesEveryCode) {
  struct Case {
    int32_t code;
    StatusCode status;
    ErrorAction action;
    const char* name;
  };
  const Case cases[] = {
      {0x0000, StatusCode::kInternal, ErrorAction::kFail, "Server_error"},
      {0x000A, StatusCode::kInternal, ErrorAction::kFail, "Protocol_error"},
      {0x0100, StatusCode::kPermissionDenied, ErrorAction::kFail, "Authentication_error"},
      {0x1001, StatusCode::kResourceExhausted, ErrorAction::kRetryNextHost, "Overloaded"},
      {0x1002, StatusCode::kUnavailable, ErrorAction::kRetryNextHost, "Is_bootstrapping"},
      {0x1003, StatusCode::kInternal, ErrorAction::kFail, "Truncate_error"},
      {0x2000, StatusCode::kInvalidArgument, ErrorAction::kFail, "Syntax_error"},
      {0x2100, StatusCode::kPermissionDenied, ErrorAction::kFail, "Unauthorized"},
      {0x2200, StatusCode::kInvalidArgument, ErrorAction::kFail, "Invalid"},
      {0x2300, StatusCode::kFailedPrecondition, ErrorAction::kFail, "Config_error"},
      {0x7777, StatusCode::kInternal, ErrorAction::kFail, "error 0x7777"},
  };
  for (const auto& c : cases) {
    auto e = DecodeError(Head(c.code, "msg"));
    ASSERT_TRUE(e.ok()) << c.name;
    EXPECT_EQ(ErrorCodeName(c.code), c.name);
    EXPECT_EQ(e->ToStatus("h").code(), c.status) << c.name;
    EXPECT_EQ(e->Action(), c.action) << c.name;
    EXPECT_NE(e->ToStatus("h").message().find(c.name), std::string::npos) << c.name;
  }
}

TEST(CqlErrorTest, SyntaxErrorMessageIsKept) {
  auto e = DecodeError(Head(0x2000, "line 1:0 no viable alternative at input 'SELEC'"));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->ToStatus("127.0.0.1:9042").ToString(),
            "InvalidArgument: Cassandra Syntax_error (0x2000) from 127.0.0.1:9042: line 1:0 no viable alternative at "
            "input 'SELEC'");
}

TEST(CqlErrorTest, TruncatedBodiesAreCorruption) {
  EXPECT_EQ(DecodeError(Bytes({0, 0})).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeError(Head(0x1000, "x") + Bytes({0, 1})).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeError(Head(0x2500, "x") + Bytes({0, 9, 1})).status().code(), StatusCode::kCorruption);
}

TEST(CqlErrorTest, ExtraTrailingBytesAreIgnored) {
  auto e = DecodeError(Head(0x2200, "x") + "future extension");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->message, "x");
}

}  // namespace
}  // namespace rtpipe::cql
