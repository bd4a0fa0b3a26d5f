#include "rtpipe/base/sqlite.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include "rtpipe/base/file_system.h"
#include "rtpipe/base/latest_value_thread.h"
#include "rtpipe/base/uuid.h"

namespace rtpipe {

namespace {

constexpr int kBusyTimeoutMs = 5000;
// A connection that finds the database locked tries again every kBusyPoll. SQLite's own busy
// handler sleeps 1, 2, 5, 10, ... 100 ms between tries: the landing thread writes one transaction
// after another with a gap of a few milliseconds, which those sleeps mostly miss, and capture's
// commits waited so long that capture fell 80,000 records behind at 50,000 records/s.
constexpr auto kBusyPoll = std::chrono::microseconds(250);
// The WAL is checkpointed (without waiting for anyone) once it holds this many bytes. A checkpoint
// copies a page once however many commits rewrote it: the hot pages of a random-key index are
// rewritten by every commit, so rarer checkpoints copy less...
constexpr int64_t kCheckpointBytes = int64_t{128} << 20;
// ...and restarted from its beginning once it holds this many, waiting up to kRestartWaitMs for
// the readers still on its old frames.
constexpr int64_t kRestartBytes = int64_t{256} << 20;
constexpr int kRestartWaitMs = 50;

// uuid_key(x): see SqliteStatement::BindUuidKey. A value that is not text is returned as it is.
void UuidKeyFunction(sqlite3_context* context, int /*argc*/, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_TEXT) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
    auto bytes = CanonicalUuidBytes({text, static_cast<size_t>(sqlite3_value_bytes(argv[0]))});
    if (bytes) return sqlite3_result_blob(context, bytes->data(), bytes->size(), SQLITE_TRANSIENT);
  }
  sqlite3_result_value(context, argv[0]);
}

// The object of type T that the process's connections to database file `path` share: the one alive,
// or else a new one from `make()` (a Result<std::shared_ptr<T>>).
template <typename T, typename Make>
auto SharedByFile(const std::string& path, Make make) -> decltype(make()) {
  static std::mutex mutex;
  static std::map<std::string, std::weak_ptr<T>> by_file;
  std::error_code ec;
  std::string file = std::filesystem::weakly_canonical(path, ec).string();
  if (ec) file = path;
  std::lock_guard lock(mutex);
  if (auto shared = by_file[file].lock()) return shared;
  auto made = make();
  if (made.ok()) by_file[file] = *made;
  return made;
}

}  // namespace

// Counts the commits to one database file made by the process's connections (SQLite calls
// AfterCommit once each has taken place), and wakes whoever waits for the next one.
// Also keeps the mark of the last durable commit of a connection that syncs in background.
class SqliteDb::CommitSignal {
 public:
  uint64_t count() const {
    std::lock_guard lock(mutex_);
    return count_;
  }
  void Committed() {
    Signal([] {});
  }
  std::optional<int64_t> durable_mark() const {
    std::lock_guard lock(mutex_);
    return durable_mark_;
  }
  // The process's commits to the file are durable up to `mark` (nullopt: all of them).
  void SetDurableMark(std::optional<int64_t> mark) {
    Signal([&] { durable_mark_ = mark; });
  }
  bool WaitPast(uint64_t seen, std::chrono::milliseconds timeout, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    return committed_.wait_for(lock, stop, timeout, [&] { return count_ != seen; });
  }

 private:
  template <typename Change>
  void Signal(Change change) {
    {
      std::lock_guard lock(mutex_);
      change();
      ++count_;
    }
    committed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable_any committed_;
  uint64_t count_ = 0;
  std::optional<int64_t> durable_mark_;
};

int SqliteDb::WaitWhileBusy(void* db, int tries) {
  const auto waited = kBusyPoll * tries;
  if (waited >= std::chrono::milliseconds(static_cast<SqliteDb*>(db)->busy_timeout_ms_)) return 0;
  std::this_thread::sleep_for(kBusyPoll);
  return 1;
}

// Checkpoints a database file, over a connection of its own, whenever a commit of one of the
// process's connections that write it leaves kCheckpointBytes or more in the WAL. Requests that
// come while it is at work are merged into one: each checkpoint copies everything committed before
// it starts. A RESTART blocks new writers while it is pending, so writers cannot outrun it.
class SqliteDb::Checkpointer {
 public:
  explicit Checkpointer(std::unique_ptr<SqliteDb> db)
      : db_(std::move(db)), thread_("checkpoint", [this](int64_t wal_bytes) {
          db_->Checkpoint("main", wal_bytes);
          return true;
        }) {}

