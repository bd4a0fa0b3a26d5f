// The CQL client against a real Apache Cassandra 5.0 node (fixture "cassandra"): schema creation,
// every column type written with prepared upserts and read back, paging, batches, asynchronous
// writes, compression, error decoding, UNPREPARED handling, Unavailable and host failures.

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <future>
#include <limits>
#include <map>
#include <set>

#include "cassandra_test_util.h"

namespace rtpipe::cql {
namespace {

using testing::ConnectOrFail;
using testing::CountRows;
using testing::CreateKeyspace;
using testing::NodeOptions;

constexpr const char* kKeyspace = "rtpipe_client_it";

class CassandraClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto session = CqlSession::Connect(NodeOptions());
    ASSERT_TRUE(session.ok()) << session.status();
    ASSERT_TRUE((*session)->Execute(fmt::format("DROP KEYSPACE IF EXISTS {}", kKeyspace)).ok());
    Status created = CreateKeyspace(**session, kKeyspace);
    ASSERT_TRUE(created.ok()) << created;
  }

  void SetUp() override {
    session_ = ConnectOrFail(NodeOptions());
    ASSERT_NE(session_, nullptr);
  }

  std::string Table(const std::string& name) { return fmt::format("{}.{}", kKeyspace, name); }

  std::unique_ptr<CqlSession> session_;
};

TEST_F(CassandraClientTest, ServerSpeaksV4AndReportsItsVersion) {
  auto rows = session_->Execute("SELECT release_version, cluster_name FROM system.local");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  auto version = rows->row(0).Get<std::string>("release_version");
  ASSERT_TRUE(version.ok()) << version.status();
  EXPECT_EQ(version->rfind("5.0.", 0), 0u) << *version;
}

TEST_F(CassandraClientTest, KeyspaceOptionAndIfNotExistsAreIdempotent) {
  ASSERT_TRUE(CreateKeyspace(*session_, kKeyspace).ok());  // exists already: no error
  auto options = NodeOptions();
  options.keyspace = kKeyspace;
  auto in_keyspace = ConnectOrFail(options);
  ASSERT_NE(in_keyspace, nullptr);
  ASSERT_TRUE(in_keyspace->Execute("CREATE TABLE IF NOT EXISTS unqualified (k int PRIMARY KEY, v text)").ok());
  ASSERT_TRUE(
      in_keyspace->Execute("INSERT INTO unqualified (k, v) VALUES (?, ?)", {CqlValue::Int(1), CqlValue::Text("x")})
          .ok());
  auto rows = session_->Execute(fmt::format("SELECT v FROM {} WHERE k = 1", Table("unqualified")));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(*rows->row(0).Get<std::string>(0), "x");

  options.keyspace = "no_such_keyspace_anywhere";
  auto missing = CqlSession::Connect(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument) << missing.status();
  EXPECT_NE(missing.status().message().find("no_such_keyspace_anywhere"), std::string::npos) << missing.status();
}

struct TypedRow {
  Uuid id;
  std::optional<std::string> text;
  std::optional<int32_t> i;
  std::optional<int64_t> big;
  std::optional<Timestamp> ts;
  std::optional<CqlDate> date;
  std::optional<double> dbl;
  std::optional<bool> flag;
};

template <typename T, typename F>
CqlValue Opt(const std::optional<T>& v, F make) {
  return v ? make(*v) : CqlValue::Null();
}

