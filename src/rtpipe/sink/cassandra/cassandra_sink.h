#pragma once
// Sink on Apache Cassandra / ScyllaDB through rtpipe's CQL client (`sink.url: cassandra://...`).
//
// Open creates the keyspace (sink.replication) and the tables (cassandra_schema.h), prepares the
// upserts and checks that sink.consistency can be met. Write upserts the users and each partition's
// window values with many requests in flight, each with its deterministic write timestamp; then sets
// every touched window to the sum over partitions; only when all of it is acknowledged at
// sink.consistency does it store the partitions' checkpoints in one LOGGED batch. A crash
// between the two replays the batch from the previous checkpoint: the upserts converge to the same
// rows. Errors that may pass (node down, timeouts, overload, Unavailable) come back retryable, so the
// processor waits and writes the batch again.
//
// Threading: one sink thread (the Sink contract); the session's I/O threads only run completions.

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtpipe/sink/cassandra/cassandra_schema.h"
#include "rtpipe/sink/cassandra/session.h"
#include "rtpipe/sink/sink.h"

namespace rtpipe {

class CassandraSink final : public Sink {
 public:
  /// Connects, creates the keyspace and tables, prepares the statements and probes the consistency
  /// level (FailedPrecondition, naming sink.consistency and the keyspace's replication, when the
  /// cluster cannot meet it).
  static Result<std::unique_ptr<CassandraSink>> Open(const CassandraSinkSettings& settings,
                                                     std::vector<AggregateDefinition> aggregates);
  ~CassandraSink() override;
  CassandraSink(const CassandraSink&) = delete;
  CassandraSink& operator=(const CassandraSink&) = delete;

  Result<SinkCheckpoint> LoadCheckpoint(const std::string& group) override;
  Status Write(const std::string& group, const SinkBatch& batch) override;

  cql::CqlSessionStats stats() const { return session_->stats(); }

 private:
  struct Statements {
    cql::PreparedStatement user;
    std::vector<cql::PreparedStatement> aggregates;  // one per definition
    cql::PreparedStatement partial;                  // a partition's value of a window
    cql::PreparedStatement sum_partials;             // every partition's value of a window
    cql::PreparedStatement checkpoint;               // one partition's checkpoint, USING TIMESTAMP ?
  };
  CassandraSink(CassandraSinkSettings settings, std::unique_ptr<cql::CqlSession> session,
                std::vector<AggregateDefinition> aggregates, Statements statements)
      : settings_(std::move(settings)),
        session_(std::move(session)),
        aggregates_(std::move(aggregates)),
        statements_(std::move(statements)) {}

  Status WriteRows(const SinkBatch& batch);
  Status WriteAggregateSums(const std::vector<AggregateRow>& rows);
  Status WriteCheckpoint(const std::string& group, const SinkCheckpoint& checkpoint);

  const CassandraSinkSettings settings_;
  std::unique_ptr<cql::CqlSession> session_;
  const std::vector<AggregateDefinition> aggregates_;
  const Statements statements_;
  std::atomic<uint32_t> checkpoint_sequence_ = 0;  // orders writes at one offset, across processes
};

}  // namespace rtpipe
