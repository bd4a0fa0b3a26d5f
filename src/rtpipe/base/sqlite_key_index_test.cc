#include "rtpipe/base/sqlite_key_index.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

namespace rtpipe {
namespace {

// A table t(k, v) upserted through an index t_keys: what each upsert inserted and updated.
class SqliteKeyIndexTest : public ::testing::Test {
 protected:
  struct Item {
    std::string key;
    std::string value;
  };

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_key_index_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    index_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Reopen() {
    index_.reset();
    db_.reset();
    auto db = SqliteDb::Open((dir_ / "t.db").string(), SqliteDb::Mode::kReadWriteCreate, "OFF");
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    const std::string schema = "CREATE TABLE IF NOT EXISTS t (k BLOB, v TEXT);" +
                               SqliteKeyIndex::CreateTablesSql("t_keys", "k") +
                               SqliteKeyIndex::CreateViewSql("t", "t_keys", "k");
    ASSERT_TRUE(db_->Exec(schema).ok());
    auto index = SqliteKeyIndex::Open(*db_, "t", "t_keys", "k");
    ASSERT_TRUE(index.ok()) << index.status();
    index_ = std::make_unique<SqliteKeyIndex>(std::move(*index));
  }

  // Upserts `items` in a transaction, committed if `commit`; counts the inserts and updates.
  Status Upsert(const std::vector<Item>& items, bool commit = true) {
    std::vector<UuidKey> keys;
    for (const Item& item : items) keys.emplace_back(item.key);
    auto insert = [&](std::span<const uint32_t> rows) -> Status {
      for (uint32_t i : rows) {
        auto s = db_->Prepare("INSERT INTO t (k, v) VALUES (?1, ?2)");
        if (!s.ok()) return s.status();
        s->BindUuidKey(1, keys[i]);
        s->BindText(2, items[i].value);
        RTPIPE_RETURN_IF_ERROR(s->Run());
        ++inserted_;
      }
      // One statement per call, as the index expects: the rows' changes are counted as one.
      return rows.size() == 1 ? Status::OK() : Status::Internal("one row at a time in this test");
    };
    auto update = [&](uint32_t i, int64_t row) -> Status {
      auto s = db_->Prepare("UPDATE t SET v = ?2 WHERE rowid = ?1");
      if (!s.ok()) return s.status();
      s->BindInt(1, row);
      s->BindText(2, items[i].value);
      ++updated_;
      return s->Run();
    };
    RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(*db_));
    RTPIPE_RETURN_IF_ERROR(index_->Upsert<Item>(
        items, keys, [](const Item&) {}, insert, update));
    if (!commit) return Status::OK();  // rolled back
    RTPIPE_RETURN_IF_ERROR(tx.Commit());
    index_->Committed();
    return Status::OK();
  }

  int64_t Count(const std::string& sql) {
    auto n = db_->QueryInt(sql);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.ok() ? n->value_or(-1) : -1;
  }

  static std::string Uuid(int n) {  // spread over the key space, as random UUIDs are
    return fmt::format("{:08x}-0000-4000-8000-{:012}", static_cast<uint32_t>(n * 2654435761u), n);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<SqliteKeyIndex> index_;
  int inserted_ = 0;
  int updated_ = 0;
};

// The keys a rolled-back transaction kept in memory name rows that are gone: the next upsert
// indexes from the table anew, so those keys are new again, and known ones are still known.
TEST_F(SqliteKeyIndexTest, AfterARolledBackTransactionItsKeysAreNewAgain) {
  ASSERT_TRUE(Upsert({{Uuid(1), "a"}, {"not-a-uuid", "b"}}).ok());
  ASSERT_TRUE(Upsert({{Uuid(2), "c"}, {"also-text", "d"}, {Uuid(1), "a2"}}, /*commit=*/false).ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t"), 2);
  inserted_ = updated_ = 0;
  ASSERT_TRUE(Upsert({{Uuid(2), "c"}, {"also-text", "d"}, {Uuid(1), "a3"}, {"not-a-uuid", "b2"}}).ok());
  EXPECT_EQ(inserted_, 2);
  EXPECT_EQ(updated_, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t_keys_all k JOIN t ON t.rowid = k.row AND t.k = k.k"), 4);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t WHERE v IN ('a3', 'b2', 'c', 'd')"), 4);
}

// Over many commits the slices go round the key space several times: every row's key is in
// t_keys_all once, TEXT keys too, and the rows before indexed_below all have theirs in t_keys.
TEST_F(SqliteKeyIndexTest, EveryRowsKeyIsInTheViewOnceAsTheSlicesGoRound) {
  auto key = [](int m) { return m % 7 == 0 ? fmt::format("text-{}", m) : Uuid(m); };
  int n = 0;
  for (int commit = 0; commit < 60; ++commit) {
    std::vector<Item> items;
    for (int k = 0; k < 20; ++k, ++n) items.push_back({key(n), "v"});
    items.push_back({key(n / 2), "again"});  // a known key
    ASSERT_TRUE(Upsert(items).ok());
    ASSERT_EQ(Count("SELECT COUNT(*) FROM t_keys_all"), n) << commit;
    ASSERT_EQ(Count("SELECT COUNT(DISTINCT row) FROM t_keys_all"), n) << commit;
    ASSERT_EQ(Count("SELECT COUNT(*) FROM t WHERE rowid < (SELECT indexed_below FROM t_keys_state) AND NOT EXISTS "
                    "(SELECT 1 FROM t_keys WHERE t_keys.k = t.k)"),
              0)
        << commit;
  }
  EXPECT_LT(Count("SELECT COUNT(*) FROM t_keys"), n);  // some in memory still
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t"), n);
  Reopen();  // indexes the rest
  EXPECT_EQ(Count("SELECT COUNT(*) FROM t_keys"), n);
  EXPECT_EQ(Count("SELECT indexed_below FROM t_keys_state"), n + 1);
}

}  // namespace
}  // namespace rtpipe
