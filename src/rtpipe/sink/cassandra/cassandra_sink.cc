#include "rtpipe/sink/cassandra/cassandra_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <future>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "rtpipe/base/assert.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/time.h"

namespace rtpipe {
namespace {

using cql::CqlRows;
using cql::CqlValue;
using cql::QueryOptions;

// Completions of many asynchronous requests: counts them and keeps the error to report (the first
// one that retrying cannot fix, else the first one).
class Completions {
 public:
  Completions() = default;
  Completions(const Completions&) = delete;
  Completions& operator=(const Completions&) = delete;

  cql::CqlSession::RowsCallback Callback() {
    {
      std::lock_guard lock(mutex_);
      ++pending_;
    }
    return [this](Result<CqlRows> result) { Done(result.status()); };
  }
  /// True once a request failed: the caller stops submitting (the batch will be written again).
  bool failed() const {
    std::lock_guard lock(mutex_);
    return failures_ > 0;
  }
  /// Waits for every request handed a callback; the error to report, with the failure count.
  Status Wait(size_t submitted) {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return pending_ == 0; });
    if (failures_ == 0) return Status::OK();
    return error_.WithContext(fmt::format("{} of {} write(s) to Cassandra failed, e.g.", failures_, submitted));
  }

 private:
  void Done(const Status& status) {
    std::lock_guard lock(mutex_);
    if (!status.ok()) {
      if (failures_++ == 0 || (error_.IsRetryable() && !status.IsRetryable())) error_ = status;
    }
    if (--pending_ == 0) cv_.notify_all();
  }

  mutable std::mutex mutex_;  // guards pending_, failures_, error_
  std::condition_variable cv_;
  int64_t pending_ = 0;
  size_t failures_ = 0;
  Status error_;
};

// PREPARE right after CREATE/ALTER TABLE: on a cluster, the coordinator may not know the new schema
// for a moment ("unconfigured table", "Undefined column name"); such answers are retried for a while.
Result<cql::PreparedStatement> PrepareFresh(cql::CqlSession& session, const std::string& query) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    auto prepared = session.Prepare(query);
    if (prepared.ok()) return prepared;
    const std::string& message = prepared.status().message();
    bool schema_lag = prepared.status().code() == StatusCode::kInvalidArgument &&
                      (message.find("unconfigured table") != std::string::npos ||
                       message.find("Undefined column name") != std::string::npos);
    if (!schema_lag || std::chrono::steady_clock::now() >= give_up) {
      return prepared.status().WithContext("preparing " + query);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

std::string HostList(const cql::CqlOptions& o) {
  std::string out;
  for (const auto& h : o.hosts) out += (out.empty() ? "" : ",") + h;
  return out;
}

}  // namespace

