#include "rtpipe/sink/cassandra/messages.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(RequestTest, StartupIsAStringMap) {
  std::string body = EncodeStartup(false);
  CqlReader r(body);
  auto map = r.StringMap();
  ASSERT_TRUE(map.ok());
  EXPECT_EQ((*map)[0], (std::pair<std::string, std::string>("CQL_VERSION", "3.0.0")));
  EXPECT_TRUE(r.AtEnd());
  std::string lz4 = EncodeStartup(true);
  EXPECT_NE(lz4.find("COMPRESSION"), std::string::npos);
  EXPECT_NE(lz4.find("lz4"), std::string::npos);
}

TEST(RequestTest, PlainSaslToken) {
  EXPECT_EQ(PlainSaslToken("cassandra", "pw"), std::string("\0cassandra\0pw", 13));
  EXPECT_EQ(EncodeAuthResponse(PlainSaslToken("u", "p")), Bytes({0, 0, 0, 4, 0, 'u', 0, 'p'}));
}

TEST(RequestTest, QueryWithoutValues) {
  QueryParams p;
  p.consistency = Consistency::kOne;
  EXPECT_EQ(EncodeQuery("SELECT", {}, p), Bytes({0, 0, 0, 6, 'S', 'E', 'L', 'E', 'C', 'T', 0, 1, 0x00}));
}

TEST(RequestTest, QueryWithEveryParameter) {
  QueryParams p;
  p.consistency = Consistency::kLocalQuorum;
  p.page_size = 100;
  p.paging_state = "ps";
  p.serial_consistency = Consistency::kLocalSerial;
  p.timestamp_micros = 1;
  std::vector<CqlValue> values = {CqlValue::Int(5), CqlValue::Null()};
  std::string expected = Bytes({0, 0, 0, 1, 'q'}) +                                       // [long string]
                         Bytes({0, 6}) +                                                  // LOCAL_QUORUM
                         Bytes({0x01 | 0x04 | 0x08 | 0x10 | 0x20}) +                      // flags
                         Bytes({0, 2, 0, 0, 0, 4, 0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF}) +  // values
                         Bytes({0, 0, 0, 100}) +                                          // page size
                         Bytes({0, 0, 0, 2, 'p', 's'}) +                                  // paging state
                         Bytes({0, 9}) +                                                  // LOCAL_SERIAL
                         Bytes({0, 0, 0, 0, 0, 0, 0, 1});                                 // timestamp
  EXPECT_EQ(EncodeQuery("q", values, p), expected);
}

TEST(RequestTest, PrepareAndExecute) {
  EXPECT_EQ(EncodePrepare("ab"), Bytes({0, 0, 0, 2, 'a', 'b'}));
  QueryParams p;
  p.consistency = Consistency::kQuorum;
  std::vector<CqlValue> values = {CqlValue::Text("x")};
  EXPECT_EQ(EncodeExecute(Bytes({0xAA, 0xBB}), values, p),
            Bytes({0, 2, 0xAA, 0xBB, 0, 4, 0x01, 0, 1, 0, 0, 0, 1, 'x'}));
}

TEST(RequestTest, UnloggedBatchMixesPreparedAndText) {
  std::vector<CqlValue> a = {CqlValue::Int(1)};
  std::vector<CqlValue> none;
  const std::string id = Bytes({0x01, 0x02});
  std::vector<BatchEntry> entries = {{true, id, a}, {false, "DELETE", none}};
  QueryParams p;
  p.consistency = Consistency::kOne;
  p.timestamp_micros = 2;
  std::string expected = Bytes({1, 0, 2}) +                                            // unlogged, 2 statements
                         Bytes({1, 0, 2, 0x01, 0x02, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1}) +  // prepared
                         Bytes({0, 0, 0, 0, 6, 'D', 'E', 'L', 'E', 'T', 'E', 0, 0}) +  // text, no values
                         Bytes({0, 1, 0x20, 0, 0, 0, 0, 0, 0, 0, 2});                  // ONE, timestamp flag
  EXPECT_EQ(EncodeBatch(BatchType::kUnlogged, entries, p), expected);
}

TEST(ResponseTest, EnvelopeWithTracingAndWarnings) {
  FrameHeader h;
  h.flags = frame_flags::kTracing | frame_flags::kWarning;
  std::string body = std::string(16, '\x01') + Bytes({0, 1, 0, 2, 'w', '!'}) + "rest";
  auto env = DecodeEnvelope(h, body);
  ASSERT_TRUE(env.ok()) << env.status();
  ASSERT_TRUE(env->tracing_id.has_value());
  EXPECT_EQ(env->warnings, (std::vector<std::string>{"w!"}));
  EXPECT_EQ(body.substr(env->message_offset), "rest");

  h.flags = frame_flags::kWarning;
  EXPECT_FALSE(DecodeEnvelope(h, Bytes({0, 5})).ok());
}