TEST_F(CassandraClientTest, PreparedUpsertsOfEveryTypeReadBackEqual) {
  ASSERT_TRUE(
      session_
          ->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (id uuid PRIMARY KEY, t text, i int, big bigint, "
                                "ts timestamp, d date, dbl double, flag boolean)",
                                Table("all_types")))
          .ok());
  auto insert = session_->Prepare(fmt::format(
      "INSERT INTO {} (id, t, i, big, ts, d, dbl, flag) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", Table("all_types")));
  ASSERT_TRUE(insert.ok()) << insert.status();
  ASSERT_EQ(insert->bind_columns().size(), 8u);
  EXPECT_EQ(insert->bind_columns()[4].type.ToString(), "timestamp");

  std::vector<TypedRow> rows = {
      {Uuid::Random(), "plain ascii", 42, 1234567890123, TimestampFromMillis(1709910796688),
       *CqlDate::Parse("1993-07-20"), 3.25, true},
      {Uuid::Random(), "ünïcødé ✓ 日本", std::numeric_limits<int32_t>::min(), std::numeric_limits<int64_t>::max(),
       TimestampFromMillis(-86'400'000), *CqlDate::Parse("1900-02-28"), -0.0, false},
      {Uuid::Random(), "", std::numeric_limits<int32_t>::max(), std::numeric_limits<int64_t>::min(),
       TimestampFromMillis(0), CqlDate{0}, std::numeric_limits<double>::infinity(), true},
      {Uuid::Random(), std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt,
       std::nullopt},
      {Uuid::Random(), std::string(20000, 'x'), 0, 0, TimestampFromMillis(253402300799999),
       *CqlDate::Parse("9999-12-31"), 1e-300, false},
  };
  for (const auto& r : rows) {
    auto done = session_->Execute(
        *insert, {CqlValue::FromUuid(r.id), Opt(r.text, CqlValue::Text), Opt(r.i, CqlValue::Int),
                  Opt(r.big, CqlValue::Bigint), Opt(r.ts, CqlValue::FromTimestamp), Opt(r.date, CqlValue::FromDate),
                  Opt(r.dbl, CqlValue::Double), Opt(r.flag, CqlValue::Boolean)});
    ASSERT_TRUE(done.ok()) << done.status();
  }

  auto select =
      session_->Prepare(fmt::format("SELECT id, t, i, big, ts, d, dbl, flag FROM {} WHERE id = ?", Table("all_types")));
  ASSERT_TRUE(select.ok()) << select.status();
  for (const auto& r : rows) {
    auto got = session_->Execute(*select, {CqlValue::FromUuid(r.id)});
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_EQ(got->size(), 1u) << r.id.ToString();
    CqlRow row = got->row(0);
    EXPECT_EQ(*row.Get<Uuid>("id"), r.id);
    auto check = [&](const char* column, const auto& expected, auto read) {
      if (!expected) {
        EXPECT_TRUE(row.IsNull(*got->ColumnIndex(column))) << column;
        return;
      }
      auto value = read(column);
      ASSERT_TRUE(value.ok()) << column << ": " << value.status();
      EXPECT_EQ(*value, *expected) << column;
    };
    check("t", r.text, [&](const char* c) { return row.Get<std::string>(c); });
    check("i", r.i, [&](const char* c) { return row.Get<int32_t>(c); });
    check("big", r.big, [&](const char* c) { return row.Get<int64_t>(c); });
    check("ts", r.ts, [&](const char* c) { return row.Get<Timestamp>(c); });
    check("d", r.date, [&](const char* c) { return row.Get<CqlDate>(c); });
    check("dbl", r.dbl, [&](const char* c) { return row.Get<double>(c); });
    check("flag", r.flag, [&](const char* c) { return row.Get<bool>(c); });
    if (r.dbl && *r.dbl == 0.0) {
      EXPECT_TRUE(std::signbit(*row.Get<double>("dbl"))) << "-0.0 keeps its sign";
    }
  }

  // Unset leaves a column untouched; null deletes it.
  const auto& first = rows[0];
  ASSERT_TRUE(
      session_
          ->Execute(*insert, {CqlValue::FromUuid(first.id), CqlValue::Unset(), CqlValue::Int(7), CqlValue::Unset(),
                              CqlValue::Unset(), CqlValue::Unset(), CqlValue::Null(), CqlValue::Unset()})
          .ok());
  auto after = session_->Execute(*select, {CqlValue::FromUuid(first.id)});
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after->row(0).Get<std::string>("t"), "plain ascii");
  EXPECT_EQ(*after->row(0).Get<int32_t>("i"), 7);
  EXPECT_TRUE(after->row(0).IsNull(6));
}

TEST_F(CassandraClientTest, TimestampOptionSetsTheWriteTime) {
  ASSERT_TRUE(
      session_->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, v text)", Table("wt"))).ok());
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("wt")));
  ASSERT_TRUE(insert.ok());
  QueryOptions newer, older;
  newer.timestamp_micros = 2'000'000;
  older.timestamp_micros = 1'000'000;
  ASSERT_TRUE(session_->Execute(*insert, {CqlValue::Int(1), CqlValue::Text("new")}, newer).ok());
  // A replay with an older deterministic timestamp does not overwrite the newer value.
  ASSERT_TRUE(session_->Execute(*insert, {CqlValue::Int(1), CqlValue::Text("old")}, older).ok());
  auto rows = session_->Execute(fmt::format("SELECT v, WRITETIME(v) FROM {} WHERE k = 1", Table("wt")));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows->row(0).Get<std::string>(0), "new");
  EXPECT_EQ(*rows->row(0).Get<int64_t>(1), 2'000'000);
}