Result<std::unique_ptr<CassandraSink>> CassandraSink::Open(const CassandraSinkSettings& settings,
                                                           std::vector<AggregateDefinition> aggregates) {
  const std::string& ks = settings.keyspace;
  auto connected = cql::CqlSession::Connect(settings.client);
  if (!connected.ok()) {
    return connected.status().WithContext(fmt::format("analytics store cassandra://{}", HostList(settings.client)));
  }
  std::unique_ptr<cql::CqlSession> session = std::move(*connected);
  cql::CqlSession& s = *session;

  RTPIPE_RETURN_IF_ERROR(
      s.Execute(CreateKeyspaceCql(ks, settings.replication)).status().WithContext("creating keyspace " + ks));
  std::string replication = "(unknown)";
  if (auto rows =
          s.Execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", {CqlValue::Text(ks)});
      rows.ok() && rows->size() == 1) {
    replication = rows->row(0).Format(0);
  }

  std::vector<CqlTableSpec> aggregate_tables;
  for (const auto& def : aggregates) aggregate_tables.push_back(AggregateTableSpec(def));
  const CqlTableSpec users = UsersTableSpec(settings.table), partials = PartialsTableSpec(),
                     checkpoints = CheckpointsTableSpec();
  for (const CqlTableSpec* t : {&users, &partials, &checkpoints}) {
    RTPIPE_RETURN_IF_ERROR(EnsureTable(s, ks, *t).WithContext("analytics store"));
  }
  for (const auto& t : aggregate_tables) RTPIPE_RETURN_IF_ERROR(EnsureTable(s, ks, t).WithContext("analytics store"));

  Statements statements;
  RTPIPE_ASSIGN_OR_RETURN(statements.user, PrepareFresh(s, InsertCql(ks, users)));
  for (const auto& t : aggregate_tables) {
    RTPIPE_ASSIGN_OR_RETURN(auto prepared, PrepareFresh(s, InsertCql(ks, t)));
    statements.aggregates.push_back(std::move(prepared));
  }
  RTPIPE_ASSIGN_OR_RETURN(statements.partial, PrepareFresh(s, InsertCql(ks, partials)));
  RTPIPE_ASSIGN_OR_RETURN(
      statements.sum_partials,
      PrepareFresh(s,
                   fmt::format("SELECT partition, window_end, users, sum_age, min_age, max_age, final FROM "
                               "{}.rtpipe_window_partials WHERE aggregate = ? AND window_start = ? AND dimensions = ?",
                               ks)));
  // Each partition's row carries its own write timestamp (see cassandra_schema.h).
  RTPIPE_ASSIGN_OR_RETURN(
      statements.checkpoint,
      PrepareFresh(s,
                   fmt::format("INSERT INTO {}.rtpipe_partition_checkpoints (consumer_group, topic, partition, "
                               "next_offset, records, dlq_ends, state) VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?",
                               ks)));

  // The consistency level must be reachable: a read at it needs as many replicas as a write.
  auto probe = s.Execute(fmt::format("SELECT consumer_group FROM {}.rtpipe_partition_checkpoints LIMIT 1", ks));
  if (!probe.ok()) {
    if (probe.status().code() == StatusCode::kUnavailable &&
        probe.status().message().find("Cannot achieve consistency") != std::string::npos) {
      return Status::FailedPrecondition(
          "analytics store: sink.consistency = {} cannot be met in keyspace {} (replication {}): {}. rtpipe never "
          "lowers the consistency level: start the missing replicas, set sink.consistency to a level this "
          "cluster can meet (e.g. ONE), or change the keyspace's replication (ALTER KEYSPACE; sink.replication "
          "only applies when rtpipe creates the keyspace)",
          cql::ConsistencyName(settings.client.consistency), ks, replication, probe.status().message());
    }
    return probe.status().WithContext("analytics store: reading " + ks + ".rtpipe_partition_checkpoints");
  }
  GetLogger("sink")->info(
      "Cassandra at {}: keyspace {} (replication {}), tables {} and {} aggregate(s), consistency {}",
      HostList(settings.client), ks, replication, settings.table, aggregates.size(),
      cql::ConsistencyName(settings.client.consistency));
  return std::unique_ptr<CassandraSink>(
      new CassandraSink(settings, std::move(session), std::move(aggregates), std::move(statements)));
}

CassandraSink::~CassandraSink() { session_->Close(); }

Result<SinkCheckpoint> CassandraSink::LoadCheckpoint(const std::string& group) {
  SinkCheckpoint checkpoint;
  auto pager = session_->Pages(fmt::format("SELECT topic, partition, next_offset, records, dlq_ends, state, "
                                           "writetime(next_offset) FROM "
                                           "{}.rtpipe_partition_checkpoints WHERE consumer_group = ?",
                                           settings_.keyspace),
                               {CqlValue::Text(group)}, 1000);
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(auto page, pager.Next());
    if (!page) break;
    for (size_t i = 0; i < page->size(); ++i) {
      auto r = page->row(i);
      RTPIPE_ASSIGN_OR_RETURN(std::string topic, r.Get<std::string>(0));
      RTPIPE_ASSIGN_OR_RETURN(int32_t partition, r.Get<int32_t>(1));
      PartitionCheckpoint p;
      RTPIPE_ASSIGN_OR_RETURN(int64_t next, r.Get<int64_t>(2));
      p.next_offset = Offset(next);
      RTPIPE_ASSIGN_OR_RETURN(p.records, r.Get<int64_t>(3));
      RTPIPE_ASSIGN_OR_RETURN(std::string ends, r.Get<std::string>(4));
      RTPIPE_ASSIGN_OR_RETURN(p.dlq_ends, DecodeLogEnds(ends));
      p.state = std::string(r.Raw(5));
      // Later writes at the same offset (a flush at stop) must win over what an earlier process
      // wrote there: continue from the newest sequence found.
      RTPIPE_ASSIGN_OR_RETURN(int64_t written, r.Get<int64_t>(6));
      uint32_t sequence = static_cast<uint32_t>(written & 0xFFFFF);
      uint32_t current = checkpoint_sequence_.load();
      while (current < sequence && !checkpoint_sequence_.compare_exchange_weak(current, sequence)) {
      }
      checkpoint[{std::move(topic), PartitionId(partition)}] = std::move(p);
    }
  }
  return checkpoint;
}

Status CassandraSink::Write(const std::string& group, const SinkBatch& batch) {
  RTPIPE_RETURN_IF_ERROR(WriteRows(batch));
  RTPIPE_RETURN_IF_ERROR(WriteAggregateSums(batch.aggregates));
  return WriteCheckpoint(group, batch.checkpoint);
}

