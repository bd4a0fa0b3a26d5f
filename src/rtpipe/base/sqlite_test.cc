#include "rtpipe/base/sqlite.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace rtpipe {
namespace {

std::string TempDb() {
  auto path = std::filesystem::temp_directory_path() / ("rtpipe_sqlite_test_" + std::to_string(::getpid())) / "t.db";
  std::filesystem::remove_all(path.parent_path());
  return path.string();
}

// Two read-write connections to one new database holding an empty table t(x); removed at the end.
struct TwoWriters {
  TwoWriters() {
    auto opened_a = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
    auto opened_b = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
    EXPECT_TRUE(opened_a.ok() && opened_b.ok());
    if (!opened_a.ok() || !opened_b.ok()) return;
    a = std::move(*opened_a);
    b = std::move(*opened_b);
    EXPECT_TRUE(a->Exec("CREATE TABLE t(x)").ok());
  }
  ~TwoWriters() {
    a.reset();
    b.reset();
    std::filesystem::remove_all(std::filesystem::path(path).parent_path());
  }
  bool ok() const { return a != nullptr && b != nullptr; }

  std::string path = TempDb();
  std::unique_ptr<SqliteDb> a, b;
};

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

TEST(Sqlite, MemoryIsNotCountedSoNoAllocationTakesTheGlobalMutex) {
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(v TEXT); INSERT INTO t VALUES (randomblob(100000))").ok());
  // With the count on, a database open with a 100 KB row in its cache would show here.
  EXPECT_EQ(sqlite3_memory_used(), 0);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(Sqlite, AUuidKeyIsSixteenBytesForACanonicalUuidAndTheTextOtherwise) {
  auto db = SqliteDb::Open(":memory:", SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(k BLOB PRIMARY KEY, uuid TEXT)").ok());
  auto insert = (*db)->Prepare("INSERT INTO t VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok());
  const std::string canonical = "0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90";
  const std::vector<std::string> uuids = {canonical, "0B7D7F4E-4C1F-4A25-9C7E-2F3B1A6D8E90", "x"};
  for (const std::string& uuid : uuids) {
    insert->BindUuidKey(1, uuid);
    insert->BindText(2, uuid);
    ASSERT_TRUE(insert->Run().ok());
  }
  // Three keys: the uppercase spelling is another key, as it was another text.
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 3);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t WHERE typeof(k) = 'blob' AND length(k) = 16 AND "
                             "hex(k) = '0B7D7F4E4C1F4A259C7E2F3B1A6D8E90' AND uuid = '" +
                             canonical + "'"),
            1);
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t WHERE typeof(k) = 'text' AND k = uuid"), 2);
  // The SQL function gives the same keys, so a lookup by text finds the row through the index.
  for (const std::string& uuid : uuids) {
    EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t WHERE k = uuid_key('" + uuid + "') AND uuid = '" + uuid + "'"),
              1)
        << uuid;
  }
  EXPECT_EQ(*(*db)->QueryInt("SELECT uuid_key(7)"), 7);
}

TEST(Sqlite, SqlValueRowsNumbersEachRowsParametersOnFromThePreviousRow) {
  EXPECT_EQ(SqlValueRows(1, 3), "(?1, ?2, ?3)");
  EXPECT_EQ(SqlValueRows(3, 2), "(?1, ?2),\n(?3, ?4),\n(?5, ?6)");
}

TEST(Sqlite, KeyOrderSortsByKeyAndKeepsEqualKeysInTheirOrder) {
  const std::vector<std::string> keys = {"c", "a", "b", "a", "c", "a"};
  auto order = KeyOrder(keys.size(), [&](uint32_t i) -> const std::string& { return keys[i]; });
  EXPECT_EQ(order, (std::vector<uint32_t>{1, 3, 5, 2, 0, 4}));
  EXPECT_TRUE(KeyOrder(0, [&](uint32_t i) -> const std::string& { return keys[i]; }).empty());
}