  /// `wal_bytes`: the WAL's size at the commit that asks.
  void Request(int64_t wal_bytes) { thread_.Hand(wal_bytes); }

 private:
  std::unique_ptr<SqliteDb> db_;
  LatestValueThread<int64_t> thread_;  // last: stopped and joined before the connection goes
};

// Makes the commits of a connection that syncs in background durable (SyncInBackground): an
// fdatasync of the WAL after each, then the commit's mark is published. The commits made while a
// sync runs are covered together by the next one.
class SqliteDb::WalSyncer {
 public:
  WalSyncer(std::unique_ptr<File> wal, std::shared_ptr<CommitSignal> signal)
      : wal_(std::move(wal)), signal_(std::move(signal)), thread_("wal-sync", [this](int64_t mark) {
          error_ = wal_->Sync();
          if (!error_.ok()) return false;  // the thread ends; Mark returns the error from then on
          signal_->SetDurableMark(mark);
          return true;
        }) {}
  ~WalSyncer() {
    thread_.Stop();
    // What was committed last is synced now: once no mark is kept, readers take everything.
    if (error_.ok() && wal_->Sync().ok()) signal_->SetDurableMark(std::nullopt);
  }
  WalSyncer(const WalSyncer&) = delete;
  WalSyncer& operator=(const WalSyncer&) = delete;

  /// The commit marked `mark` is to be synced.
  Status Mark(int64_t mark) { return thread_.Hand(mark) ? Status::OK() : error_; }