TEST_F(CassandraClientTest, PagingVisitsEveryRowOnce) {
  ASSERT_TRUE(session_
                  ->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (p int, c int, v text, PRIMARY KEY (p, c))",
                                        Table("paged")))
                  .ok());
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (p, c, v) VALUES (?, ?, ?)", Table("paged")));
  ASSERT_TRUE(insert.ok());
  constexpr int kRows = 2345;
  std::vector<std::future<Result<CqlRows>>> writes;
  for (int i = 0; i < kRows; ++i) {
    writes.push_back(
        session_->ExecuteAsync(*insert, {CqlValue::Int(i % 7), CqlValue::Int(i), CqlValue::Text(std::to_string(i))}));
  }
  for (auto& w : writes) ASSERT_TRUE(w.get().ok());

  for (bool prepared : {true, false}) {
    const std::string query = fmt::format("SELECT c, v FROM {}", Table("paged"));
    CqlPager pager = prepared ? session_->Pages(*session_->Prepare(query), {}, 500) : session_->Pages(query, {}, 500);
    std::set<int> seen;
    int pages = 0;
    for (;;) {
      auto page = pager.Next();
      ASSERT_TRUE(page.ok()) << page.status();
      if (!page->has_value()) break;
      ++pages;
      EXPECT_LE((*page)->size(), 500u);
      for (size_t r = 0; r < (*page)->size(); ++r) {
        int c = *(*page)->row(r).Get<int32_t>("c");
        EXPECT_EQ(*(*page)->row(r).Get<std::string>("v"), std::to_string(c));
        EXPECT_TRUE(seen.insert(c).second) << "row " << c << " seen twice";
      }
    }
    EXPECT_EQ(seen.size(), static_cast<size_t>(kRows));
    EXPECT_GE(pages, 5) << "2345 rows at 500 per page";
  }

  // One page at a time by hand, with a bound value.
  QueryOptions q;
  q.page_size = 100;
  auto first = session_->Execute(fmt::format("SELECT c FROM {} WHERE p = ?", Table("paged")), {CqlValue::Int(3)}, q);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 100u);
  EXPECT_TRUE(first->has_more_pages());
  q.paging_state = first->paging_state();
  auto second = session_->Execute(fmt::format("SELECT c FROM {} WHERE p = ?", Table("paged")), {CqlValue::Int(3)}, q);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_GT(*second->row(0).Get<int32_t>(0), *first->row(99).Get<int32_t>(0));
}

TEST_F(CassandraClientTest, UnloggedAndLoggedBatches) {
  ASSERT_TRUE(
      session_->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, v text)", Table("batched")))
          .ok());
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("batched")));
  ASSERT_TRUE(insert.ok());
  CqlBatch unlogged;
  for (int i = 0; i < 50; ++i) unlogged.Add(*insert, {CqlValue::Int(i), CqlValue::Text(fmt::format("u{}", i))});
  unlogged.Add(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("batched")),
               {CqlValue::Int(50), CqlValue::Text("text")});
  Status s = session_->Batch(std::move(unlogged));
  ASSERT_TRUE(s.ok()) << s;
  EXPECT_EQ(*CountRows(*session_, Table("batched")), 51);

  CqlBatch logged(BatchType::kLogged);
  logged.Add(*insert, {CqlValue::Int(100), CqlValue::Text("l")});
  logged.Add(fmt::format("DELETE FROM {} WHERE k = 0", Table("batched")));
  ASSERT_TRUE(session_->Batch(std::move(logged)).ok());
  EXPECT_EQ(*CountRows(*session_, Table("batched")), 51);

  CqlBatch bad;
  bad.Add(*insert, {CqlValue::Int(1)});
  Status wrong = session_->Batch(std::move(bad));
  EXPECT_EQ(wrong.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wrong.message().find("batch statement 0"), std::string::npos) << wrong;
}

