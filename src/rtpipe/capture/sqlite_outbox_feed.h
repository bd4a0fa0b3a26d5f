#pragma once
// ChangeFeed over the SQLite landing database's outbox table (see landing/sqlite_landing_schema.h).
// Positions are outbox row sequence numbers (seq) in decimal: it reads whole rows.

#include <memory>
#include <string>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/capture/change_feed.h"

namespace rtpipe {

class SqliteOutboxFeed final : public ChangeFeed {
 public:
  /// Opens its own connection to the landing database at `path` (which must exist).
  static Result<std::unique_ptr<SqliteOutboxFeed>> Open(const std::string& path);

  Result<CaptureCheckpoint> LoadCheckpoint() override;
  Result<std::pair<std::vector<Change>, std::string>> Read(const std::string& position, int max,
                                                           std::chrono::milliseconds wait,
                                                           std::stop_token stop) override;
  Status Commit(const CaptureCheckpoint& checkpoint) override;
  /// False while the landing thread holds the database's write lock.
  Result<bool> TryCommit(const CaptureCheckpoint& checkpoint) override;
  Result<int64_t> Backlog() override;

 private:
  SqliteOutboxFeed(std::unique_ptr<SqliteDb> db, SqliteStatement read, SqliteStatement save, SqliteStatement prune)
      : db_(std::move(db)), read_(std::move(read)), save_(std::move(save)), prune_(std::move(prune)) {}
  // Writes the checkpoint and prunes the outbox up to it in `tx`, and commits.
  Status Save(const CaptureCheckpoint& checkpoint, SqliteTransaction& tx);

  std::unique_ptr<SqliteDb> db_;
  SqliteStatement read_;
  SqliteStatement save_;
  SqliteStatement prune_;
};

}  // namespace rtpipe