TEST(Sqlite, KeyOrderIsTheOrderOfSqlitesIndex) {
  // Keys of 0 to 19 bytes, many sharing their first 8 bytes, with zero and high bytes, repeated:
  // KeyOrder must give the order in which SQLite's index holds them (ties in insertion order).
  std::mt19937 rng(7);
  const std::string alphabet("\0\x01az\x7f\x80\xff", 7);
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) {
    std::string key = i % 3 == 0 ? std::string("prefix-8") : std::string();
    for (size_t n = rng() % 12; n > 0; --n) key.push_back(alphabet[rng() % alphabet.size()]);
    keys.push_back(key);
  }
  for (int i = 0; i < 200; ++i) keys.push_back(keys[rng() % keys.size()]);
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(db.ok()) << db.status();
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(k BLOB, i INTEGER); CREATE INDEX t_k ON t(k, i)").ok());
  auto tx = SqliteTransaction::Begin(**db);
  ASSERT_TRUE(tx.ok());
  auto insert = (*db)->Prepare("INSERT INTO t VALUES (?1, ?2)");
  ASSERT_TRUE(insert.ok());
  for (size_t i = 0; i < keys.size(); ++i) {
    insert->BindBlob(1, keys[i]);
    insert->BindInt(2, static_cast<int64_t>(i));
    ASSERT_TRUE(insert->Run().ok());
  }
  ASSERT_TRUE(tx->Commit().ok());
  auto query = (*db)->Prepare("SELECT i FROM t ORDER BY k, i");
  ASSERT_TRUE(query.ok());
  std::vector<uint32_t> sqlite_order;
  while (*query->Step()) sqlite_order.push_back(static_cast<uint32_t>(query->ColumnInt(0)));
  EXPECT_EQ(KeyOrder(keys.size(), [&](uint32_t i) -> const std::string& { return keys[i]; }), sqlite_order);
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