TEST_F(CassandraClientTest, ManyAsyncWritesAndLz4Compression) {
  auto options = NodeOptions();
  options.compression = true;
  auto lz4 = ConnectOrFail(options);
  ASSERT_NE(lz4, nullptr);
  ASSERT_TRUE(
      lz4->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, v text)", Table("async"))).ok());
  auto insert = lz4->Prepare(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("async")));
  ASSERT_TRUE(insert.ok());
  constexpr int kRows = 5000;
  std::atomic<int> ok{0};
  std::atomic<int> failed{0};
  std::promise<void> all_done;
  std::atomic<int> remaining{kRows};
  const std::string payload(600, 'p');  // bodies above the compression threshold
  for (int i = 0; i < kRows; ++i) {
    lz4->ExecuteAsync(*insert, {CqlValue::Int(i), CqlValue::Text(payload + std::to_string(i))}, [&](Result<CqlRows> r) {
      (r.ok() ? ok : failed)++;
      if (--remaining == 0) all_done.set_value();
    });
  }
  all_done.get_future().get();
  EXPECT_EQ(ok.load(), kRows);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(*CountRows(*lz4, Table("async")), kRows);
  auto rows = lz4->Execute(fmt::format("SELECT v FROM {} WHERE k = 4321", Table("async")));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows->row(0).Get<std::string>(0), payload + "4321");
  EXPECT_EQ(lz4->stats().failures, 0u);
}

TEST_F(CassandraClientTest, ErrorsAreDecodedIntoClearStatuses) {
  auto syntax = session_->Execute("SELEC * FROM nowhere");
  ASSERT_FALSE(syntax.ok());
  EXPECT_EQ(syntax.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(syntax.status().message().find("Syntax_error (0x2000)"), std::string::npos) << syntax.status();

  auto unknown = session_->Execute(fmt::format("SELECT * FROM {}", Table("no_such_table")));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("Invalid (0x2200)"), std::string::npos) << unknown.status();
  EXPECT_NE(unknown.status().message().find("no_such_table"), std::string::npos) << unknown.status();
  auto unknown_prepare = session_->Prepare(fmt::format("INSERT INTO {} (k) VALUES (?)", Table("no_such_table")));
  EXPECT_EQ(unknown_prepare.status().code(), StatusCode::kInvalidArgument) << unknown_prepare.status();

  ASSERT_TRUE(
      session_->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, big bigint)", Table("typed")))
          .ok());
  // Wrong type on a prepared statement: refused by the client, naming the marker and both types.
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (k, big) VALUES (?, ?)", Table("typed")));
  ASSERT_TRUE(insert.ok());
  auto client_side = session_->Execute(*insert, {CqlValue::Int(1), CqlValue::Text("nope")});
  ASSERT_FALSE(client_side.ok());
  EXPECT_EQ(client_side.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(client_side.status().message().find("bind marker 1 (big) is bigint, but the value given is text"),
            std::string::npos)
      << client_side.status();
  auto count = session_->Execute(*insert, {CqlValue::Int(1)});
  EXPECT_NE(count.status().message().find("2 bind marker(s), 1 value(s) given"), std::string::npos) << count.status();
  // Wrong type on a plain query: the server refuses the 4-byte int for the bigint column.
  auto server_side = session_->Execute(fmt::format("INSERT INTO {} (k, big) VALUES (?, ?)", Table("typed")),
                                       {CqlValue::Int(1), CqlValue::Int(2)});
  ASSERT_FALSE(server_side.ok());
  EXPECT_EQ(server_side.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(server_side.status().message().find("Invalid (0x2200)"), std::string::npos) << server_side.status();

  auto exists = session_->Execute(fmt::format("CREATE TABLE {} (k int PRIMARY KEY)", Table("typed")));
  ASSERT_FALSE(exists.ok());
  EXPECT_EQ(exists.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(exists.status().message().find(fmt::format("[table {}.typed]", kKeyspace)), std::string::npos)
      << exists.status();

  auto use = session_->Execute(fmt::format("USE {}", kKeyspace));
  EXPECT_EQ(use.status().code(), StatusCode::kInvalidArgument) << use.status();
  EXPECT_EQ(session_->stats().in_flight, 0);
}

TEST_F(CassandraClientTest, UnavailableIsReportedNotDowngraded) {
  // RF 3 on a single node: LOCAL_QUORUM needs 2 replicas, 1 is alive.
  const std::string keyspace = "rtpipe_client_rf3";
  ASSERT_TRUE(session_->Execute(fmt::format("DROP KEYSPACE IF EXISTS {}", keyspace)).ok());
  ASSERT_TRUE(CreateKeyspace(*session_, keyspace, 3).ok());
  ASSERT_TRUE(session_->Execute(fmt::format("CREATE TABLE {}.t (k int PRIMARY KEY, v int)", keyspace)).ok());
  auto write = session_->Execute(fmt::format("INSERT INTO {}.t (k, v) VALUES (1, 1)", keyspace));
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(write.status().message().find("consistency LOCAL_QUORUM needs 2 live replica(s), 1 alive"),
            std::string::npos)
      << write.status();
  QueryOptions one;
  one.consistency = Consistency::kOne;
  auto rows = session_->Execute(fmt::format("SELECT * FROM {}.t", keyspace), {}, one);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 0u) << "the refused write must not have been applied at a lower level";
  // Asking explicitly for ONE works.
  EXPECT_TRUE(session_->Execute(fmt::format("INSERT INTO {}.t (k, v) VALUES (1, 1)", keyspace), {}, one).ok());
  ASSERT_TRUE(session_->Execute(fmt::format("DROP KEYSPACE {}", keyspace)).ok());
}

TEST_F(CassandraClientTest, UnpreparedAfterTheServerForgetsIsReprepared) {
  ASSERT_TRUE(
      session_->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, v text)", Table("forget")))
          .ok());
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("forget")));
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(session_->Execute(*insert, {CqlValue::Int(1), CqlValue::Text("a")}).ok());
  // Dropping the table makes the server evict the statements on it (QueryProcessor's schema
  // listener); the client still holds the old id and meets UNPREPARED on its next EXECUTE.
  ASSERT_TRUE(session_->Execute(fmt::format("DROP TABLE {}", Table("forget"))).ok());
  ASSERT_TRUE(session_->Execute(fmt::format("CREATE TABLE {} (k int PRIMARY KEY, v text)", Table("forget"))).ok());
  const auto before = session_->stats().reprepares;
  auto again = session_->Execute(*insert, {CqlValue::Int(2), CqlValue::Text("b")});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_GT(session_->stats().reprepares, before) << "the EXECUTE must have met UNPREPARED";
  // The same in a batch.
  ASSERT_TRUE(session_->Execute(fmt::format("DROP TABLE {}", Table("forget"))).ok());
  ASSERT_TRUE(session_->Execute(fmt::format("CREATE TABLE {} (k int PRIMARY KEY, v text)", Table("forget"))).ok());
  CqlBatch batch;
  batch.Add(*insert, {CqlValue::Int(3), CqlValue::Text("c")});
  Status batched = session_->Batch(std::move(batch));
  ASSERT_TRUE(batched.ok()) << batched;
  EXPECT_EQ(*CountRows(*session_, Table("forget")), 1);
}