Status CassandraSink::WriteRows(const SinkBatch& batch) {
  Completions completions;
  size_t submitted = 0;
  Status refused;
  // Users: a person seen twice in one batch is written once, in its last (newest) version.
  std::unordered_set<std::string_view> seen;
  seen.reserve(batch.users.size());
  for (auto it = batch.users.rbegin(); it != batch.users.rend() && !completions.failed(); ++it) {
    if (!seen.insert(it->id).second) continue;
    auto values = UserValues(*it);
    if (!values.ok()) {
      refused = values.status();
      break;
    }
    QueryOptions options;
    options.timestamp_micros = UserWriteMicros(*it);
    session_->ExecuteAsync(statements_.user, std::move(*values), completions.Callback(), options);
    ++submitted;
  }
  // Each partition's value of each window.
  for (size_t i = 0; i < batch.aggregates.size() && refused.ok() && !completions.failed(); ++i) {
    const AggregateRow& row = batch.aggregates[i];
    RTPIPE_ASSERT(row.definition < aggregates_.size());
    QueryOptions options;
    options.timestamp_micros = AggregateWriteMicros(row);
    session_->ExecuteAsync(statements_.partial, PartialValues(aggregates_[row.definition], row), completions.Callback(),
                           options);
    ++submitted;
  }
  Status status = completions.Wait(submitted);  // always: the callbacks refer to `completions`
  if (!refused.ok()) return refused;
  return status;
}

// Sets every window the batch touched to the sum of all partitions' values (other processors'
// included), read back after this batch's values were acknowledged.
Status CassandraSink::WriteAggregateSums(const std::vector<AggregateRow>& rows) {
  std::map<std::tuple<size_t, int64_t, std::vector<std::string>>, const AggregateRow*> touched;
  for (const AggregateRow& row : rows) touched[{row.definition, ToMillis(row.window_start), row.dimensions}] = &row;
  // Read the partials of every touched window, many at once.
  std::vector<std::future<Result<cql::CqlRows>>> reads;
  reads.reserve(touched.size());
  for (const auto& [key, row] : touched) {
    std::vector<CqlValue> partial_key = PartialValues(aggregates_[row->definition], *row);
    partial_key.resize(3);  // aggregate, window_start, dimensions
    reads.push_back(session_->ExecuteAsync(statements_.sum_partials, std::move(partial_key)));
  }
  Completions completions;
  size_t submitted = 0;
  Status failure;
  size_t i = 0;
  for (const auto& [key, row] : touched) {
    auto partials = reads[i++].get();
    if (!partials.ok()) {
      if (failure.ok()) failure = partials.status();
      continue;
    }
    AggregateRow sum = *row;
    sum.partition = 0;
    sum.users = sum.sum_age = 0;
    sum.final = true;
    for (size_t r = 0; r < partials->size(); ++r) {
      auto p = partials->row(r);
      auto users = p.Get<int64_t>(2), sum_age = p.Get<int64_t>(3);
      auto min_age = p.Get<int32_t>(4), max_age = p.Get<int32_t>(5);
      auto final = p.Get<bool>(6);
      if (!users.ok() || !sum_age.ok() || !min_age.ok() || !max_age.ok() || !final.ok()) {
        failure = Status::Corruption("bad row in rtpipe_window_partials for {}", aggregates_[row->definition].table);
        break;
      }
      sum.min_age = sum.users == 0 ? *min_age : std::min(sum.min_age, *min_age);
      sum.max_age = sum.users == 0 ? *max_age : std::max(sum.max_age, *max_age);
      sum.users += *users;
      sum.sum_age += *sum_age;
      sum.final = sum.final && *final;
    }
    if (!failure.ok() || sum.users == 0) continue;
    QueryOptions options;
    options.timestamp_micros = AggregateWriteMicros(sum);
    session_->ExecuteAsync(statements_.aggregates[row->definition], AggregateValues(aggregates_[row->definition], sum),
                           completions.Callback(), options);
    ++submitted;
  }
  Status status = completions.Wait(submitted);
  return failure.ok() ? status : failure;
}

Status CassandraSink::WriteCheckpoint(const std::string& group, const SinkCheckpoint& checkpoint) {
  if (checkpoint.empty()) return Status::OK();
  // One partition (consumer_group): Cassandra applies the batch as one mutation. Each row's write
  // timestamp grows with its offset, so a stale processor's late write loses.
  cql::CqlBatch batch(cql::BatchType::kLogged);
  uint32_t sequence = ++checkpoint_sequence_;
  for (const auto& [tp, p] : checkpoint) {
    batch.Add(statements_.checkpoint,
              {CqlValue::Text(group), CqlValue::Text(tp.topic), CqlValue::Int(tp.partition.value()),
               CqlValue::Bigint(p.next_offset.value()), CqlValue::Bigint(p.records),
               CqlValue::Text(EncodeLogEnds(p.dlq_ends)), CqlValue::Blob(p.state),
               CqlValue::Bigint(CheckpointWriteMicros(p.next_offset, sequence))});
  }
  return session_->Batch(std::move(batch)).WithContext("storing the checkpoint of " + group + " in Cassandra");
}

}  // namespace rtpipe