TEST(Sqlite, ANewDatabaseHasBigPagesAndAnOldOneKeepsItsOwn) {
  auto path = TempDb();
  auto created = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_TRUE((*created)->Exec("CREATE TABLE t(x)").ok());
  EXPECT_EQ((*created)->QueryInt("PRAGMA page_size").value(), SqliteDb::kPageSize);
  created->reset();

  // A database made with SQLite's default pages (by an older rtpipe) opens and commits as before.
  auto old_path = path + ".old";
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(old_path.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "PRAGMA page_size=4096; CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  auto old = SqliteDb::Open(old_path, SqliteDb::Mode::kReadWriteCreate);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ((*old)->QueryInt("PRAGMA page_size").value(), 4096);
  EXPECT_TRUE((*old)->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_EQ((*old)->QueryInt("SELECT COUNT(*) FROM t").value(), 1);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(Sqlite, PagesFreedByADeleteAreNotWrittenToTheWal) {
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
  ASSERT_TRUE(db.ok()) << db.status();
  // 40 rows of 20 KB: a page each.
  ASSERT_TRUE((*db)
                  ->Exec("CREATE TABLE t(x BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 40) INSERT INTO t SELECT zeroblob(20000) FROM n")
                  .ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  const std::string wal = path + "-wal";
  ASSERT_EQ(std::filesystem::file_size(wal), 0u);
  ASSERT_TRUE((*db)->Exec("DELETE FROM t").ok());
  EXPECT_GE((*db)->QueryInt("PRAGMA freelist_count").value(), 40) << "the rows' pages were freed";
  // Debian's SQLite zeroes each freed page and writes it to the WAL (secure_delete on): 40 frames
  // or more. Here only the pages that say what is free are written.
  const auto frames = (std::filesystem::file_size(wal) - 32) / (24 + SqliteDb::kPageSize);
  EXPECT_LE(frames, 4u);
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

// Checkpoints in the committing thread, or in the background (SqliteDb::CheckpointInBackground).
class SqliteCheckpointTest : public ::testing::TestWithParam<bool> {};

INSTANTIATE_TEST_SUITE_P(InlineAndInBackground, SqliteCheckpointTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& param) {
                           return param.param ? "InBackground" : "Inline";
                         });

TEST_P(SqliteCheckpointTest, TheWalStaysBoundedWhileReadersKeepComing) {
  // SQLite's own automatic checkpoint never waits for readers: with a reader always at work, as the
  // capture stage is on the landing database, it never restarts the WAL, which grows with every
  // commit. Here 600 MB are committed while two other connections read without pause; the WAL
  // must stay near the 256 MiB at which it is restarted (whatever the page size: the bounds are in
  // bytes, not frames). A thread of its own checkpoints while the writer goes on, so the WAL grows
  // past that by what the writer commits while a checkpoint copies: up to 380 MiB was seen on a
  // busy machine.
  auto path = TempDb();
  auto db = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
  ASSERT_TRUE(db.ok()) << db.status();
  if (GetParam()) {
    ASSERT_TRUE((*db)->CheckpointInBackground().ok());
  }
  ASSERT_TRUE((*db)->Exec("CREATE TABLE t(x BLOB)").ok());
  ASSERT_TRUE((*db)->Exec("INSERT INTO t VALUES (zeroblob(10))").ok());
  std::atomic<bool> stop{false};
  std::atomic<int64_t> reads{0};
  // Two readers whose read transactions overlap, so that one always holds a snapshot.
  auto read = [&] {
    auto r = SqliteDb::Open(path, SqliteDb::Mode::kReadOnly);
    if (!r.ok()) return;
    while (!stop) {
      if (!(*r)->Exec("BEGIN").ok()) continue;
      if ((*r)->QueryInt("SELECT length(x) FROM t WHERE rowid = 1").ok()) ++reads;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      (void)(*r)->Exec("COMMIT");
    }
  };
  std::thread reader1(read);
  std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::thread reader2(read);
  auto insert = (*db)->Prepare("INSERT INTO t VALUES (randomblob(100000))");
  ASSERT_TRUE(insert.ok());
  uintmax_t largest_wal = 0;
  for (int i = 0; i < 6000; ++i) {  // 6000 commits of ~100 KB
    ASSERT_TRUE(insert->Run().ok());
    std::error_code ec;
    largest_wal = std::max(largest_wal, std::filesystem::file_size(path + "-wal", ec));
  }
  stop = true;
  reader1.join();
  reader2.join();
  EXPECT_GT(reads.load(), 0);
  EXPECT_LT(largest_wal, (GetParam() ? uintmax_t{448} : uintmax_t{300}) << 20) << "the WAL grew without bound";
  EXPECT_EQ(*(*db)->QueryInt("SELECT COUNT(*) FROM t"), 6001);
  db->reset();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

int CheckpointThreads() {
  int n = 0;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name == "checkpoint") ++n;
  }
  return n;
}

TEST(Sqlite, TheWritersOfOneFileShareOneCheckpointThread) {
  auto path = TempDb();
  auto other = std::filesystem::path(path).parent_path() / "other.db";
  auto a = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
  auto b = SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate, "OFF");
  auto c = SqliteDb::Open(other.string(), SqliteDb::Mode::kReadWriteCreate, "OFF");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  const int before = CheckpointThreads();
  for (auto* db : {&*a, &*b, &*c}) ASSERT_TRUE((*db)->CheckpointInBackground().ok());
  ASSERT_TRUE((*a)->CheckpointInBackground().ok());  // again: nothing more
  EXPECT_EQ(CheckpointThreads(), before + 2);
  a->reset();
  EXPECT_EQ(CheckpointThreads(), before + 2);  // b still writes the file
  b->reset();
  c->reset();
  EXPECT_EQ(CheckpointThreads(), before);
  auto reader = SqliteDb::Open(other.string(), SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->CheckpointInBackground().code(), StatusCode::kFailedPrecondition);
  reader->reset();
  std::filesystem::remove_all(std::filesystem::path(path).parent_path());
}

TEST(Sqlite, AWaitForCommitEndsAtTheNextCommitToTheSameFile) {
  TwoWriters db;
  ASSERT_TRUE(db.ok());
  auto other_path = std::filesystem::path(db.path).parent_path() / "other.db";
  auto other = SqliteDb::Open(other_path.string(), SqliteDb::Mode::kReadWriteCreate, "OFF");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("CREATE TABLE u(x)").ok());
  std::stop_source stop;

  // Nothing commits: the wait runs out. A commit to another file does not end it.
  uint64_t seen = db.b->Commits();
  EXPECT_FALSE(db.b->WaitForCommit(seen, std::chrono::milliseconds(20), stop.get_token()));
  ASSERT_TRUE((*other)->Exec("INSERT INTO u VALUES (1)").ok());
  EXPECT_FALSE(db.b->WaitForCommit(seen, std::chrono::milliseconds(20), stop.get_token()));

  // `a` commits while `b` waits: the wait ends then, long before its 60 s.
  seen = db.b->Commits();
  std::jthread commit([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(db.a->Exec("INSERT INTO t VALUES (1)").ok());
  });
  auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(db.b->WaitForCommit(seen, std::chrono::seconds(60), stop.get_token()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  commit.join();
  EXPECT_EQ(db.b->Commits(), seen + 1);
  EXPECT_EQ(db.a->Commits(), seen + 1);  // one count per file, whoever committed

  // A commit made before the wait starts is not waited for again.
  EXPECT_TRUE(db.b->WaitForCommit(seen, std::chrono::seconds(60), stop.get_token()));

  // A stop request ends the wait.
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop.request_stop();
  });
  started = std::chrono::steady_clock::now();
  EXPECT_FALSE(db.b->WaitForCommit(db.b->Commits(), std::chrono::seconds(60), stop.get_token()));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30));
  other->reset();
}

