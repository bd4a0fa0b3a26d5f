#pragma once
// ChangeFeed over PostgreSQL logical replication: the `pgoutput` stream of the publication
// capture.publication through the replication slot capture.slot (see landing/postgres_schema.h
// for the tables and postgres_replication_stream.h for the protocol).
//
// What becomes a Change:
//   users insert/update      -> log.topic, key login.uuid, value MessageJson(ParseUser(raw)),
//                               timestamp event_time, header rtpipe.ingested_us from ingested_at
//   rejected_records insert  -> log.dlq_topic, the stored dead-letter JSON
//   ingest_state             -> nothing; its `changes` column tells the backlog
// Change ids are "pg:<commit LSN>:<index in the transaction>": the same change read again after a
// restart has the same id, which is what the replay guard needs.
//
// Positions are the end LSN of the last transaction handed out ("16/B374D848"; "" before any).
// Read only ever returns whole transactions.
//
// Checkpoint and replay guard. Commit(P, E) stores (P, E) in capture_state (a durable PostgreSQL
// transaction) and only then reports P to the slot as flushed. LoadCheckpoint returns the stored
// (P, E), and Read resumes with START_REPLICATION at P itself — not at the slot's
// confirmed_flush_lsn — so the stored row alone decides where capture resumes:
//  * The server never sends a transaction that committed before the requested start, nor one
//    before the slot's confirmed_flush_lsn; capture reports a flush LSN F only after (P >= F, E) is
//    durable, or when everything between the last committed P and F carried no change.
//  * Every change after P was handed out by a Read after the Commit that stored (P, E) returned;
//    the capture stage appends it only after that, at offsets >= the ends it read before that
//    Commit, which are >= E. So all that a crashed incarnation may have appended after P is at
//    offsets >= E: exactly what the replay guard scans. (If the slot's confirmed_flush_lsn is
//    ahead of P — the row's commit was lost with the server, or F covered empty transactions —
//    the server skips the changes between, which are then in the log already or were none.)
// One generation of (P, E) is enough because P is never taken from the slot. The slot's own
// position can also move back (PostgreSQL persists it at checkpoints only); that costs re-reading
// WAL, never a duplicate, since Read starts at P.
//
// "Read returned nothing" means: every transaction committed before that Read began has been
// handed out (the feed waits until the stream has passed the server's WAL insert position taken at
// that moment). `rtpipe run --records` relies on it to know that capture has drained.
//
// Not thread-safe: used by the capture thread only.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rtpipe/capture/change_feed.h"
#include "rtpipe/capture/postgres_pgoutput.h"
#include "rtpipe/capture/postgres_replication_stream.h"
#include "rtpipe/landing/postgres_connection.h"
#include "rtpipe/landing/postgres_schema.h"

namespace rtpipe {

class PostgresChangeFeed final : public ChangeFeed {
 public:
  struct Options {
    std::string url;
    std::string slot = "rtpipe";
    std::string publication = "rtpipe_users";
    std::string topic = "users_created";
    std::string dlq_topic = "users_created.dlq";
    int64_t max_slot_lag = int64_t{1} << 30;               // bytes of retained WAL; -1: no limit
    std::chrono::milliseconds max_slot_lag_time{300'000};  // 0: no limit
    std::chrono::milliseconds retry_window{60'000};
  };
  static Options OptionsFrom(const Config& config);

  /// Connects (retrying for up to retry_window), checks the server, and makes sure the schema,
  /// the publication and the slot exist.
  static Result<std::unique_ptr<PostgresChangeFeed>> Open(const Options& options);

  Result<CaptureCheckpoint> LoadCheckpoint() override;
  Result<std::pair<std::vector<Change>, std::string>> Read(const std::string& position, int max,
                                                           std::chrono::milliseconds wait,
                                                           std::stop_token stop) override;
  Status Commit(const CaptureCheckpoint& checkpoint) override;
  Result<int64_t> Backlog() override;
  std::string_view IdPrefix() const override { return "pg:"; }
  FeedLag Lag() const override { return lag_; }

 private:
  enum class Table : uint8_t { kOther, kUsers, kRejects, kIngestState };
  struct RelationInfo {
    Table table = Table::kOther;
    // Column indexes in the tuple (-1: not published).
    int key = -1, raw = -1, event_time = -1, ingested_at = -1, value = -1, changes = -1;
  };

  PostgresChangeFeed(Options options, PgEndpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

  Status EnsureSql();
  Status StartStream(const std::string& position);
  void ResetTransaction();
  Status Handle(std::string_view payload);
  Status AddChange(const RelationInfo& rel, const std::vector<pgoutput::Value>& tuple);
  Result<PgLsn> InsertLsn();
  bool CaughtUp(PgLsn target) const;
  PgLsn FlushToReport() const;
  Status SendStatus(bool reply_requested);
  void CheckAlarm(int64_t retained, int64_t waiting_ms, const std::string& wal_status);

  Options options_;
  PgEndpoint endpoint_;
  pg::ServerFacts facts_;
  std::unique_ptr<PgConnection> sql_;  // state table, slot and backlog queries
  std::unique_ptr<PgReplicationStream> stream_;
  std::unordered_map<uint32_t, RelationInfo> relations_;  // by relation id, from 'R' messages
  pgoutput::Message message_;                             // reused decode target

  // Stream progress. Invariant: every transaction ending at or before consumed_ has been read;
  // those with changes are in out_ or were handed out by Read.
  std::string expected_;          // the position a caller continuing the stream passes to Read
  PgLsn consumed_;                // end of the last transaction read from the stream
  PgLsn server_seen_;             // the sender's position from keepalives between transactions
  PgLsn slot_confirmed_;          // the slot's confirmed_flush_lsn when the stream started
  PgLsn committed_;               // position of the last Commit
  bool handed_out_ = false;       // Read returned changes that are not committed yet
  std::vector<Change> out_;       // changes of the Read in progress
  std::string expected_pending_;  // the position after the last transaction in out_

  // The transaction being decoded.
  bool in_txn_ = false;
  PgLsn txn_lsn_;
  std::string txn_id_prefix_;  // "pg:<txn_lsn_>:"
  std::vector<Change> txn_changes_;
  std::optional<int64_t> txn_landed_;

  int64_t landed_seen_ = 0;          // ingest_state.changes as of consumed_
  int64_t returned_commit_us_ = 0;   // commit time of the last transaction handed out
  int64_t committed_commit_us_ = 0;  // commit time of the transaction at committed_ (Unix micros)
  MonoTime last_status_{};

  MonoTime lag_checked_{};
  int64_t backlog_ = 0;
  FeedLag lag_;
  MonoTime alarm_logged_{};
};

}  // namespace rtpipe
