#pragma once
// LandingStore on PostgreSQL (`landing.url: postgresql://...`), over libpq.
//
// Each Write is one transaction, an upsert by login.uuid done the fast way. New people are COPY'd
// (binary format) straight into users — PostgreSQL's bulk-insert path, as fast as `psql \copy`.
// When the last batch held only new people, the whole batch is COPY'd under a savepoint first
// (the rows are encoded while the server inserts them); a known person makes that COPY fail with a
// unique violation, and the batch then takes the general path: one query finds which people are
// known, the new ones are COPY'd into users, the known ones into a temporary staging table from
// which one UPDATE changes the rows whose raw bytes differ. New rejects are inserted (ON CONFLICT
// DO NOTHING); ingest_state gets the source position, the absolute record count and the number of
// published changes. There is no outbox:
// change capture reads these tables' changes from the write-ahead log (see postgres_schema.h).
//
// A lost connection or a server restart is retried — reconnecting, with backoff, for up to
// `landing.retry_window` — and logged. Retrying a batch whose COMMIT outcome was unknown is
// harmless: the upsert then changes nothing and the record count is written as an absolute value.
// One ingest per database: a session advisory lock keeps a second one out.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rtpipe/landing/landing_store.h"
#include "rtpipe/landing/postgres_connection.h"

namespace rtpipe {

class PostgresLandingStore final : public LandingStore {
 public:
  struct Options {
    std::string url;                           // postgresql://user:password@host:port/db
    std::string slot = "rtpipe";               // capture.slot: created here too, so no landed change is missed
    std::string publication = "rtpipe_users";  // capture.publication
    std::chrono::milliseconds retry_window{60'000};
  };
  /// Connects (retrying for up to retry_window), checks the server, migrates the schema and
  /// makes sure the publication and the replication slot exist.
  static Result<std::unique_ptr<PostgresLandingStore>> Open(const Options& options);
  static Options OptionsFrom(const Config& config);

  /// The columns of users that Write fills (in COPY order), e.g. for `psql \copy` of the same rows.
  static std::string CopyColumns();

  Result<RunId> BeginRun() override;
  Result<IngestState> LoadIngestState() override;
  Result<LandingCounts> Write(const LandingBatch& batch) override;
  bool NeedsParsedUsers() const override { return true; }  // a typed column per field

 private:
  PostgresLandingStore(Options options, PgEndpoint endpoint)
      : options_(std::move(options)), endpoint_(std::move(endpoint)) {}

  // Per-connection set-up: the ingest lock and the staging table.
  Status PrepareSession();
  Status Reconnect();
  Result<LandingCounts> WriteOnce(const LandingBatch& batch);
  // Appends the user's row in COPY binary format.
  static void AppendCopyRow(const LandingUser& user, int64_t ingested_us, RunId run, std::string& out);

  Options options_;
  PgEndpoint endpoint_;
  std::unique_ptr<PgConnection> conn_;
  std::optional<int64_t> total_;  // ingest_state.source_records as last committed
  bool all_new_ = true;           // the last batch held only new people: try the plain COPY first
  std::string rows_;              // COPY rows of the batch's people (buffers reused between batches)
  std::vector<size_t> row_ends_;  // where each row of rows_ ends
  std::string insert_copy_;       // the rows of new people, when some are known
  std::string update_copy_;       // the rows of known people
};

}  // namespace rtpipe
