#pragma once
// A thin RAII layer over SQLite: errors become Status values naming the statement, prepared
// statements are reused, transactions roll back unless committed.

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/file_system.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/base/result.h"
#include "rtpipe/base/words.h"

namespace rtpipe {

class SqliteStatement;

/// One SQLite connection. Not thread-safe: one thread uses it at a time.
class SqliteDb {
 public:
  enum class Mode { kReadWriteCreate, kReadOnly };
  /// Page size of the databases rtpipe creates (SQLite's default is 4096). Big pages cost fewer
  /// WAL frames, system calls and B-tree levels per row: rows of about 1 KB land with a quarter less
  /// CPU. A database keeps the page size it was created with.
  static constexpr int kPageSize = 32768;

  /// Opens `path` (creating parent directories in read-write mode). Read-write connections use
  /// WAL journaling, a 5 s busy timeout and `synchronous` = `sync` (FULL: durable at commit); a
  /// database they create has pages of kPageSize bytes. Every connection has the SQL function
  /// `uuid_key(text)`, which gives what SqliteStatement::BindUuidKey binds.
  static Result<std::unique_ptr<SqliteDb>> Open(const std::string& path, Mode mode, std::string_view sync = "FULL");
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<SqliteStatement> Prepare(std::string_view sql);
  /// The single integer a query like `SELECT COUNT(*) ...` returns (nullopt when no row).
  Result<std::optional<int64_t>> QueryInt(std::string_view sql);

  /// Moves this connection's checkpoints to a thread ("checkpoint") with a connection of its own,
  /// one per database file in the process: the commit that fills the WAL then returns at once
  /// instead of first copying up to 256 MiB of it back into the database (up to 130 ms, measured),
  /// which the next records wait for. For the pipeline's writers, whose commits are on the path of
  /// every record. Read-write connections only.
  Status CheckpointInBackground();

  /// Makes this connection's commits durable on a thread of their own ("wal-sync") instead of in
  /// Commit, which then returns without waiting for the disk: the connection runs with
  /// `synchronous=NORMAL`, and after each commit the thread fdatasyncs the WAL. A commit is visible
  /// to readers before it is durable, so a reader that must see durable data only (capture, which
  /// copies the landing outbox into the log) bounds what it reads by DurableMark(). Syncs the WAL
  /// once first: everything committed before, which `mark` describes, is then durable. Call before
  /// this connection's first commit and before such readers in the process start. Read-write
  /// connections only; at most one per database file. The WAL is opened and synced through `fs`.
  Status SyncInBackground(int64_t mark, FileSystem& fs = FileSystem::Default());
  /// After each commit of a connection that syncs in background: `mark`, a value that does not
  /// decrease from commit to commit (the last row id the commit wrote, say), becomes DurableMark()
  /// once the commit is on disk. Returns the error of a sync that failed, after which no mark
  /// becomes durable. Nothing to do for a connection whose commits are durable when they return.
  Status MarkCommit(int64_t mark);
  /// nullopt while no connection of this process syncs this database file in background (every
  /// commit is then durable once Commit returns); else the mark of the last commit known durable.
  std::optional<int64_t> DurableMark() const;

  /// How many commits the process's connections to this database file have made so far, and how
  /// often a mark became durable: the value to pass to WaitForCommit.
  uint64_t Commits() const;
  /// Waits until a connection of this process commits to this database file, or a commit's mark
  /// becomes durable, after Commits() returned `seen`; false once `timeout` passes or `stop` is
  /// requested first. Lets a reader in the process that writes (capture, reading the outbox the
  /// landing thread fills) wake at the commit instead of polling. Commits of other processes are not
  /// seen: those still need polling.
  bool WaitForCommit(uint64_t seen, std::chrono::milliseconds timeout, std::stop_token stop);

  int64_t Changes() const { return sqlite3_changes64(db_); }
  sqlite3* handle() { return db_; }
  const std::string& path() const { return path_; }

  /// "<what>: <sqlite message>" as an IoError (or Corruption/ResourceExhausted when SQLite says so).
  Status Error(std::string_view what) const;

 private:
  friend class SqliteTransaction;
  // Sets how long WaitWhileBusy waits, for its own lifetime.
  class BusyTimeout {
   public:
    BusyTimeout(SqliteDb& db, int ms) : db_(db), saved_ms_(db.busy_timeout_ms_) { db.busy_timeout_ms_ = ms; }
    ~BusyTimeout() { db_.busy_timeout_ms_ = saved_ms_; }
    BusyTimeout(const BusyTimeout&) = delete;
    BusyTimeout& operator=(const BusyTimeout&) = delete;

   private:
    SqliteDb& db_;
    const int saved_ms_;
  };

  class Checkpointer;
  class CommitSignal;
  class WalSyncer;

  SqliteDb(sqlite3* db, std::string path);
  static int WaitWhileBusy(void* db, int tries);
  static int AfterCommit(void* db, sqlite3* handle, const char* name, int frames);
  // Copies the WAL back into the database `schema`, which holds `wal_bytes` of it.
  void Checkpoint(const char* schema, int64_t wal_bytes);