TEST(ResponseTest, VoidSetKeyspaceSchemaChange) {
  auto v = DecodeResult(Bytes({0, 0, 0, 1}), 0);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->kind, ResultKind::kVoid);

  auto ks = DecodeResult(Bytes({0, 0, 0, 3, 0, 2, 'k', 's'}), 0);
  ASSERT_TRUE(ks.ok());
  EXPECT_EQ(ks->keyspace, "ks");

  std::string change =
      Bytes({0, 0, 0, 5, 0, 7}) + "CREATED" + Bytes({0, 5}) + "TABLE" + Bytes({0, 2, 'k', 's', 0, 1, 't'});
  auto sc = DecodeResult(change, 0);
  ASSERT_TRUE(sc.ok()) << sc.status();
  EXPECT_EQ(sc->schema_change.ToString(), "CREATED TABLE ks.t");

  std::string keyspace_change = Bytes({0, 0, 0, 5, 0, 7}) + "DROPPED" + Bytes({0, 8}) + "KEYSPACE" + Bytes({0, 1, 'k'});
  EXPECT_EQ(DecodeResult(keyspace_change, 0)->schema_change.ToString(), "DROPPED KEYSPACE k");

  EXPECT_EQ(DecodeResult(Bytes({0, 0, 0, 9}), 0).status().code(), StatusCode::kCorruption);
}

TEST(ResponseTest, PreparedResult) {
  // id 0xCAFE; metadata: flags=global, 2 columns, 1 pk index (0), ks.t, id uuid, n int; result metadata: no_metadata.
  std::string body = Bytes({0, 0, 0, 4, 0, 2, 0xCA, 0xFE}) + Bytes({0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0}) +
                     Bytes({0, 2, 'k', 's', 0, 1, 't', 0, 2, 'i', 'd', 0, 0x0C, 0, 1, 'n', 0, 0x09}) +
                     Bytes({0, 0, 0, 4, 0, 0, 0, 0});
  auto m = DecodeResult(body, 0);
  ASSERT_TRUE(m.ok()) << m.status();
  ASSERT_EQ(m->kind, ResultKind::kPrepared);
  EXPECT_EQ(m->prepared.id, Bytes({0xCA, 0xFE}));
  ASSERT_EQ(m->prepared.bind_columns.size(), 2u);
  EXPECT_EQ(m->prepared.bind_columns[0].type.id, CqlTypeId::kUuid);
  EXPECT_EQ(m->prepared.bind_columns[1].name, "n");
  EXPECT_EQ(m->prepared.pk_indexes, (std::vector<uint16_t>{0}));
  EXPECT_TRUE(m->prepared.result_metadata.no_metadata);
  for (size_t n = 4; n < body.size(); ++n) EXPECT_FALSE(DecodeResult(body.substr(0, n), 0).ok()) << n;
}

TEST(ResponseTest, RowsResultKeepsTheBody) {
  std::string body = Bytes(
      {0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'k', 0, 1, 't', 0, 1, 'c', 0, 0x0D, 0, 0, 0, 1, 0, 0, 0, 2, 'h', 'i'});
  auto m = DecodeResult(body, 0);
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(*m->rows.row(0).Get<std::string>("c"), "hi");
}

TEST(ResponseTest, AuthAndSupported) {
  EXPECT_EQ(*DecodeAuthenticate(Bytes({0, 3, 'a', '.', 'B'})), "a.B");
  EXPECT_FALSE(DecodeAuthToken(Bytes({0xFF, 0xFF, 0xFF, 0xFF}))->has_value());
  EXPECT_EQ(**DecodeAuthToken(Bytes({0, 0, 0, 1, 'x'})), "x");
  auto supported = DecodeSupported(Bytes({0, 1, 0, 1, 'K', 0, 1, 0, 1, 'v'}));
  ASSERT_TRUE(supported.ok());
  EXPECT_EQ(supported->at("K"), (std::vector<std::string>{"v"}));
}

TEST(ResponseTest, Events) {
  std::string status =
      Bytes({0, 13}) + "STATUS_CHANGE" + Bytes({0, 4}) + "DOWN" + Bytes({4, 10, 0, 0, 2, 0, 0, 0x23, 0x52});
  auto e = DecodeEvent(status);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->second, "DOWN 10.0.0.2:9042");
  EXPECT_FALSE(DecodeEvent(Bytes({0, 1, 'X'})).ok());
}

}  // namespace
}  // namespace rtpipe::cql
