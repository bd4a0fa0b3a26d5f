// The life of one session request: admission, dispatch to a connection, decoding of the answer,
// retries within the retry window, and transparent re-preparation after UNPREPARED.

#include <fmt/format.h>

#include <random>

#include "rtpipe/base/logging.h"
#include "rtpipe/sink/cassandra/error.h"
#include "rtpipe/sink/cassandra/session.h"
#include "rtpipe/sink/cassandra/session_internal.h"

namespace rtpipe::cql {
namespace {

constexpr int kMaxReprepares = 3;
constexpr size_t kDescribeLength = 100;

std::string Truncate(std::string_view text) {
  if (text.size() <= kDescribeLength) return std::string(text);
  return fmt::format("{}...", text.substr(0, kDescribeLength));
}

std::string HexId(std::string_view id) {
  std::string out;
  for (char c : id) out += fmt::format("{:02x}", static_cast<uint8_t>(c));
  return out;
}

}  // namespace

// ---- SessionOp ---------------------------------------------------------------------------------

Result<std::pair<Opcode, std::string>> SessionOp::Encode() const {
  QueryParams p;
  p.consistency = consistency;
  p.serial_consistency = options.serial_consistency;
  p.timestamp_micros = options.timestamp_micros;
  if (kind == Kind::kQuery || kind == Kind::kExecute) {
    p.page_size = options.page_size;
    p.paging_state = options.paging_state;
  }
  switch (kind) {
    case Kind::kQuery:
      return std::make_pair(Opcode::kQuery, EncodeQuery(query, values, p));
    case Kind::kPrepare:
      return std::make_pair(Opcode::kPrepare, EncodePrepare(query));
    case Kind::kExecute: {
      auto info = prepared->info();
      return std::make_pair(Opcode::kExecute, EncodeExecute(info->id, values, p));
    }
    case Kind::kBatch: {
      std::vector<std::shared_ptr<const PreparedInfo>> infos;  // keeps the ids alive while encoding
      std::vector<BatchEntry> entries;
      infos.reserve(batch.entries_.size());
      entries.reserve(batch.entries_.size());
      for (const auto& e : batch.entries_) {
        if (e.prepared) {
          infos.push_back(e.prepared->info());
          entries.push_back({true, infos.back()->id, e.values});
        } else {
          entries.push_back({false, e.query, e.values});
        }
      }
      return std::make_pair(Opcode::kBatch, EncodeBatch(batch.type(), entries, p));
    }
  }
  return Status::Internal("unknown request kind");
}

std::string SessionOp::Describe() const {
  switch (kind) {
    case Kind::kQuery:
    case Kind::kPrepare:
      return Truncate(query);
    case Kind::kExecute:
      return Truncate(prepared->query);
    case Kind::kBatch:
      return fmt::format("BATCH of {} statement(s)", batch.size());
  }
  return "?";
}

// ---- Admission and dispatch --------------------------------------------------------------------

std::shared_ptr<PreparedEntry> CqlSession::CachedEntry(const std::string& query) {
  std::lock_guard lock(prepared_mutex_);
  auto it = prepared_.find(query);
  if (it == prepared_.end() || it->second->info() == nullptr) return nullptr;
  return it->second;
}

Status CqlSession::CheckBinding(const PreparedEntry& entry, const std::vector<CqlValue>& values) const {
  auto info = entry.info();
  if (values.size() != info->bind_columns.size()) {
    return Status::InvalidArgument("statement has {} bind marker(s), {} value(s) given: {}", info->bind_columns.size(),
                                   values.size(), Truncate(entry.query));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const auto& column = info->bind_columns[i];
    if (!values[i].FitsType(column.type)) {
      return Status::InvalidArgument("bind marker {} ({}) is {}, but the value given is {}: {}", i, column.name,
                                     column.type.ToString(), values[i].KindName(), Truncate(entry.query));
    }
  }
  return Status::OK();
}

void CqlSession::Submit(std::shared_ptr<SessionOp> op) {
  Status refused;
  if (!AcquireSlot(&refused)) {
    auto done = std::move(op->done);
    done(std::move(refused));
    return;
  }
  op->consistency = op->options.consistency.value_or(options_.consistency);
  if (!op->options.serial_consistency && options_.serial_consistency != Consistency::kSerial) {
    op->options.serial_consistency = options_.serial_consistency;
  }
  op->give_up_at = Clock::System().Monotonic() + options_.retry_window;
  Dispatch(std::move(op));
}

void CqlSession::Dispatch(std::shared_ptr<SessionOp> op) {
  int host_index = -1;
  auto conn = PickConnection(op->avoid_host, &host_index);
  if (!conn) {
    std::string why;
    {
      std::lock_guard lock(pool_mutex_);
      for (const auto& h : hosts_) {
        why += fmt::format("{}{}: {}", why.empty() ? "" : "; ", h->name,
                           h->last_error.ok() ? std::string("connecting") : h->last_error.message());
      }
    }
    auto delay = BackoffDelay(*op);
    RetryLater(std::move(op), Status::Unavailable("no Cassandra host is reachable ({})", why), delay, -1);
    return;
  }
  SendOn(std::move(op), conn.get(), host_index);
}

void CqlSession::SendOn(std::shared_ptr<SessionOp> op, CqlConnection* conn, int host_index) {
  auto encoded = op->Encode();
  if (!encoded.ok()) return Finish(op, encoded.status());
  ++op->attempts;
  auto deadline = Clock::System().Monotonic() + options_.request_timeout;
  Status sent = conn->Send(
      encoded->first, encoded->second, deadline,
      [this, op, conn, host_index](Result<Frame> response) { OnResponse(op, conn, host_index, std::move(response)); });
  if (!sent.ok()) {
    // Nothing went out: retrying is safe for any request.
    --op->attempts;
    RetryLater(std::move(op), sent, std::chrono::milliseconds(0), host_index);
  }
}

// ---- Answers -----------------------------------------------------------------------------------

void CqlSession::OnResponse(const std::shared_ptr<SessionOp>& op, CqlConnection* conn, int host_index,
                            Result<Frame> response) {
  if (!response.ok()) {
    Status why = std::move(response).status();
    if (closing_.load() && why.IsCancelled()) return Finish(op, why);
    if (!op->options.idempotent) {
      return Finish(op, why.WithContext(fmt::format("{} (sent once; not retried because it is not idempotent, so it "
                                                    "may or may not have been applied)",
                                                    op->Describe())));
    }
    // Lost connection: another host at once. Client timeout: the same path, after a pause.
    auto delay = why.code() == StatusCode::kTimeout ? BackoffDelay(*op) : std::chrono::milliseconds(0);
    return RetryLater(op, std::move(why), delay, host_index);
  }
  Frame frame = std::move(response).value();
  auto envelope = DecodeEnvelope(frame.header, frame.body);
  if (!envelope.ok()) return Finish(op, envelope.status().WithContext(conn->address()));
  if (!envelope->warnings.empty()) LogServerWarnings(conn->address(), envelope->warnings);

  if (frame.header.opcode == Opcode::kResult) {
    auto message = DecodeResult(std::move(frame.body), envelope->message_offset);
    if (!message.ok()) return Finish(op, message.status().WithContext(fmt::format("RESULT from {}", conn->address())));
    return Finish(op, std::move(message));
  }
  if (frame.header.opcode != Opcode::kError) {
    return Finish(op, Status::Internal("Cassandra at {} answered {} to a request", conn->address(),
                                       OpcodeName(frame.header.opcode)));
  }
  auto error = DecodeError(std::string_view(frame.body).substr(envelope->message_offset));
  if (!error.ok()) return Finish(op, error.status().WithContext(fmt::format("ERROR from {}", conn->address())));
  Status status = error->ToStatus(conn->address());
  switch (error->Action()) {
    case ErrorAction::kReprepare:
      if (op->reprepares >= kMaxReprepares) {
        return Finish(op, status.WithContext(fmt::format("still unprepared after {} re-prepares", kMaxReprepares)));
      }
      ++op->reprepares;
      return Reprepare(op, conn, host_index, error->unprepared_id);
    case ErrorAction::kRetryOnceNextHost:
      if (!op->unavailable_retried && OtherHostUp(host_index)) {
        op->unavailable_retried = true;
        return RetryLater(op, std::move(status), std::chrono::milliseconds(0), host_index);
      }
      return Finish(op, std::move(status));
    case ErrorAction::kRetryNextHost:
      return RetryLater(op, std::move(status), BackoffDelay(*op), host_index);
    case ErrorAction::kRetrySameHost:
      if (!op->options.idempotent) return Finish(op, std::move(status));
      return RetryLater(op, std::move(status), BackoffDelay(*op), -1);
    case ErrorAction::kFail:
      return Finish(op, std::move(status));
  }
}

void CqlSession::Reprepare(std::shared_ptr<SessionOp> op, CqlConnection* conn, int host_index, const std::string& id) {
  std::shared_ptr<PreparedEntry> entry;
  if (op->kind == SessionOp::Kind::kExecute) {
    entry = op->prepared;
  } else if (op->kind == SessionOp::Kind::kBatch) {
    for (const auto& e : op->batch.entries_) {
      if (e.prepared && e.prepared->info()->id == id) {
        entry = e.prepared;
        break;
      }
    }
  }
  if (!entry) {
    return Finish(op, Status::Internal("Cassandra at {} reported statement {} unprepared, which this request did "
                                       "not use",
                                       conn->address(), HexId(id)));
  }
  reprepares_.Add();
  GetLogger("cassandra")
      ->info(
          "Cassandra at {} no longer knows a prepared statement (restart or schema change); "
          "preparing it again: {}",
          conn->address(), Truncate(entry->query));
  auto deadline = Clock::System().Monotonic() + options_.request_timeout;
  Status sent = conn->Send(
      Opcode::kPrepare, EncodePrepare(entry->query), deadline,
      [this, op, conn, host_index, entry](Result<Frame> response) {
        if (!response.ok()) return OnResponse(op, conn, host_index, std::move(response));
        Frame frame = std::move(response).value();
        auto envelope = DecodeEnvelope(frame.header, frame.body);
        if (!envelope.ok()) return Finish(op, envelope.status());
        if (frame.header.opcode == Opcode::kError) {
          auto error = DecodeError(std::string_view(frame.body).substr(envelope->message_offset));
          Status why = error.ok() ? error->ToStatus(conn->address()) : error.status();
          return Finish(op,
                        why.WithContext(fmt::format("preparing again after UNPREPARED: {}", Truncate(entry->query))));
        }
        auto message = DecodeResult(std::move(frame.body), envelope->message_offset);
        if (!message.ok()) return Finish(op, message.status());
        if (message->kind != ResultKind::kPrepared) {
          return Finish(op, Status::Internal("Cassandra at {} answered PREPARE with result kind {}", conn->address(),
                                             static_cast<int>(message->kind)));
        }
        auto info = std::make_shared<PreparedInfo>();
        info->id = std::move(message->prepared.id);
        info->bind_columns = std::move(message->prepared.bind_columns);
        info->result_columns = std::move(message->prepared.result_metadata.columns);
        entry->set_info(std::move(info));
        SendOn(op, conn, host_index);  // the same node now knows the statement
      });
  if (!sent.ok()) RetryLater(std::move(op), sent, std::chrono::milliseconds(0), host_index);
}

// ---- Retries and completion --------------------------------------------------------------------

std::chrono::milliseconds CqlSession::BackoffDelay(const SessionOp& op) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  double ceiling = static_cast<double>(options_.reconnect.initial.count());
  for (int i = 0; i < op.retries && ceiling < static_cast<double>(options_.reconnect.max.count()); ++i) {
    ceiling *= options_.reconnect.multiplier;
  }
  auto max = static_cast<int64_t>(std::min(ceiling, static_cast<double>(options_.reconnect.max.count())));
  std::uniform_int_distribution<int64_t> jitter(max / 2, std::max<int64_t>(max, 1));
  return std::chrono::milliseconds(jitter(rng));
}