 private:
  const std::unique_ptr<File> wal_;
  const std::shared_ptr<CommitSignal> signal_;
  Status error_;                       // of the last sync; read by others only once the thread has ended
  LatestValueThread<int64_t> thread_;  // last: stopped and joined before the rest goes
};

// Runs after each commit (the WAL hook): signals it, then checkpoints in place of SQLite's automatic
// checkpoint, which is PASSIVE: it never waits for a reader, so while readers keep coming (the
// capture stage reads the landing database all the time) the WAL is never restarted and grows
// without bound, gigabytes under load.
int SqliteDb::AfterCommit(void* db, sqlite3* /*handle*/, const char* name, int frames) {
  auto* self = static_cast<SqliteDb*>(db);
  self->commits_->Committed();
  const int64_t bytes = frames * self->page_size_;
  if (bytes < kCheckpointBytes) return SQLITE_OK;
  if (self->checkpointer_ != nullptr) {
    self->checkpointer_->Request(bytes);
  } else {
    self->Checkpoint(name, bytes);
  }
  return SQLITE_OK;
}

void SqliteDb::Checkpoint(const char* schema, int64_t wal_bytes) {
  if (wal_bytes < kRestartBytes) {
    sqlite3_wal_checkpoint_v2(db_, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    return;
  }
  // RESTART copies the WAL back, then waits (busy handler) for the readers of old frames, so the
  // next commit writes the WAL from its start. A long reader (a big query) makes it give up after
  // kRestartWaitMs, having copied what it could; the next commit tries again.
  BusyTimeout restart_wait(*this, kRestartWaitMs);
  sqlite3_wal_checkpoint_v2(db_, schema, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
}

Result<std::unique_ptr<SqliteDb>> SqliteDb::Open(const std::string& path, Mode mode, std::string_view sync) {
  // SQLite counts the memory it allocates under a global mutex, on every allocation; nothing here
  // reads the count. Set before the first connection initialises the library.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (mode == Mode::kReadOnly) {
    flags |= SQLITE_OPEN_READONLY;
    if (!std::filesystem::exists(path)) return Status::NotFound("database {} does not exist", path);
  } else {
    flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    auto parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    if (ec) return Status::IoError("cannot create directory {}: {}", parent.string(), ec.message());
  }
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  std::unique_ptr<SqliteDb> db(new SqliteDb(raw, path));
  if (rc != SQLITE_OK) return db->Error("opening " + path);
  db->busy_timeout_ms_ = kBusyTimeoutMs;
  sqlite3_busy_handler(raw, WaitWhileBusy, db.get());
  sqlite3_extended_result_codes(raw, 1);
  if (sqlite3_create_function_v2(raw, "uuid_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                 UuidKeyFunction, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return db->Error("registering uuid_key()");
  }
  if (mode == Mode::kReadWriteCreate) {
    RTPIPE_RETURN_IF_ERROR(db->Exec(fmt::format("PRAGMA page_size={}", kPageSize)));  // if it creates the file
    RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA journal_mode=WAL"));
    RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=" + std::string(sync)));
    RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA cache_size=-16384"));  // 16 MiB page cache
    RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA temp_store=MEMORY"));
    // Debian builds SQLite with secure_delete on: every page freed (a captured stretch of the
    // outbox, a store's replaced rows) is zeroed and written to the WAL, then checkpointed. FAST
    // still zeroes deleted content on the pages a change writes anyway, and frees pages without
    // writing them.
    RTPIPE_RETURN_IF_ERROR(db->Exec("PRAGMA secure_delete=FAST"));
    RTPIPE_ASSIGN_OR_RETURN(auto page_size, db->QueryInt("PRAGMA page_size"));
    db->page_size_ = page_size.value_or(4096);
    sqlite3_wal_hook(raw, AfterCommit, db.get());  // instead of wal_autocheckpoint
  }
  RTPIPE_ASSIGN_OR_RETURN(db->commits_, SharedByFile<CommitSignal>(path, [] {
                            return Result<std::shared_ptr<CommitSignal>>(std::make_shared<CommitSignal>());
                          }));
  return db;
}

SqliteDb::SqliteDb(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

SqliteDb::~SqliteDb() {
  syncer_.reset();        // its last sync covers the last commit
  checkpointer_.reset();  // if this was its last writer, its connection closes first: the WAL goes with ours
  sqlite3_close_v2(db_);
}

Status SqliteDb::CheckpointInBackground() {
  if (page_size_ == 0) return Status::FailedPrecondition("{}: only a read-write connection checkpoints", path_);
  if (checkpointer_ != nullptr) return Status::OK();
  // One checkpointer per file: the connections that write it (the landing store's and the capture
  // stage's on the landing database) share it.
  RTPIPE_ASSIGN_OR_RETURN(
      checkpointer_, SharedByFile<Checkpointer>(path_, [&]() -> Result<std::shared_ptr<Checkpointer>> {
        RTPIPE_ASSIGN_OR_RETURN(auto sync, QueryInt("PRAGMA synchronous"));  // the same for its checkpoints
        RTPIPE_ASSIGN_OR_RETURN(auto own, Open(path_, Mode::kReadWriteCreate, std::to_string(sync.value_or(2))));
        sqlite3_wal_hook(own->db_, nullptr, nullptr);  // it commits nothing
        return std::make_shared<Checkpointer>(std::move(own));
      }));
  return Status::OK();
}

Status SqliteDb::SyncInBackground(int64_t mark, FileSystem& fs) {
  if (page_size_ == 0) return Status::FailedPrecondition("{}: only a read-write connection commits", path_);
  if (syncer_ != nullptr) return Status::FailedPrecondition("{}: already syncs in background", path_);
  const char* wal = sqlite3_filename_wal(sqlite3_db_filename(db_, "main"));
  if (wal == nullptr || *wal == '\0') return Status::FailedPrecondition("{}: has no WAL file to sync", path_);
  RTPIPE_ASSIGN_OR_RETURN(auto wal_file, fs.OpenFile(wal, OpenMode::kReadOnly));
  RTPIPE_RETURN_IF_ERROR(wal_file->Sync());
  RTPIPE_RETURN_IF_ERROR(Exec("PRAGMA synchronous=NORMAL"));
  commits_->SetDurableMark(mark);
  syncer_ = std::make_unique<WalSyncer>(std::move(wal_file), commits_);
  return Status::OK();
}

Status SqliteDb::MarkCommit(int64_t mark) { return syncer_ != nullptr ? syncer_->Mark(mark) : Status::OK(); }

std::optional<int64_t> SqliteDb::DurableMark() const { return commits_->durable_mark(); }

uint64_t SqliteDb::Commits() const { return commits_->count(); }

bool SqliteDb::WaitForCommit(uint64_t seen, std::chrono::milliseconds timeout, std::stop_token stop) {
  return commits_->WaitPast(seen, timeout, std::move(stop));
}

Status SqliteDb::Error(std::string_view what) const {
  int code = sqlite3_extended_errcode(db_);
  std::string message = fmt::format("{} ({}): {}", what, path_, sqlite3_errmsg(db_));
  switch (code & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption("{}", message);
    case SQLITE_FULL:
      return Status::ResourceExhausted("{}", message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable("{}", message);
    case SQLITE_CANTOPEN:
      return Status::NotFound("{}", message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Status::PermissionDenied("{}", message);
    case SQLITE_ERROR:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      return Status::InvalidArgument("{}", message);
    default:
      return Status::IoError("{}", message);
  }
}

Status SqliteDb::Exec(std::string_view sql) {
  std::string text(sql);
  char* message = nullptr;
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    sqlite3_free(message);
    return Error(fmt::format("executing \"{}\"", text.substr(0, 80)));
  }
  return Status::OK();
}

Result<SqliteStatement> SqliteDb::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
      SQLITE_OK) {
    return Error(fmt::format("preparing \"{}\"", sql.substr(0, 80)));
  }
  if (stmt == nullptr) return Status::InvalidArgument("empty SQL statement");
  return SqliteStatement(this, stmt);
}

Result<std::optional<int64_t>> SqliteDb::QueryInt(std::string_view sql) {
  RTPIPE_ASSIGN_OR_RETURN(auto stmt, Prepare(sql));
  RTPIPE_ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row || stmt.ColumnIsNull(0)) return std::optional<int64_t>();
  return std::optional<int64_t>(stmt.ColumnInt(0));
}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

Result<bool> SqliteStatement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Status error = db_->Error(fmt::format("running \"{}\"", std::string_view(sqlite3_sql(stmt_)).substr(0, 80)));
  sqlite3_reset(stmt_);
  return error;
}

Status SqliteStatement::Run() {
  auto row = Step();
  Reset();
  if (!row.ok()) return row.status();
  return Status::OK();
}

UuidKey::UuidKey(std::string_view uuid) : text_(uuid), binary_(CanonicalUuidBytes(uuid)) {}

void SqliteStatement::BindUuidKey(int index, const UuidKey& key) {
  if (key.is_text()) {
    BindText(index, key.bytes());
  } else {
    BindBlob(index, key.bytes());
  }
}

void SqliteStatement::BindUuidKey(int index, std::string_view uuid) {
  if (auto bytes = CanonicalUuidBytes(uuid)) {
    sqlite3_bind_blob(stmt_, index, bytes->data(), static_cast<int>(bytes->size()), SQLITE_TRANSIENT);
  } else {
    sqlite3_bind_text64(stmt_, index, uuid.data(), uuid.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  }
}

std::string_view SqliteStatement::ColumnBlob(int i) const {
  const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
  if (bytes == nullptr) return {};
  return {bytes, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}

std::string_view SqliteStatement::ColumnText(int i) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_, i))};
}

Result<SqliteTransaction> SqliteTransaction::Begin(SqliteDb& db) {
  RTPIPE_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&db);
}

Result<std::optional<SqliteTransaction>> SqliteTransaction::TryBegin(SqliteDb& db) {
  Status begun;
  {
    SqliteDb::BusyTimeout no_wait(db, 0);  // WaitWhileBusy gives up at once
    begun = db.Exec("BEGIN IMMEDIATE");
  }
  if (begun.code() == StatusCode::kUnavailable) return std::optional<SqliteTransaction>();
  RTPIPE_RETURN_IF_ERROR(begun);
  return std::optional<SqliteTransaction>(SqliteTransaction(&db));
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status SqliteTransaction::Commit() {
  RTPIPE_ASSERT(db_ != nullptr, "transaction already finished");
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

std::string SqlValueRows(int rows, int parameters) {
  std::string values;
  for (int r = 0; r < rows; ++r) {
    values += r == 0 ? "(" : ",\n(";
    for (int p = 1; p <= parameters; ++p) values += fmt::format("{}?{}", p == 1 ? "" : ", ", r * parameters + p);
    values += ")";
  }
  return values;
}

}  // namespace rtpipe