  sqlite3* db_;
  std::string path_;
  int64_t page_size_ = 0;                  // read-write connections: for the checkpoint policy (WAL frames to bytes)
  int busy_timeout_ms_ = 0;                // how long WaitWhileBusy waits for a lock
  std::shared_ptr<CommitSignal> commits_;  // shared by the process's connections to the file
  std::shared_ptr<Checkpointer> checkpointer_;  // set by CheckpointInBackground
  std::unique_ptr<WalSyncer> syncer_;           // set by SyncInBackground
};

/// A prepared statement. Text/blob bindings are not copied: they must outlive Step().
/// A UUID in the form the stores index it (`uuid_key` in SQL, SqliteStatement::BindUuidKey): the
/// 16 bytes of a canonical one, or else its text. Converted once, for a key bound or compared many
/// times. Holds a view of the text: `uuid` must outlive it.
class UuidKey {
 public:
  explicit UuidKey(std::string_view uuid);
  /// What the index holds: the 16 bytes, or the text.
  std::string_view bytes() const { return binary_ ? std::string_view(binary_->data(), binary_->size()) : text_; }
  bool is_text() const { return !binary_; }
  std::string_view text() const { return text_; }
  bool operator==(const UuidKey& other) const { return is_text() == other.is_text() && bytes() == other.bytes(); }

 private:
  std::string_view text_;
  std::optional<std::array<char, 16>> binary_;
};

class SqliteStatement {
 public:
  SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based, as in SQLite.
  void BindText(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  void BindOptionalText(int index, std::optional<std::string_view> text) {
    if (text) {
      BindText(index, *text);
    } else {
      BindNull(index);
    }
  }
  void BindBlob(int index, std::string_view bytes) {
    sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_STATIC);
  }
  /// Binds the form in which the stores index a UUID (`uuid_key` in SQL): the 16 bytes of a
  /// canonical one, as a BLOB; any other text as TEXT, which never equals a BLOB. An index entry
  /// is then about 25 bytes instead of 46, and a commit of random keys rewrites about half as many
  /// index pages. Copies the bytes: `uuid` need not outlive Step().
  void BindUuidKey(int index, std::string_view uuid);
  /// The same, from a key converted before; binds without copying: `key` must outlive Step().
  void BindUuidKey(int index, const UuidKey& key);
  void BindInt(int index, int64_t value) { sqlite3_bind_int64(stmt_, index, value); }
  void BindDouble(int index, double value) { sqlite3_bind_double(stmt_, index, value); }
  void BindNull(int index) { sqlite3_bind_null(stmt_, index); }

  /// Advances: true when a row is available, false when done.
  Result<bool> Step();
  /// Steps to completion (a statement returning no rows) and resets for reuse.
  Status Run();
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  int ColumnCount() const { return sqlite3_column_count(stmt_); }
  std::string_view ColumnName(int i) const { return sqlite3_column_name(stmt_, i); }
  int ColumnType(int i) const { return sqlite3_column_type(stmt_, i); }
  bool ColumnIsNull(int i) const { return ColumnType(i) == SQLITE_NULL; }
  int64_t ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }
  double ColumnDouble(int i) const { return sqlite3_column_double(stmt_, i); }
  std::string_view ColumnText(int i) const;
  std::string_view ColumnBlob(int i) const;

 private:
  friend class SqliteDb;
  SqliteStatement(SqliteDb* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

/// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit() succeeded.
class SqliteTransaction {
 public:
  /// Waits (up to the busy timeout) while another connection holds the write lock.
  static Result<SqliteTransaction> Begin(SqliteDb& db);
  /// Does not wait: nullopt while another connection holds the write lock.
  static Result<std::optional<SqliteTransaction>> TryBegin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction& operator=(SqliteTransaction&&) = delete;
  ~SqliteTransaction();
  Status Commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

namespace sqlite_internal {

// The first 8 bytes of `key` (zero-filled) as one number that orders as they do.
inline uint64_t KeyPrefix(std::string_view key) {
  char bytes[8] = {};
  std::memcpy(bytes, key.data(), std::min<size_t>(key.size(), sizeof bytes));
  return __builtin_bswap64(words::Load(bytes));  // the first byte becomes the most significant
}

}  // namespace sqlite_internal

/// The VALUES list of a statement that writes `rows` rows of `parameters` values each:
/// "(?1, ?2), (?3, ?4)" for 2 and 2. One statement of many rows costs SQLite one run (step, halt,
/// reset) instead of one per row.
std::string SqlValueRows(int rows, int parameters);

/// The order in which to write `n` rows so that an index on `key_of(i)` is visited in key order:
/// ascending key (as SQLite's BINARY collation orders it: bytes, then length), rows with equal
/// keys in their given order (so the last of them still wins an upsert). With random keys
/// (login.uuid) this is cheaper than arrival order once the index outgrows the CPU caches:
/// consecutive B-tree seeks share their pages. Keys are compared by their first 8 bytes as one
/// number first, and in full only when those are equal.
template <typename KeyOf>
std::vector<uint32_t> KeyOrder(size_t n, KeyOf key_of) {
  struct Entry {
    uint64_t prefix;
    uint32_t index;
  };
  std::vector<Entry> entries(n);
  for (uint32_t i = 0; i < n; ++i) entries[i] = {sqlite_internal::KeyPrefix(key_of(i)), i};
  std::stable_sort(entries.begin(), entries.end(), [&](const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return a.prefix < b.prefix;
    return key_of(a.index) < key_of(b.index);
  });
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = entries[i].index;
  return order;
}

}  // namespace rtpipe