TEST_F(CassandraClientTest, DownHostsAreSkippedAndAllDownFailsClearly) {
  auto options = NodeOptions();
  options.hosts.push_back("127.0.0.1:1");  // nothing listens there
  auto session = ConnectOrFail(options);
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(session->stats().hosts_up, 1);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(session->Execute("SELECT now() FROM system.local").ok());

  CqlOptions none;
  none.hosts = {"127.0.0.1:1", "127.0.0.1:2"};
  auto failed = CqlSession::Connect(none);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.status().message().find("127.0.0.1:1"), std::string::npos) << failed.status();
  EXPECT_NE(failed.status().message().find("127.0.0.1:2"), std::string::npos) << failed.status();
}

TEST_F(CassandraClientTest, CloseWithWritesInFlightIsPromptAndCompletesEveryCallback) {
  ASSERT_TRUE(
      session_->Execute(fmt::format("CREATE TABLE IF NOT EXISTS {} (k int PRIMARY KEY, v text)", Table("closing")))
          .ok());
  auto insert = session_->Prepare(fmt::format("INSERT INTO {} (k, v) VALUES (?, ?)", Table("closing")));
  ASSERT_TRUE(insert.ok());
  std::atomic<int> completed{0};
  for (int i = 0; i < 3000; ++i) {
    session_->ExecuteAsync(*insert, {CqlValue::Int(i), CqlValue::Text("v")}, [&](Result<CqlRows>) { ++completed; });
  }
  auto start = std::chrono::steady_clock::now();
  session_->Close();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(completed.load(), 3000);
  auto after = session_->Execute("SELECT now() FROM system.local");
  EXPECT_TRUE(after.status().IsCancelled()) << after.status();
}

}  // namespace
}  // namespace rtpipe::cql
