#pragma once
// Sink on SQLite: the analytics database file (default data/analytics.db), which `rtpipe query`
// attaches under the keyspace name (spark_streams), so `spark_streams.created_users` works.
// Several processors may write to it at once (SQLite serializes their transactions).

#include <memory>
#include <string>
#include <vector>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/sink/sink.h"

namespace rtpipe {

class SqliteSink final : public Sink {
 public:
  static Result<std::unique_ptr<SqliteSink>> Open(const std::string& path, const std::string& table,
                                                  std::vector<AggregateDefinition> aggregates);

  ~SqliteSink() override;

  Result<SinkCheckpoint> LoadCheckpoint(const std::string& group) override;
  Status Write(const std::string& group, const SinkBatch& batch) override;

 private:
  struct Statements;
  SqliteSink(std::unique_ptr<SqliteDb> db, std::unique_ptr<Statements> statements,
             std::vector<AggregateDefinition> aggregates);

  // Upserts the users by id (base/sqlite_key_index.h): a new one is appended, a known one updated.
  Status UpsertUsers(const std::vector<CreatedUser>& users);
  Status UpsertAggregates(const std::vector<AggregateRow>& rows);

  std::unique_ptr<SqliteDb> db_;
  std::unique_ptr<Statements> statements_;
  std::vector<AggregateDefinition> aggregates_;
};

}  // namespace rtpipe
