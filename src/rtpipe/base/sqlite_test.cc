#include "rtpipe/base/sqlite.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace rtpipe {
namespace {

std::string TempDb() {
  auto path = std::filesystem::temp_directory_path() / ("rtpipe_sqlite_test_" + std::to_string(::getpid())) / "t.db";
  std::filesystem::remove_all(path.parent_path());
  return path.string();
}

TEST(Sqlite, TransactionCommitsOrRollsBack) {
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(k TEXT PRIMARY KEY, v INTEGER)").ok());
  {
    auto tx = SqliteTransaction::Begin(**db);
    ASSERT_TRUE(tx.ok());
    auto ins = (*db)->Prepare("INSERT INTO t VALUES (?, ?)");
    ASSERT_TRUE(ins.ok());
    ins->BindText(1, "a");
    ins->BindInt(2, 1);
    ASSERT_TRUE(ins->Run().ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  {
    auto tx = SqliteTransaction::Begin(**db);
    ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES ('b', 2)").ok());
    // no commit: rolled back here
  }
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 1);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(Sqlite, ErrorsNameTheStatementAndKind) {
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok());
  auto bad = (*db)->Prepare("SELEC 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("SELEC 1"), std::string::npos) << bad.status();
  EXPECT_EQ(SqliteDb::Open("/nonexistent/x.db", SqliteDb::Mode::kReadOnly).status().code(), StatusCode::kNotFound);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

}  // namespace
}  // namespace rtpipe