// Waits until `db`'s file has `mark` durable (or 30 s pass); what DurableMark() then says.
std::optional<int64_t> WaitForDurableMark(SqliteDb& db, int64_t mark) {
  std::stop_source stop;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (uint64_t seen = db.Commits(); db.DurableMark() != mark && std::chrono::steady_clock::now() < deadline;
       seen = db.Commits()) {
    db.WaitForCommit(seen, std::chrono::milliseconds(100), stop.get_token());
  }
  return db.DurableMark();
}

TEST(Sqlite, ACommitSyncedInBackgroundMakesItsMarkDurable) {
  TwoWriters db;
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.b->DurableMark(), std::nullopt) << "no connection syncs in background: every commit is durable";

  ASSERT_TRUE(db.a->SyncInBackground(7).ok());
  EXPECT_EQ(db.a->QueryInt("PRAGMA synchronous").value(), 1) << "NORMAL: the commit itself does not sync";
  EXPECT_EQ(db.b->DurableMark(), 7) << "what was committed before is synced at once, for every connection to the file";
  EXPECT_EQ(db.a->SyncInBackground(8).code(), StatusCode::kFailedPrecondition);

  // A commit's mark becomes durable after the commit, on the sync thread; the reader wakes for it.
  ASSERT_TRUE(db.a->Exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(db.a->MarkCommit(9).ok());
  EXPECT_EQ(WaitForDurableMark(*db.b, 9), 9);
  ASSERT_TRUE(db.a->Exec("INSERT INTO t VALUES (2)").ok());
  ASSERT_TRUE(db.a->MarkCommit(12).ok());
  EXPECT_EQ(WaitForDurableMark(*db.b, 12), 12);
  EXPECT_EQ(db.b->QueryInt("SELECT COUNT(*) FROM t").value(), 2);

  // Once the syncing connection has gone (after a last sync), every commit is durable again.
  db.a.reset();
  EXPECT_EQ(db.b->DurableMark(), std::nullopt);

  auto reader = SqliteDb::Open(db.path, SqliteDb::Mode::kReadOnly);
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->SyncInBackground(0).code(), StatusCode::kFailedPrecondition);
}

// The real file system, except that File::Sync fails with EIO once `fail_syncs` is set.
class FailingSyncs final : public FileSystem {
 public:
  std::atomic<bool> fail_syncs{false};

  Result<std::unique_ptr<File>> OpenFile(const std::string& path, OpenMode mode) override {
    RTPIPE_ASSIGN_OR_RETURN(auto file, real_.OpenFile(path, mode));
    return std::unique_ptr<File>(new SyncFails(std::move(file), fail_syncs));
  }
  Result<FileInfo> Stat(const std::string& path) override { return real_.Stat(path); }
  Result<std::vector<std::string>> ListDir(const std::string& path) override { return real_.ListDir(path); }
  Status CreateDir(const std::string& path) override { return real_.CreateDir(path); }
  Status RemoveFile(const std::string& path) override { return real_.RemoveFile(path); }
  Status RemoveDir(const std::string& path) override { return real_.RemoveDir(path); }
  Status Rename(const std::string& from, const std::string& to) override { return real_.Rename(from, to); }
  Status SyncDir(const std::string& path) override { return real_.SyncDir(path); }
  Result<std::unique_ptr<FileLock>> TryLock(const std::string& path) override { return real_.TryLock(path); }

 private:
  class SyncFails final : public File {
   public:
    SyncFails(std::unique_ptr<File> file, const std::atomic<bool>& fail) : file_(std::move(file)), fail_(fail) {}
    Result<size_t> ReadAt(uint64_t offset, std::span<char> out) const override { return file_->ReadAt(offset, out); }
    Status Append(std::span<const char> data) override { return file_->Append(data); }
    Status Sync() override {
      if (fail_) return Status::IoError("syncing {}: Input/output error", path());
      return file_->Sync();
    }
    Status Truncate(uint64_t size) override { return file_->Truncate(size); }
    Result<uint64_t> Size() const override { return file_->Size(); }
    const std::string& path() const override { return file_->path(); }

   private:
    std::unique_ptr<File> file_;
    const std::atomic<bool>& fail_;
  };

  FileSystem& real_ = FileSystem::Default();
};