void CqlSession::RetryLater(std::shared_ptr<SessionOp> op, Status why, std::chrono::milliseconds delay,
                            int avoid_host) {
  if (closing_.load() && why.IsCancelled()) return Finish(op, std::move(why));
  auto when = Clock::System().Monotonic() + delay;
  if (when >= op->give_up_at) {
    auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(options_.retry_window);
    return Finish(op, why.WithContext(fmt::format("{}: gave up after {} attempt(s) within the {} ms retry window",
                                                  op->Describe(), op->attempts, waited.count())));
  }
  op->last_error = why;
  op->avoid_host = avoid_host;
  ++op->retries;
  retries_.Add();
  {
    std::lock_guard lock(retry_mutex_);
    if (!retry_stopped_) {
      retry_queue_.emplace(when, std::move(op));
      retry_cv_.notify_one();
      return;
    }
  }
  Finish(op, Status::Cancelled("the Cassandra session was closed before {} could be retried (last error: {})",
                               op->Describe(), why.ToString()));
}

void CqlSession::Finish(const std::shared_ptr<SessionOp>& op, Result<ResultMessage> result) {
  requests_.Add();
  if (!result.ok()) failures_.Add();
  auto done = std::move(op->done);
  op->done = nullptr;
  RTPIPE_ASSERT(done != nullptr, "a Cassandra request completed twice");
  // Released first: once `done` runs, the request no longer counts as in flight. Close() still
  // waits for running callbacks, since it joins every thread that runs them.
  ReleaseSlot();
  done(std::move(result));
}

void CqlSession::LogServerWarnings(const std::string& host, const std::vector<std::string>& warnings) {
  // At most one line every 10 s: a warning repeated on every request would flood the log.
  const int64_t now = ToMillis(Clock::System().Now());
  int64_t last = last_warning_log_ms_.load(std::memory_order_relaxed);
  if (now - last < 10'000 || !last_warning_log_ms_.compare_exchange_strong(last, now)) return;
  for (const auto& w : warnings) GetLogger("cassandra")->warn("Cassandra at {} warns: {}", host, w);
}

}  // namespace rtpipe::cql
