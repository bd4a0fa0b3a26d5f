#include "rtpipe/capture/sqlite_outbox_feed.h"

#include <charconv>
#include <chrono>

#include "rtpipe/config/url.h"
#include "rtpipe/landing/sqlite_landing_schema.h"

namespace rtpipe {
namespace {

constexpr std::chrono::milliseconds kOutboxPoll{10};

Result<int64_t> ParsePosition(const std::string& position) {
  if (position.empty()) return int64_t{0};
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(position.data(), position.data() + position.size(), value);
  if (ec != std::errc() || ptr != position.data() + position.size() || value < 0) {
    return Status::Corruption("bad outbox position \"{}\"", position);
  }
  return value;
}

}  // namespace

Result<std::unique_ptr<SqliteOutboxFeed>> SqliteOutboxFeed::Open(const std::string& path) {
  RTPIPE_ASSIGN_OR_RETURN(auto db, SqliteDb::Open(path, SqliteDb::Mode::kReadWriteCreate));
  RTPIPE_RETURN_IF_ERROR(db->Exec(sqlite_landing::kCreateSchema));
  RTPIPE_RETURN_IF_ERROR(db->CheckpointInBackground());
  RTPIPE_ASSIGN_OR_RETURN(auto read, db->Prepare("SELECT seq, topic, key, value, event_time_ms, ingested_us "
                                                 "FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  RTPIPE_ASSIGN_OR_RETURN(auto save,
                          db->Prepare("INSERT INTO capture_state (id, position, log_ends) VALUES (1, ?1, ?2) "
                                      "ON CONFLICT (id) DO UPDATE SET position = excluded.position, "
                                      "log_ends = excluded.log_ends"));
  // Keeps the last captured entry: see the outbox table in sqlite_landing_schema.h.
  RTPIPE_ASSIGN_OR_RETURN(auto prune, db->Prepare("DELETE FROM outbox WHERE seq < ?1"));
  return std::unique_ptr<SqliteOutboxFeed>(
      new SqliteOutboxFeed(std::move(db), std::move(read), std::move(save), std::move(prune)));
}

Result<CaptureCheckpoint> SqliteOutboxFeed::LoadCheckpoint() {
  RTPIPE_ASSIGN_OR_RETURN(auto query, db_->Prepare("SELECT position, log_ends FROM capture_state"));
  CaptureCheckpoint checkpoint;
  RTPIPE_ASSIGN_OR_RETURN(bool row, query.Step());
  if (row) {
    checkpoint.position = std::to_string(query.ColumnInt(0));
    RTPIPE_ASSIGN_OR_RETURN(checkpoint.log_ends, DecodeLogEnds(query.ColumnText(1)));
  }
  return checkpoint;
}

Result<std::pair<std::vector<Change>, std::string>> SqliteOutboxFeed::Read(const std::string& position, int max,
                                                                           std::chrono::milliseconds wait,
                                                                           std::stop_token stop) {
  RTPIPE_ASSIGN_OR_RETURN(int64_t after, ParsePosition(position));
  std::vector<Change> changes;
  int64_t last = after;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const uint64_t commits = db_->Commits();
    read_.BindInt(1, after);
    read_.BindInt(2, max);
    for (;;) {
      auto row = read_.Step();
      if (!row.ok()) {
        read_.Reset();
        return row.status();
      }
      if (!*row) break;
      Change c;
      last = read_.ColumnInt(0);
      c.id = "outbox:" + std::to_string(last);
      c.topic = std::string(read_.ColumnText(1));
      if (!read_.ColumnIsNull(2)) c.key = std::string(read_.ColumnText(2));
      c.value = std::string(read_.ColumnText(3));
      c.event_time = TimestampFromMillis(read_.ColumnInt(4));
      c.ingested_us = read_.ColumnInt(5);
      changes.push_back(std::move(c));
    }
    read_.Reset();
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!changes.empty() || left.count() <= 0 || stop.stop_requested()) break;
    // Woken by the next commit of this process (the landing thread's); a landing stage in another
    // process (`--role ingest`) is seen by polling every kOutboxPoll.
    db_->WaitForCommit(commits, std::min(left, kOutboxPoll), stop);
  }
  return std::make_pair(std::move(changes), std::to_string(last));
}

Status SqliteOutboxFeed::Commit(const CaptureCheckpoint& checkpoint) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(*db_));
  return Save(checkpoint, tx);
}

Result<bool> SqliteOutboxFeed::TryCommit(const CaptureCheckpoint& checkpoint) {
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::TryBegin(*db_));
  if (!tx) return false;  // the landing thread is writing
  RTPIPE_RETURN_IF_ERROR(Save(checkpoint, *tx));
  return true;
}

Status SqliteOutboxFeed::Save(const CaptureCheckpoint& checkpoint, SqliteTransaction& tx) {
  RTPIPE_ASSIGN_OR_RETURN(int64_t position, ParsePosition(checkpoint.position));
  std::string ends = EncodeLogEnds(checkpoint.log_ends);  // bound, not copied: kept until Run
  save_.BindInt(1, position);
  save_.BindText(2, ends);
  RTPIPE_RETURN_IF_ERROR(save_.Run());
  prune_.BindInt(1, position);
  RTPIPE_RETURN_IF_ERROR(prune_.Run());
  return tx.Commit();
}

Result<int64_t> SqliteOutboxFeed::Backlog() {
  RTPIPE_ASSIGN_OR_RETURN(auto last, db_->QueryInt("SELECT MAX(seq) FROM outbox"));
  RTPIPE_ASSIGN_OR_RETURN(auto captured, db_->QueryInt("SELECT position FROM capture_state"));
  return last.value_or(0) - captured.value_or(0);
}

}  // namespace rtpipe