TEST(Sqlite, AFailedBackgroundSyncFailsTheNextMarkAndMakesNothingMoreDurable) {
  TwoWriters db;
  ASSERT_TRUE(db.ok());
  FailingSyncs fs;
  ASSERT_TRUE(db.a->SyncInBackground(0, fs).ok());
  ASSERT_TRUE(db.a->Exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(db.a->MarkCommit(1).ok());
  ASSERT_EQ(WaitForDurableMark(*db.b, 1), 1);

  // The disk fails: a commit after that is never marked durable, and the writer learns of it at a
  // later mark (the sync runs after MarkCommit returns).
  fs.fail_syncs = true;
  Status marked;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (int64_t mark = 2; marked.ok() && std::chrono::steady_clock::now() < deadline; ++mark) {
    ASSERT_TRUE(db.a->Exec("INSERT INTO t VALUES (2)").ok());
    marked = db.a->MarkCommit(mark);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(marked.code(), StatusCode::kIoError) << marked;
  EXPECT_NE(marked.message().find("syncing " + db.path + "-wal"), std::string::npos) << marked;
  EXPECT_EQ(db.b->DurableMark(), 1);

  // Nor after the writer goes: its last sync is not attempted, so the readers stay at mark 1.
  db.a.reset();
  EXPECT_EQ(db.b->DurableMark(), 1);
}

TEST(Sqlite, AWriterWaitingForTheLockGetsInBetweenAnothersTransactions) {
  // One connection commits transaction after transaction with a short gap between them, as the
  // landing thread does; another must still get its turns, as capture's commits do. SQLite's own
  // busy handler sleeps up to 100 ms between tries and mostly misses the gaps: there, `b` waited
  // several of `a`'s transactions for each of its own. Counted in `a`'s transactions, not in time.
  TwoWriters db;
  ASSERT_TRUE(db.ok());
  SqliteDb& a = *db.a;
  SqliteDb& b = *db.b;
  std::atomic<bool> done{false};
  std::atomic<int> a_transactions{0};
  std::atomic<bool> a_failed{false};
  std::thread busy([&] {
    while (!done) {
      auto tx = SqliteTransaction::Begin(a);
      if (!tx.ok() || !a.Exec("INSERT INTO t VALUES (1)").ok()) {
        a_failed = true;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (!tx->Commit().ok()) a_failed = true;
      ++a_transactions;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (a_transactions == 0 && !a_failed) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  constexpr int kCommits = 30;
  for (int i = 0; i < kCommits; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // work between commits: each needs a new gap
    auto tx = SqliteTransaction::Begin(b);
    ASSERT_TRUE(tx.ok()) << tx.status();
    ASSERT_TRUE(b.Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE(tx->Commit().ok());
  }
  const int waited = a_transactions.load();
  done = true;
  busy.join();
  EXPECT_FALSE(a_failed);
  // About one of a's transactions per commit of b; well over two each with SQLite's own handler.
  EXPECT_LT(waited, 2 * kCommits) << "b waited " << waited << " of a's transactions for its " << kCommits << " commits";
  EXPECT_EQ(b.QueryInt("SELECT COUNT(*) FROM t WHERE x = 2").value(), kCommits);
}

TEST(Sqlite, TryBeginDoesNotWaitForTheWriteLock) {
  TwoWriters db;
  ASSERT_TRUE(db.ok());
  SqliteDb& a = *db.a;
  SqliteDb& b = *db.b;
  {
    auto held = SqliteTransaction::Begin(a);
    ASSERT_TRUE(held.ok()) << held.status();
    auto started = std::chrono::steady_clock::now();
    auto tx = SqliteTransaction::TryBegin(b);
    ASSERT_TRUE(tx.ok()) << tx.status();
    EXPECT_FALSE(tx->has_value()) << "began while another connection held the write lock";
    // Returned without waiting out the busy timeout (5 s); the bound is loose for busy machines.
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  }  // a's transaction rolls back
  auto tx = SqliteTransaction::TryBegin(b);
  ASSERT_TRUE(tx.ok()) << tx.status();
  ASSERT_TRUE(tx->has_value());
  ASSERT_TRUE(b.Exec("INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE((*tx)->Commit().ok());
  EXPECT_EQ(a.QueryInt("SELECT COUNT(*) FROM t").value(), 1);
  // The busy timeout is back: b's Begin waits for a's short transaction instead of failing.
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    auto held = SqliteTransaction::Begin(a);
    holding = true;  // also when Begin failed: the test thread must not wait for it forever
    ASSERT_TRUE(held.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(held->Commit().ok());
  });
  while (!holding) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  {
    auto waited = SqliteTransaction::Begin(b);
    EXPECT_TRUE(waited.ok()) << waited.status();
  }
  holder.join();
}

}  // namespace
}  // namespace rtpipe
