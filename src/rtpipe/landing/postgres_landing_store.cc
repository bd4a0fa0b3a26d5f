#include "rtpipe/landing/postgres_landing_store.h"

#include <unistd.h>

#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "rtpipe/base/assert.h"
#include "rtpipe/base/backoff.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/config/values.h"
#include "rtpipe/landing/postgres_schema.h"

namespace rtpipe {
namespace {

constexpr int64_t kIngestLock = 0x72747069'70650002;  // "rtpipe" + 2: one ingest per database

// Columns of `users` the staging table carries, in COPY order (version is computed).
constexpr std::string_view kUserColumns[] = {"uuid",
                                             "gender",
                                             "title",
                                             "first_name",
                                             "last_name",
                                             "street_number",
                                             "street_name",
                                             "city",
                                             "state",
                                             "country",
                                             "postcode",
                                             "postcode_is_number",
                                             "latitude",
                                             "longitude",
                                             "timezone_offset",
                                             "timezone_description",
                                             "email",
                                             "username",
                                             "password",
                                             "salt",
                                             "md5",
                                             "sha1",
                                             "sha256",
                                             "dob",
                                             "dob_age",
                                             "registered",
                                             "registered_age",
                                             "phone",
                                             "cell",
                                             "id_name",
                                             "id_value",
                                             "picture_large",
                                             "picture_medium",
                                             "picture_thumbnail",
                                             "nat",
                                             "raw",
                                             "event_time",
                                             "ingested_at",
                                             "run_id"};

std::string ColumnList(std::string_view prefix = "") {
  std::string out;
  for (auto c : kUserColumns) out += fmt::format("{}{}{}", out.empty() ? "" : ", ", prefix, c);
  return out;
}

// Known people whose record changed: updated from the staging table, only where the bytes differ.
std::string UpdateSql() {
  std::string set;
  for (auto c : kUserColumns) {
    if (c != "uuid") set += fmt::format("{} = s.{}, ", c, c);
  }
  return fmt::format(
      "WITH up AS (UPDATE users AS u SET {}version = u.version + 1 FROM rtpipe_stage_users AS s "
      "WHERE u.uuid = s.uuid AND u.raw IS DISTINCT FROM s.raw RETURNING 1) SELECT count(*) FROM up",
      set);
}

// A text[] literal: {"a","b"} with \ and " escaped.
std::string TextArray(const std::vector<std::string_view>& values) {
  std::string out = "{";
  for (auto v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

constexpr int64_t kPgEpochUnixMicros = 946'684'800'000'000;  // 2000-01-01 UTC

// COPY's binary format (PostgreSQL docs, COPY, "Binary Format"): a header, then per row an Int16
// field count and per field an Int32 length (-1: NULL) followed by the value in its type's binary
// form — text: its bytes; bigint, integer: big-endian; boolean: one byte; timestamptz: an Int64
// of microseconds since 2000-01-01 UTC — and an Int16 -1 at the end. The server does not parse
// text for it, which makes it about a third cheaper than the text format for these rows.
constexpr std::string_view kCopyHeader{"PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19};
constexpr std::string_view kCopyTrailer{"\377\377", 2};
constexpr int16_t kUserFields = 39;

class CopyRow {
 public:
  CopyRow(std::string& out, int16_t fields) : out_(out) { Be(static_cast<uint16_t>(fields)); }

  void Text(std::string_view v) {
    Be(static_cast<uint32_t>(v.size()));
    out_.append(v);
  }
  void Null() { Be(static_cast<uint32_t>(-1)); }
  void Int8(int64_t v) {
    Be(uint32_t{8});
    Be(static_cast<uint64_t>(v));
  }
  void Int4(int64_t v) {
    Be(uint32_t{4});
    Be(static_cast<uint32_t>(static_cast<int32_t>(v)));
  }
  void Bool(bool v) {
    Be(uint32_t{1});
    out_ += v ? '\1' : '\0';
  }
  void Timestamp(int64_t unix_micros) { Int8(unix_micros - kPgEpochUnixMicros); }
  void Text(bool present, std::string_view v) { present ? Text(v) : Null(); }
  void Int8(bool present, int64_t v) { present ? Int8(v) : Null(); }
  void Int4(bool present, int64_t v) { present ? Int4(v) : Null(); }
  // An ISO-8601 time as the API writes it; NULL when it is not one.
  void Time(bool present, std::string_view iso) {
    auto t = present ? ParseIso8601(iso) : Result<rtpipe::Timestamp>(Status::NotFound("absent"));
    t.ok() ? Timestamp(ToMillis(*t) * 1000) : Null();
  }

 private:
  template <typename T>
  void Be(T v) {
    char b[sizeof(T)];
    for (size_t i = 0; i < sizeof(T); ++i) b[i] = static_cast<char>(v >> (8 * (sizeof(T) - 1 - i)));
    out_.append(b, sizeof(T));
  }

  std::string& out_;
};

// "2026-01-02 03:04:05.678901+00": microseconds, UTC.
std::string FormatMicrosUtc(int64_t micros) {
  auto tp = std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(micros));
  auto days = std::chrono::floor<std::chrono::days>(tp);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss<std::chrono::microseconds> tod(tp - days);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:06}+00", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), tod.hours().count(),
                     tod.minutes().count(), tod.seconds().count(), tod.subseconds().count());
}

}  // namespace

PostgresLandingStore::Options PostgresLandingStore::OptionsFrom(const Config& config) {
  Options o;
  o.url = config.landing.url;
  o.slot = config.capture.slot;
  o.publication = config.capture.publication;
  o.retry_window = config.landing.retry_window;
  return o;
}

Result<std::unique_ptr<PostgresLandingStore>> PostgresLandingStore::Open(const Options& options) {
  RTPIPE_ASSIGN_OR_RETURN(PgEndpoint endpoint, PgEndpoint::FromUrl(options.url, "rtpipe-landing"));
  std::unique_ptr<PostgresLandingStore> store(new PostgresLandingStore(options, endpoint));
  RTPIPE_ASSIGN_OR_RETURN(store->conn_, PgConnection::ConnectWithRetry(endpoint, PgConnection::Mode::kNormal,
                                                                       options.retry_window, "landing"));
  PgConnection& conn = *store->conn_;
  RTPIPE_RETURN_IF_ERROR(pg::CheckServer(conn).status());
  RTPIPE_RETURN_IF_ERROR(pg::MigrateSchema(conn));
  RTPIPE_RETURN_IF_ERROR(pg::EnsurePublication(conn, options.publication));
  // The slot exists before the first landed row, so capture misses nothing even if it starts later.
  RTPIPE_RETURN_IF_ERROR(pg::EnsureSlot(conn, options.slot).status());
  RTPIPE_RETURN_IF_ERROR(store->PrepareSession());
  return store;
}

Status PostgresLandingStore::PrepareSession() {
  PgConnection& conn = *conn_;
  // After a kill -9 the previous ingest's server process may hold the lock a moment longer.
  MonoTime give_up = Clock::System().Monotonic() + std::min(options_.retry_window, std::chrono::milliseconds(15'000));
  for (bool logged = false;;) {
    RTPIPE_ASSIGN_OR_RETURN(
        PgResult r, conn.Query(fmt::format("SELECT pg_try_advisory_lock({})", kIngestLock), "taking the ingest lock"));
    if (r.Text(0, 0) == "t") break;
    RTPIPE_ASSIGN_OR_RETURN(
        PgResult holder,
        conn.Query(fmt::format("SELECT a.pid, coalesce(a.client_addr::text, 'local'), a.application_name "
                               "FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' "
                               "AND l.classid = {} AND l.objid = {} AND l.objsubid = 1",
                               static_cast<uint32_t>(kIngestLock >> 32), static_cast<uint32_t>(kIngestLock)),
                   "finding the ingest lock's holder"));
    std::string who = holder.rows() > 0 ? fmt::format("server process {} ({} from {})", holder.Text(0, 0),
                                                      holder.Text(0, 2), holder.Text(0, 1))
                                        : "another session";
    if (Clock::System().Monotonic() >= give_up) {
      return Status::FailedPrecondition(
          "another rtpipe ingest is landing into {} ({} holds the ingest lock); one ingest per landing database",
          endpoint_.where, who);
    }
    if (!logged) GetLogger("landing")->info("waiting for {} to release the ingest lock", who);
    logged = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  // A landed batch must be durable when Write returns (the ingest thread moves on to the next page):
  // whatever the server's default, commit synchronously.
  RTPIPE_RETURN_IF_ERROR(conn.Exec("SET synchronous_commit = on", "setting up the session"));
  // Temporary (no WAL, private to this session), typed like users, emptied at every commit.
  return conn.Exec(fmt::format("CREATE TEMP TABLE IF NOT EXISTS rtpipe_stage_users ON COMMIT DELETE ROWS AS "
                               "SELECT {} FROM users WITH NO DATA",
                               ColumnList()),
                   "creating the staging table");
}

Status PostgresLandingStore::Reconnect() {
  conn_.reset();
  RTPIPE_ASSIGN_OR_RETURN(conn_, PgConnection::Connect(endpoint_));
  Status s = PrepareSession();
  if (!s.ok()) conn_.reset();
  return s;
}

Result<RunId> PostgresLandingStore::BeginRun() {
  char host[256] = "";
  ::gethostname(host, sizeof host - 1);
  RTPIPE_ASSIGN_OR_RETURN(PgResult r,
                          conn_->Query("INSERT INTO ingest_runs (pid, client) VALUES ($1, $2) RETURNING run_id",
                                       {std::to_string(::getpid()), std::string(host)}, "starting an ingest run"));
  RTPIPE_ASSIGN_OR_RETURN(int64_t id, r.Int(0, 0));
  return RunId(id);
}

Result<IngestState> PostgresLandingStore::LoadIngestState() {
  RTPIPE_ASSIGN_OR_RETURN(PgResult r,
                          conn_->Query("SELECT seed, page, skip, source_records FROM ingest_state WHERE id = 1",
                                       "reading the ingest state"));
  IngestState state;
  if (r.rows() == 1) {
    RTPIPE_ASSIGN_OR_RETURN(int64_t page, r.Int(0, 1));
    RTPIPE_ASSIGN_OR_RETURN(int64_t skip, r.Int(0, 2));
    state.position = SourcePosition{std::string(r.Text(0, 0)), page, static_cast<int>(skip)};
    RTPIPE_ASSIGN_OR_RETURN(state.source_records, r.Int(0, 3));
  }
  total_ = state.source_records;
  return state;
}

void PostgresLandingStore::AppendCopyRow(const LandingUser& lu, int64_t ingested_us, RunId run, std::string& out) {
  RTPIPE_ASSERT(lu.user != nullptr, "user {} came without its parsed record (NeedsParsedUsers)", lu.key);
  const User& u = *lu.user;
  CopyRow row(out, kUserFields);
  row.Text(u.login.uuid);
  row.Text(u.Has(UserField::kGender), u.gender);
  bool name = u.Has(UserField::kName), loc = u.Has(UserField::kLocation), login = u.Has(UserField::kLogin);
  row.Text(name, u.name.title);
  row.Text(name, u.name.first);
  row.Text(name, u.name.last);
  row.Int8(loc, u.location.street_number);
  row.Text(loc, u.location.street_name);
  row.Text(loc, u.location.city);
  row.Text(loc, u.location.state);
  row.Text(loc, u.location.country);
  row.Text(loc, u.location.postcode);
  loc ? row.Bool(u.location.postcode_is_number) : row.Null();
  row.Text(loc, u.location.latitude);
  row.Text(loc, u.location.longitude);
  row.Text(loc, u.location.timezone_offset);
  row.Text(loc, u.location.timezone_description);
  row.Text(u.Has(UserField::kEmail), u.email);
  row.Text(login, u.login.username);
  row.Text(login, u.login.password);
  row.Text(login, u.login.salt);
  row.Text(login, u.login.md5);
  row.Text(login, u.login.sha1);
  row.Text(login, u.login.sha256);
  row.Time(u.Has(UserField::kDob), u.dob.date);
  row.Int4(u.Has(UserField::kDob), u.dob.age);
  row.Time(u.Has(UserField::kRegistered), u.registered.date);
  row.Int4(u.Has(UserField::kRegistered), u.registered.age);
  row.Text(u.Has(UserField::kPhone), u.phone);
  row.Text(u.Has(UserField::kCell), u.cell);
  row.Text(u.Has(UserField::kId), u.id.name);
  row.Text(u.Has(UserField::kId) && u.id.value.has_value(), u.id.value.value_or(""));
  bool picture = u.Has(UserField::kPicture);
  row.Text(picture, u.picture.large);
  row.Text(picture, u.picture.medium);
  row.Text(picture, u.picture.thumbnail);
  row.Text(u.Has(UserField::kNat), u.nat);
  row.Text(lu.raw);
  row.Timestamp(ToMillis(lu.event_time) * 1000);
  row.Timestamp(ingested_us);
  row.Int8(run.value());
}

std::string PostgresLandingStore::CopyColumns() { return ColumnList(); }

Result<LandingCounts> PostgresLandingStore::WriteOnce(const LandingBatch& batch) {
  static const std::string kUpdate = UpdateSql();
  static const std::string kCopyUsers = fmt::format("COPY users ({}) FROM STDIN (FORMAT binary)", ColumnList());
  static const std::string kCopyStage =
      fmt::format("COPY rtpipe_stage_users ({}) FROM STDIN (FORMAT binary)", ColumnList());
  PgConnection& conn = *conn_;
  LandingCounts counts;
  // When each record arrived (ingested_at, which capture turns into its latency's start): the batches
  // landed together each keep theirs.
  const int64_t now_us = WallMicros();

  // One row per person: a person twice in one batch lands once, as its last record.
  std::unordered_map<std::string_view, size_t> last;
  last.reserve(batch.users.size());
  for (size_t i = 0; i < batch.users.size(); ++i) last[batch.users[i].key] = i;
  counts.unchanged = static_cast<int64_t>(batch.users.size() - last.size());
  std::vector<size_t> rows;  // indexes into batch.users
  std::vector<std::string_view> keys;
  rows.reserve(last.size());
  keys.reserve(last.size());
  for (size_t i = 0; i < batch.users.size(); ++i) {
    std::string_view key = batch.users[i].key;
    if (last.size() == batch.users.size() || last[key] == i) {
      rows.push_back(i);
      keys.push_back(key);
    }
  }

  // New people are COPY'd straight into users (PostgreSQL's bulk insert path: a WAL record per
  // page, not per row); known people go through the staging table and an UPDATE that keeps the
  // rows whose bytes did not change. Exact only with one writer: the ingest lock sees to that,
  // and a concurrent foreign insert of the same key fails the COPY (23505), which is retried.
  rows_.clear();
  row_ends_.clear();
  auto encode = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      const LandingUser& user = batch.users[rows[i]];
      AppendCopyRow(user, ArrivedMicros(user.ingested_us, now_us), batch.run, rows_);
      row_ends_.push_back(rows_.size());
    }
  };
  bool landed = keys.empty();
  bool all_new_known = true;  // what the next batch should expect
  if (!landed && all_new_) {
    // The last batch was all new people (the usual case): COPY everything straight away, encoding
    // while the server inserts, under a savepoint. A known person fails the COPY (unique
    // violation); then roll back to the savepoint and take the general path below.
    RTPIPE_RETURN_IF_ERROR(conn.Exec("BEGIN; SAVEPOINT rtpipe_all_new", "landing a batch"));
    RTPIPE_RETURN_IF_ERROR(conn.CopyBegin(kCopyUsers, "landing a batch (COPY)"));
    (void)conn.CopyPut(kCopyHeader, "landing a batch (COPY)");
    constexpr size_t kRowsPerSend = 64;
    for (size_t i = 0; i < rows.size(); i += kRowsPerSend) {
      size_t sent = rows_.size();
      encode(i, std::min(rows.size(), i + kRowsPerSend));
      (void)conn.CopyPut(std::string_view(rows_).substr(sent), "landing a batch (COPY)");  // CopyEnd tells
    }
    (void)conn.CopyPut(kCopyTrailer, "landing a batch (COPY)");
    Status copied = conn.CopyEnd("landing a batch (COPY)");
    if (copied.ok()) {
      counts.inserted = static_cast<int64_t>(keys.size());
      landed = true;
    } else if (conn.last_sqlstate() == "23505") {
      RTPIPE_RETURN_IF_ERROR(conn.Exec("ROLLBACK TO SAVEPOINT rtpipe_all_new", "landing a batch"));
    } else {
      return copied;
    }
  } else {
    RTPIPE_RETURN_IF_ERROR(conn.Exec("BEGIN", "landing a batch"));
  }
  if (!landed) {
    // Which of them are known? The server looks them up while this thread encodes the rows (if
    // the attempt above has not encoded them already).
    RTPIPE_RETURN_IF_ERROR(conn.SendQuery("SELECT uuid FROM users WHERE uuid = ANY($1::text[])", {TextArray(keys)},
                                          "landing a batch (known people)"));
    if (row_ends_.size() != rows.size()) encode(0, rows.size());
    RTPIPE_ASSIGN_OR_RETURN(PgResult found, conn.Receive("landing a batch (known people)"));
    std::unordered_set<std::string_view> known;
    for (int r = 0; r < found.rows(); ++r) known.insert(found.Text(r, 0));
    std::string_view all(rows_);
    if (known.empty()) {
      RTPIPE_RETURN_IF_ERROR(conn.CopyBegin(kCopyUsers, "landing a batch (COPY)"));
      for (std::string_view part : {kCopyHeader, all, kCopyTrailer}) (void)conn.CopyPut(part, "landing a batch (COPY)");
      RTPIPE_RETURN_IF_ERROR(conn.CopyEnd("landing a batch (COPY)"));
    } else {
      insert_copy_.assign(kCopyHeader);
      update_copy_.assign(kCopyHeader);
      size_t updates = 0;
      for (size_t i = 0; i < keys.size(); ++i) {
        size_t begin = i == 0 ? 0 : row_ends_[i - 1];
        bool is_known = known.contains(keys[i]);
        updates += is_known ? 1 : 0;
        (is_known ? update_copy_ : insert_copy_).append(all.substr(begin, row_ends_[i] - begin));
      }
      insert_copy_.append(kCopyTrailer);
      update_copy_.append(kCopyTrailer);
      if (updates < keys.size()) {
        RTPIPE_RETURN_IF_ERROR(conn.CopyIn(kCopyUsers, insert_copy_, "landing a batch (COPY)"));
      }
      RTPIPE_RETURN_IF_ERROR(conn.CopyIn(kCopyStage, update_copy_, "landing a batch (COPY to staging)"));
      RTPIPE_ASSIGN_OR_RETURN(PgResult up, conn.Query(kUpdate, "landing a batch (update)"));
      RTPIPE_ASSIGN_OR_RETURN(counts.updated, up.Int(0, 0));
      counts.unchanged += static_cast<int64_t>(known.size()) - counts.updated;
    }
    counts.inserted = static_cast<int64_t>(keys.size() - known.size());
    all_new_known = known.empty();
  }
  if (!batch.rejects.empty()) {
    std::string sql =
        "INSERT INTO rejected_records (source_key, key, dead_letter, event_time, ingested_at, run_id) VALUES ";
    std::vector<std::optional<std::string>> params;
    for (size_t i = 0; i < batch.rejects.size(); ++i) {
      const LandingReject& r = batch.rejects[i];
      size_t p = params.size();
      sql +=
          fmt::format("{}(${}, ${}, ${}, ${}, ${}, ${})", i == 0 ? "" : ", ", p + 1, p + 2, p + 3, p + 4, p + 5, p + 6);
      params.insert(params.end(),
                    {r.source_key, r.key, r.dead_letter, FormatIso8601(r.event_time),
                     FormatMicrosUtc(ArrivedMicros(r.ingested_us, now_us)), std::to_string(batch.run.value())});
    }
    sql += " ON CONFLICT (source_key) DO NOTHING RETURNING 1";
    RTPIPE_ASSIGN_OR_RETURN(PgResult rej, conn.Query(sql, params, "landing a batch (rejects)"));
    counts.rejected = rej.rows();
  }
  if (!total_) RTPIPE_RETURN_IF_ERROR(LoadIngestState().status());
  int64_t total = *total_ + batch.source_records;
  RTPIPE_RETURN_IF_ERROR(
      conn.Query(
              "INSERT INTO ingest_state (id, seed, page, skip, source_records, changes) VALUES (1, $1, $2, $3, $4, $5) "
              "ON CONFLICT (id) DO UPDATE SET seed = EXCLUDED.seed, page = EXCLUDED.page, skip = EXCLUDED.skip, "
              "source_records = EXCLUDED.source_records, changes = ingest_state.changes + EXCLUDED.changes, "
              "updated_at = now()",
              {batch.next_position.seed, std::to_string(batch.next_position.page),
               std::to_string(batch.next_position.skip), std::to_string(total),
               std::to_string(counts.inserted + counts.updated + counts.rejected)},
              "landing a batch (ingest state)")
          .status());
  RTPIPE_RETURN_IF_ERROR(conn.Exec("COMMIT", "landing a batch (commit)"));
  total_ = total;
  all_new_ = all_new_known;
  return counts;
}

Result<LandingCounts> PostgresLandingStore::Write(const LandingBatch& batch) {
  MonoTime give_up = Clock::System().Monotonic() + options_.retry_window;
  Backoff backoff({std::chrono::milliseconds(200), std::chrono::milliseconds(5000), 2.0});
  auto log = GetLogger("landing");
  bool retried = false;
  for (;;) {
    Status failure;
    if (conn_ == nullptr || conn_->broken()) failure = Reconnect();
    if (failure.ok()) {
      auto counts = WriteOnce(batch);
      if (counts.ok()) {
        if (retried) log->info("PostgreSQL at {} is back: batch landed", endpoint_.where);
        return counts;
      }
      failure = counts.status();
      if (!conn_->broken()) (void)conn_->Exec("ROLLBACK", "rolling back");
    }
    MonoTime now = Clock::System().Monotonic();
    if (!failure.IsRetryable() || now >= give_up) {
      if (failure.IsRetryable()) {
        return Status(failure.code(), fmt::format("{} (gave up after {}, landing.retry_window)", failure.message(),
                                                  DurationText(options_.retry_window)));
      }
      return failure;
    }
    auto delay = std::min<std::chrono::milliseconds>(
        backoff.Next(),
        std::chrono::duration_cast<std::chrono::milliseconds>(give_up - now) + std::chrono::milliseconds(1));
    log->warn("{}; retrying in {}", failure.message(), FormatDuration(delay));
    retried = true;
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace rtpipe
