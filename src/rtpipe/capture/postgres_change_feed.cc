#include "rtpipe/capture/postgres_change_feed.h"

#include <charconv>

#include "rtpipe/base/logging.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/message.h"
#include "rtpipe/model/user.h"

namespace rtpipe {
namespace {

constexpr auto kStatusInterval = std::chrono::seconds(10);      // status updates even when idle
constexpr auto kProbeInterval = std::chrono::milliseconds(20);  // keepalive requests while catching up
constexpr auto kCatchUpLimit = std::chrono::seconds(30);        // an empty Read waits at most this long
constexpr auto kLagRefresh = std::chrono::milliseconds(200);
constexpr auto kAlarmRepeat = std::chrono::seconds(60);

int ColumnIndex(const pgoutput::Relation& rel, std::string_view name) {
  for (size_t i = 0; i < rel.columns.size(); ++i) {
    if (rel.columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

PostgresChangeFeed::Options PostgresChangeFeed::OptionsFrom(const Config& config) {
  Options o;
  o.url = config.landing.url;
  o.slot = config.capture.slot;
  o.publication = config.capture.publication;
  o.topic = config.log.topic;
  o.dlq_topic = config.log.dlq_topic;
  o.max_slot_lag = config.capture.max_slot_lag;
  o.max_slot_lag_time = config.capture.max_slot_lag_time;
  o.retry_window = config.landing.retry_window;
  return o;
}

Result<std::unique_ptr<PostgresChangeFeed>> PostgresChangeFeed::Open(const Options& options) {
  RTPIPE_ASSIGN_OR_RETURN(PgEndpoint endpoint, PgEndpoint::FromUrl(options.url, "rtpipe-capture"));
  std::unique_ptr<PostgresChangeFeed> feed(new PostgresChangeFeed(options, endpoint));
  RTPIPE_ASSIGN_OR_RETURN(feed->sql_, PgConnection::ConnectWithRetry(endpoint, PgConnection::Mode::kNormal,
                                                                     options.retry_window, "capture"));
  PgConnection& conn = *feed->sql_;
  RTPIPE_ASSIGN_OR_RETURN(feed->facts_, pg::CheckServer(conn));
  RTPIPE_RETURN_IF_ERROR(pg::MigrateSchema(conn));
  RTPIPE_RETURN_IF_ERROR(pg::EnsurePublication(conn, options.publication));
  RTPIPE_RETURN_IF_ERROR(pg::EnsureSlot(conn, options.slot).status());
  RTPIPE_ASSIGN_OR_RETURN(PgResult now,
                          conn.Query("SELECT (extract(epoch from now()) * 1000000)::bigint", "reading the clock"));
  RTPIPE_ASSIGN_OR_RETURN(feed->committed_commit_us_, now.Int(0, 0));
  return feed;
}

Status PostgresChangeFeed::EnsureSql() {
  if (sql_ != nullptr && !sql_->broken()) return Status::OK();
  sql_.reset();
  RTPIPE_ASSIGN_OR_RETURN(sql_, PgConnection::Connect(endpoint_));
  return Status::OK();
}

Result<CaptureCheckpoint> PostgresChangeFeed::LoadCheckpoint() {
  RTPIPE_RETURN_IF_ERROR(EnsureSql());
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult r, sql_->Query("SELECT position::text, log_ends::text, landed_seen, "
                              "(extract(epoch from commit_time) * 1000000)::bigint FROM capture_state WHERE slot = $1",
                              {options_.slot}, "reading the capture checkpoint"));
  CaptureCheckpoint checkpoint;
  if (r.rows() == 0) return checkpoint;
  if (!r.IsNull(0, 0)) {
    checkpoint.position = std::string(r.Text(0, 0));
    RTPIPE_ASSIGN_OR_RETURN(committed_, ParseLsn(checkpoint.position));
  }
  if (!r.IsNull(0, 1)) {
    RTPIPE_ASSIGN_OR_RETURN(checkpoint.log_ends, DecodeLogEnds(r.Text(0, 1)));
  }
  RTPIPE_ASSIGN_OR_RETURN(landed_seen_, r.Int(0, 2));
  if (!r.IsNull(0, 3)) {
    RTPIPE_ASSIGN_OR_RETURN(committed_commit_us_, r.Int(0, 3));
  }
  return checkpoint;
}

void PostgresChangeFeed::ResetTransaction() {
  in_txn_ = false;
  txn_changes_.clear();
  txn_landed_.reset();
}

Status PostgresChangeFeed::StartStream(const std::string& position) {
  stream_.reset();
  relations_.clear();
  ResetTransaction();
  out_.clear();
  handed_out_ = false;
  PgLsn from;
  if (!position.empty()) {
    RTPIPE_ASSIGN_OR_RETURN(from, ParseLsn(position));
  }
  RTPIPE_RETURN_IF_ERROR(EnsureSql());
  // The slot may have been dropped (rtpipe capture drop-slot) while capture was away.
  RTPIPE_ASSIGN_OR_RETURN(pg::SlotSetup setup, pg::EnsureSlot(*sql_, options_.slot));
  if (setup.created) {
    RTPIPE_ASSIGN_OR_RETURN(PgResult r, sql_->Query("SELECT landed_seen FROM capture_state WHERE slot = $1",
                                                    {options_.slot}, "reading the capture state"));
    if (r.rows() == 1) {
      RTPIPE_ASSIGN_OR_RETURN(landed_seen_, r.Int(0, 0));
    }
  }
  RTPIPE_ASSIGN_OR_RETURN(auto slot, pg::LoadSlot(*sql_, options_.slot));
  if (!slot) return Status::Unavailable("replication slot \"{}\" vanished while starting", options_.slot);
  if (slot->wal_status == "lost") {
    return Status::FailedPrecondition(
        "replication slot \"{}\" on PostgreSQL at {} has lost WAL it needed (max_slot_wal_keep_size exceeded): "
        "the changes landed since {} can no longer be captured. Drop the slot (rtpipe capture drop-slot) and "
        "re-land the data to publish it",
        options_.slot, endpoint_.where, FormatLsn(slot->confirmed_flush));
  }
  RTPIPE_ASSIGN_OR_RETURN(stream_, PgReplicationStream::Start(endpoint_, options_.slot, options_.publication, from));
  slot_confirmed_ = slot->confirmed_flush;
  consumed_ = std::max(from, slot_confirmed_);
  server_seen_ = consumed_;
  expected_ = position;
  last_status_ = Clock::System().Monotonic();
  GetLogger("capture")->info("streaming publication {} from slot {} of PostgreSQL at {}, from {}", options_.publication,
                             options_.slot, endpoint_.where, FormatLsn(consumed_));
  return Status::OK();
}

Status PostgresChangeFeed::AddChange(const RelationInfo& rel, const std::vector<pgoutput::Value>& tuple) {
  auto text = [&](int index) -> std::optional<std::string_view> {
    if (index < 0 || static_cast<size_t>(index) >= tuple.size() || tuple[index].tag != pgoutput::Value::Tag::kText) {
      return std::nullopt;
    }
    return tuple[index].text;
  };
  auto missing = [&](std::string_view table, std::string_view column) {
    return Status::FailedPrecondition(
        "publication \"{}\" sends no value for {}.{}: it must publish users (uuid, raw, event_time, ingested_at), "
        "rejected_records and ingest_state (id, changes); drop it to let rtpipe create it",
        options_.publication, table, column);
  };
  if (rel.table == Table::kIngestState) {
    auto changes = text(rel.changes);
    if (!changes) return missing("ingest_state", "changes");
    int64_t n = 0;
    std::from_chars(changes->data(), changes->data() + changes->size(), n);
    txn_landed_ = n;
    return Status::OK();
  }
  if (rel.table == Table::kOther) return Status::OK();
  size_t index = txn_changes_.size();
  auto event_time = text(rel.event_time), ingested_at = text(rel.ingested_at);
  if (!event_time || !ingested_at) {
    return missing(rel.table == Table::kUsers ? "users" : "rejected_records",
                   !event_time ? "event_time" : "ingested_at");
  }
  RTPIPE_ASSIGN_OR_RETURN(int64_t event_us, pgoutput::ParseTimestampMicros(*event_time));
  RTPIPE_ASSIGN_OR_RETURN(int64_t ingested_us, pgoutput::ParseTimestampMicros(*ingested_at));
  Change c;
  c.id = txn_id_prefix_ + std::to_string(index);
  c.event_time = TimestampFromMillis(event_us / 1000);
  c.ingested_us = ingested_us;
  if (rel.table == Table::kRejects) {
    auto letter = text(rel.value);
    if (!letter) return missing("rejected_records", "dead_letter");
    c.topic = options_.dlq_topic;
    if (auto key = text(rel.key)) c.key = std::string(*key);
    c.value = std::string(*letter);
    txn_changes_.push_back(std::move(c));
    return Status::OK();
  }
  auto uuid = text(rel.key);
  if (!uuid) return missing("users", "uuid");
  if (rel.raw >= 0 && static_cast<size_t>(rel.raw) < tuple.size() &&
      tuple[rel.raw].tag == pgoutput::Value::Tag::kUnchanged) {
    return Status::OK();  // an update that left the record's bytes as they were: its message is unchanged
  }
  auto raw = text(rel.raw);
  if (!raw) return missing("users", "raw");
  c.key = std::string(*uuid);
  auto user = ParseUser(*raw);
  if (user.ok()) {
    c.topic = options_.topic;
    c.value = MessageJson(*user);
  } else {
    // Only a row written by something other than rtpipe can hold an unparseable record.
    DeadLetter letter;
    letter.reason = std::string(ClassifyUserError(user.status()));
    letter.detail = user.status().message();
    letter.stage = "capture";
    letter.source = fmt::format("postgresql users uuid={}", *uuid);
    letter.key = c.key;
    letter.original = std::string(*raw);
    letter.event_time = c.event_time;
    c.topic = options_.dlq_topic;
    c.value = DeadLetterJson(letter);
  }
  txn_changes_.push_back(std::move(c));
  return Status::OK();
}

Status PostgresChangeFeed::Handle(std::string_view payload) {
  RTPIPE_RETURN_IF_ERROR(pgoutput::Decode(payload, message_));
  switch (message_.kind) {
    case pgoutput::Kind::kBegin:
      ResetTransaction();
      in_txn_ = true;
      txn_lsn_ = message_.lsn;
      txn_id_prefix_ = fmt::format("pg:{}:", FormatLsn(txn_lsn_));
      return Status::OK();
    case pgoutput::Kind::kRelation: {
      const pgoutput::Relation& r = message_.relation;
      RelationInfo info;
      if (r.name == "users") {
        info.table = Table::kUsers;
        info.key = ColumnIndex(r, "uuid");
        info.raw = ColumnIndex(r, "raw");
      } else if (r.name == "rejected_records") {
        info.table = Table::kRejects;
        info.key = ColumnIndex(r, "key");
        info.value = ColumnIndex(r, "dead_letter");
      } else if (r.name == "ingest_state") {
        info.table = Table::kIngestState;
        info.changes = ColumnIndex(r, "changes");
      }
      info.event_time = ColumnIndex(r, "event_time");
      info.ingested_at = ColumnIndex(r, "ingested_at");
      relations_[r.id] = info;
      return Status::OK();
    }
    case pgoutput::Kind::kInsert:
    case pgoutput::Kind::kUpdate: {
      auto it = relations_.find(message_.relation_id);
      if (!in_txn_ || it == relations_.end()) {
        return Status::Corruption("pgoutput: a change outside a transaction or for an unannounced relation {}",
                                  message_.relation_id);
      }
      return AddChange(it->second, message_.tuple);
    }
    case pgoutput::Kind::kCommit: {
      if (!in_txn_) return Status::Corruption("pgoutput: commit without begin");
      in_txn_ = false;
      consumed_ = message_.end_lsn;
      if (txn_landed_) landed_seen_ = std::max(landed_seen_, *txn_landed_);
      if (!txn_changes_.empty()) {
        for (auto& c : txn_changes_) out_.push_back(std::move(c));
        txn_changes_.clear();
        returned_commit_us_ = message_.commit_time_us;
        expected_pending_ = FormatLsn(message_.end_lsn);
      }
      return Status::OK();
    }
    case pgoutput::Kind::kDelete:
    case pgoutput::Kind::kSkipped:
      return Status::OK();
  }
  return Status::OK();
}

Result<PgLsn> PostgresChangeFeed::InsertLsn() {
  RTPIPE_RETURN_IF_ERROR(EnsureSql());
  RTPIPE_ASSIGN_OR_RETURN(PgResult r,
                          sql_->Query("SELECT pg_current_wal_insert_lsn()::text", "reading the WAL position"));
  return ParseLsn(r.Text(0, 0));
}

bool PostgresChangeFeed::CaughtUp(PgLsn target) const {
  if (in_txn_) return false;
  // The sender reports where a record ends; the insert position of a record that starts a WAL
  // page lies after the page header. Compare both in the latter form.
  PgLsn at = std::max(consumed_, server_seen_);
  if (facts_.wal_block_size > 0 && at.value % static_cast<uint64_t>(facts_.wal_block_size) == 0) {
    bool segment_start = facts_.wal_segment_size > 0 && at.value % static_cast<uint64_t>(facts_.wal_segment_size) == 0;
    at.value += segment_start ? 40 : 24;  // SizeOfXLogLongPHD / SizeOfXLogShortPHD
  }
  return at >= target;
}

PgLsn PostgresChangeFeed::FlushToReport() const {
  PgLsn flush = committed_;
  // Nothing read is waiting to be captured: what lies between held no change.
  if (!handed_out_ && out_.empty() && !in_txn_) flush = std::max({flush, consumed_, server_seen_});
  return std::max(flush, slot_confirmed_);  // never move the slot back
}

Status PostgresChangeFeed::SendStatus(bool reply_requested) {
  if (stream_ == nullptr) return Status::OK();
  last_status_ = Clock::System().Monotonic();
  return stream_->SendStatus(FlushToReport(), reply_requested);
}

Result<std::pair<std::vector<Change>, std::string>> PostgresChangeFeed::Read(const std::string& position, int max,
                                                                             std::chrono::milliseconds wait,
                                                                             std::stop_token stop) {
  auto fail = [&](Status s) {
    stream_.reset();  // the next Read starts again from the caller's position
    ResetTransaction();
    out_.clear();
    return s;
  };
  if (stream_ == nullptr || position != expected_) {
    Status s = StartStream(position);
    if (!s.ok()) return fail(std::move(s));
  }
  out_.clear();
  expected_pending_.clear();
  MonoTime start = Clock::System().Monotonic();
  MonoTime deadline = start + wait;
  MonoTime give_up = start + std::max<std::chrono::milliseconds>(wait, kCatchUpLimit);
  std::optional<PgLsn> target;  // the WAL insert position once nothing was left to read
  MonoTime last_probe{};
  for (;;) {
    if (!in_txn_ && static_cast<int>(out_.size()) >= max) break;
    bool deliver = !out_.empty() && !in_txn_;
    if (stop.stop_requested()) {
      if (deliver) break;
      return fail(Status::Cancelled("capture is stopping"));
    }
    auto event = stream_->Next(deliver ? std::chrono::milliseconds(0) : std::chrono::milliseconds(20));
    if (!event.ok()) return fail(event.status());
    if (event->kind == PgReplicationStream::Event::Kind::kData) {
      Status s = Handle(event->payload);
      if (!s.ok()) return fail(std::move(s));
      continue;
    }
    if (event->kind == PgReplicationStream::Event::Kind::kKeepalive) {
      if (!in_txn_) server_seen_ = std::max(server_seen_, event->wal_end);
      if (event->reply_requested) {
        Status s = SendStatus(false);
        if (!s.ok()) return fail(std::move(s));
      }
      continue;
    }
    if (deliver) break;  // the stream has nothing more right now
    if (in_txn_) continue;
    // Nothing to hand out. Return empty only once the stream has passed every transaction
    // committed before this Read (see the header).
    if (!target) {
      auto lsn = InsertLsn();
      if (!lsn.ok()) return lsn.status();
      target = *lsn;
    }
    MonoTime now = Clock::System().Monotonic();
    if (CaughtUp(*target)) {
      if (now >= deadline) break;
      continue;
    }
    if (now >= give_up) {
      return Status::Unavailable(
          "the replication stream of slot \"{}\" has not reached the server's WAL position {} "
          "after {} (it is at {})",
          options_.slot, FormatLsn(*target), FormatDuration(now - start), FormatLsn(std::max(consumed_, server_seen_)));
    }
    if (now - last_probe >= kProbeInterval) {
      Status s = SendStatus(true);  // ask for a keepalive: it carries the sender's position
      if (!s.ok()) return fail(std::move(s));
      last_probe = now;
    }
  }
  if (out_.empty()) {
    if (Clock::System().Monotonic() - last_status_ >= kStatusInterval) {
      Status s = SendStatus(false);
      if (!s.ok()) return fail(std::move(s));
    }
    return std::make_pair(std::vector<Change>(), position);
  }
  expected_ = expected_pending_;
  handed_out_ = true;
  std::vector<Change> changes;
  changes.swap(out_);
  return std::make_pair(std::move(changes), expected_);
}

Status PostgresChangeFeed::Commit(const CaptureCheckpoint& checkpoint) {
  PgLsn position;
  if (!checkpoint.position.empty()) {
    RTPIPE_ASSIGN_OR_RETURN(position, ParseLsn(checkpoint.position));
  }
  RTPIPE_RETURN_IF_ERROR(EnsureSql());
  bool latest = checkpoint.position == expected_;
  int64_t commit_us = latest ? returned_commit_us_ : committed_commit_us_;
  RTPIPE_RETURN_IF_ERROR(
      sql_->Query("INSERT INTO capture_state (slot, position, log_ends, landed_seen, commit_time, updated_at) "
                  "VALUES ($1, $2::pg_lsn, $3::json, $4, to_timestamp($5::double precision / 1000000), now()) "
                  "ON CONFLICT (slot) DO UPDATE SET position = EXCLUDED.position, log_ends = EXCLUDED.log_ends, "
                  "landed_seen = EXCLUDED.landed_seen, commit_time = EXCLUDED.commit_time, updated_at = now()",
                  {options_.slot,
                   checkpoint.position.empty() ? std::nullopt : std::optional<std::string>(checkpoint.position),
                   EncodeLogEnds(checkpoint.log_ends), std::to_string(landed_seen_), std::to_string(commit_us)},
                  "storing the capture checkpoint")
          .status());
  // Durable now: the slot may let go of the WAL up to here.
  committed_ = position;
  committed_commit_us_ = commit_us;
  if (latest) handed_out_ = false;
  if (!SendStatus(false).ok()) stream_.reset();  // the next Read reconnects and says why
  return Status::OK();
}

void PostgresChangeFeed::CheckAlarm(int64_t retained, int64_t waiting_ms, const std::string& wal_status) {
  bool bytes_over = options_.max_slot_lag >= 0 && retained > options_.max_slot_lag;
  bool time_over = options_.max_slot_lag_time.count() > 0 && waiting_ms > options_.max_slot_lag_time.count();
  bool wal_at_risk = wal_status == "unreserved" || wal_status == "lost";
  bool alarm = bytes_over || time_over || wal_at_risk;
  MonoTime now = Clock::System().Monotonic();
  auto log = GetLogger("capture");
  if (alarm && (!lag_.alarm || now - alarm_logged_ >= kAlarmRepeat)) {
    log->warn(
        "ALARM: replication slot {} retains {} of WAL (limit capture.max_slot_lag = {}) and landed changes "
        "have waited {} for capture (limit capture.max_slot_lag_time = {}){}. PostgreSQL keeps that WAL on "
        "disk until capture confirms it; if capture cannot catch up, `rtpipe capture drop-slot` releases it "
        "(the changes not captured yet are then not published)",
        options_.slot, pg::FormatBytes(retained),
        options_.max_slot_lag < 0 ? "none" : pg::FormatBytes(options_.max_slot_lag),
        FormatDuration(std::chrono::milliseconds(waiting_ms)),
        options_.max_slot_lag_time.count() > 0 ? FormatDuration(options_.max_slot_lag_time) : "none",
        wal_at_risk ? fmt::format(", and its WAL is {}", wal_status) : "");
    alarm_logged_ = now;
  } else if (!alarm && lag_.alarm) {
    log->info("replication slot {} is back under the lag limits ({} of WAL, {} behind)", options_.slot,
              pg::FormatBytes(retained), FormatDuration(std::chrono::milliseconds(waiting_ms)));
  }
  lag_.alarm = alarm;
}

Result<int64_t> PostgresChangeFeed::Backlog() {
  MonoTime now = Clock::System().Monotonic();
  if (now - lag_checked_ < kLagRefresh) return backlog_;
  lag_checked_ = now;
  RTPIPE_RETURN_IF_ERROR(EnsureSql());
  RTPIPE_ASSIGN_OR_RETURN(
      PgResult r, sql_->Query("SELECT coalesce((SELECT changes FROM ingest_state WHERE id = 1), 0), "
                              "coalesce((SELECT pg_current_wal_lsn() - restart_lsn FROM pg_replication_slots "
                              "WHERE slot_name = $1), 0)::bigint, "
                              "coalesce((SELECT wal_status FROM pg_replication_slots WHERE slot_name = $1), ''), "
                              "(extract(epoch from clock_timestamp()) * 1000000)::bigint",
                              {options_.slot}, "reading the capture backlog"));
  RTPIPE_ASSIGN_OR_RETURN(int64_t landed, r.Int(0, 0));
  RTPIPE_ASSIGN_OR_RETURN(int64_t retained, r.Int(0, 1));
  RTPIPE_ASSIGN_OR_RETURN(int64_t server_now_us, r.Int(0, 3));
  backlog_ = std::max<int64_t>(0, landed - landed_seen_);
  int64_t waiting_ms = backlog_ > 0 ? std::max<int64_t>(0, (server_now_us - committed_commit_us_) / 1000) : 0;
  lag_.bytes = retained;
  lag_.millis = waiting_ms;
  CheckAlarm(retained, waiting_ms, std::string(r.Text(0, 2)));
  return backlog_;
}

}  // namespace rtpipe
