// CqlSession: set-up, host pools, background threads, and the public entry points.
// The life of one request (dispatch, retries, re-prepare) is in request_flow.cc.

#include "rtpipe/sink/cassandra/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/sink/cassandra/session_internal.h"

namespace rtpipe::cql {
namespace {

constexpr auto kMaintenanceInterval = std::chrono::milliseconds(100);

Result<std::pair<std::string, int>> SplitHostPort(const std::string& text, int default_port) {
  std::string host = text;
  int port = default_port;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {  // [v6]:port
    auto close = text.find(']');
    if (close == std::string::npos) return Status::InvalidArgument("cassandra host \"{}\": missing ']'", text);
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return Status::InvalidArgument("cassandra host \"{}\": junk after ']'", text);
      port_text = std::string_view(text).substr(close + 2);
    }
  } else if (auto colon = text.rfind(':'); colon != std::string::npos && text.find(':') == colon) {
    host = text.substr(0, colon);
    port_text = std::string_view(text).substr(colon + 1);
  }
  if (!port_text.empty()) {
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      return Status::InvalidArgument("cassandra host \"{}\": port must be 1..65535", text);
    }
  }
  if (host.empty()) return Status::InvalidArgument("cassandra host \"{}\": empty host name", text);
  return std::make_pair(host, port);
}

bool IsFatalConnectError(const Status& s) {
  // Retrying cannot fix these: wrong credentials, missing keyspace, unsupported protocol.
  return s.code() == StatusCode::kPermissionDenied || s.code() == StatusCode::kInvalidArgument ||
         s.code() == StatusCode::kFailedPrecondition;
}

bool IsUseStatement(std::string_view query) {
  size_t i = 0;
  while (i < query.size() && std::isspace(static_cast<unsigned char>(query[i]))) ++i;
  if (query.size() - i < 4) return false;
  auto word = query.substr(i, 3);
  return (word == "USE" || word == "use" || word == "Use") && std::isspace(static_cast<unsigned char>(query[i + 3]));
}

template <typename T>
Result<T> Await(std::future<Result<T>> future) {
  return future.get();
}

}  // namespace

// ---- PreparedStatement, CqlBatch ---------------------------------------------------------------

const std::string& PreparedStatement::query() const {
  RTPIPE_ASSERT(valid(), "query() of an empty PreparedStatement");
  return entry_->query;
}

std::vector<ColumnSpec> PreparedStatement::bind_columns() const {
  RTPIPE_ASSERT(valid());
  return entry_->info()->bind_columns;
}

std::vector<ColumnSpec> PreparedStatement::result_columns() const {
  RTPIPE_ASSERT(valid());
  return entry_->info()->result_columns;
}

void CqlBatch::Add(const PreparedStatement& statement, std::vector<CqlValue> values) {
  RTPIPE_ASSERT(statement.valid(), "adding an empty PreparedStatement to a batch");
  entries_.push_back({statement.entry_, std::string(), std::move(values)});
}

void CqlBatch::Add(std::string query, std::vector<CqlValue> values) {
  entries_.push_back({nullptr, std::move(query), std::move(values)});
}

// ---- Set-up and tear-down ----------------------------------------------------------------------

CqlSession::CqlSession(CqlOptions options) : options_(std::move(options)) {}

CqlSession::~CqlSession() { Close(); }

Result<std::unique_ptr<CqlSession>> CqlSession::Connect(const CqlOptions& options) {
  RTPIPE_RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<CqlSession> session(new CqlSession(options));
  for (const auto& text : options.hosts) {
    RTPIPE_ASSIGN_OR_RETURN(auto host_port, SplitHostPort(text, options.port));
    auto host = std::make_unique<SessionHost>();
    host->name = fmt::format("{}:{}", host_port.first, host_port.second);
    host->connection.host = host_port.first;
    host->connection.port = host_port.second;
    host->connection.user = options.user;
    host->connection.password = options.password;
    host->connection.keyspace = options.keyspace;
    host->connection.compression = options.compression;
    host->connection.connect_timeout = options.connect_timeout;
    // Enough stream ids for the whole session's in-flight limit on a single surviving connection.
    host->connection.max_streams = std::clamp(options.max_in_flight * 2, 256, 32768);
    host->backoff = std::make_unique<Backoff>(options.reconnect);
    session->hosts_.push_back(std::move(host));
  }
  RTPIPE_RETURN_IF_ERROR(session->ConnectAll());
  session->retry_thread_ = std::thread([s = session.get()] {
    SetThreadName("cql-retry");
    s->RunRetries();
  });
  session->maintenance_thread_ = std::thread([s = session.get()] {
    SetThreadName("cql-pools");
    s->MaintainPools();
  });
  return session;
}

Status CqlSession::ConnectAll() {
  auto log = GetLogger("cassandra");
  std::string failures;
  int up = 0;
  for (auto& host : hosts_) {
    for (int i = 0; i < options_.connections_per_host; ++i) {
      auto conn = CqlConnection::Open(host->connection);
      if (!conn.ok()) {
        if (IsFatalConnectError(conn.status())) return conn.status();
        host->last_error = conn.status();
        host->next_attempt = Clock::System().Monotonic() + host->backoff->Next();
        break;
      }
      host->pool.push_back(std::move(*conn));
    }
    if (!host->pool.empty()) {
      host->up = host->ever_up = true;
      ++up;
    } else {
      failures += fmt::format("{}{}", failures.empty() ? "" : "; ", host->last_error.message());
      log->warn("Cassandra host {} is down: {}", host->name, host->last_error.message());
    }
  }
  if (up == 0) return Status::Unavailable("no Cassandra host is reachable: {}", failures);
  log->info("connected to Cassandra: {} of {} host(s) up, {} connection(s) each, consistency {}{}", up, hosts_.size(),
            options_.connections_per_host, ConsistencyName(options_.consistency),
            options_.keyspace.empty() ? "" : fmt::format(", keyspace {}", options_.keyspace));
  return Status::OK();
}

void CqlSession::Close() {
  std::call_once(close_once_, [this] {
    closing_.store(true);
    {
      // Let in-flight requests finish (bounded), while new ones are refused.
      std::unique_lock lock(slot_mutex_);
      slot_cv_.notify_all();
      slot_cv_.wait_for(lock, options_.close_grace, [&] { return in_flight_ == 0; });
    }
    {
      std::lock_guard lock(maintenance_mutex_);
      maintenance_stopped_ = true;
    }
    maintenance_cv_.notify_all();
    if (maintenance_thread_.joinable()) maintenance_thread_.join();
    std::multimap<MonoTime, std::shared_ptr<SessionOp>> pending;
    {
      std::lock_guard lock(retry_mutex_);
      retry_stopped_ = true;
      pending.swap(retry_queue_);
    }
    retry_cv_.notify_all();
    if (retry_thread_.joinable()) retry_thread_.join();
    for (auto& [when, op] : pending) Finish(op, Status::Cancelled("the Cassandra session was closed"));
    std::vector<std::shared_ptr<CqlConnection>> connections;
    {
      std::lock_guard lock(pool_mutex_);
      for (auto& host : hosts_) {
        for (auto& c : host->pool) connections.push_back(std::move(c));
        host->pool.clear();
        host->up = false;
      }
    }
    for (auto& c : connections) c->Close(Status::Cancelled("the Cassandra session was closed"));
    connections.clear();
  });
}

// ---- Background threads ------------------------------------------------------------------------

void CqlSession::MaintainPools() {
  auto log = GetLogger("cassandra");
  std::unique_lock lock(maintenance_mutex_);
  while (!maintenance_stopped_) {
    lock.unlock();
    MonoTime now = Clock::System().Monotonic();
    for (size_t i = 0; i < hosts_.size(); ++i) {
      SessionHost& host = *hosts_[i];
      std::vector<std::shared_ptr<CqlConnection>> dead;
      size_t alive = 0;
      bool went_down = false;
      Status reason;
      {
        std::lock_guard pool_lock(pool_mutex_);
        auto split = std::partition(host.pool.begin(), host.pool.end(), [](const auto& c) { return c->alive(); });
        dead.assign(std::make_move_iterator(split), std::make_move_iterator(host.pool.end()));
        host.pool.erase(split, host.pool.end());
        alive = host.pool.size();
        if (alive == 0 && host.up) {
          host.up = false;
          went_down = true;
          reason = dead.empty() ? host.last_error : dead.front()->close_reason();
          host.last_error = reason;
        }
      }
      if (went_down) {
        log->warn("Cassandra host {} is down ({}); reconnecting with backoff", host.name, reason.message());
        host.backoff->Reset();
        host.next_attempt = now;
      }
      dead.clear();  // joins the dead connections' I/O threads, outside every lock
      if (alive >= static_cast<size_t>(options_.connections_per_host) || now < host.next_attempt) continue;
      {
        std::lock_guard stop_lock(maintenance_mutex_);
        if (maintenance_stopped_) break;
      }
      auto conn = CqlConnection::Open(host.connection);
      now = Clock::System().Monotonic();
      if (!conn.ok()) {
        host.next_attempt = now + host.backoff->Next();
        std::lock_guard pool_lock(pool_mutex_);
        host.last_error = conn.status();
        log->debug("reconnecting to Cassandra host {} failed: {}", host.name, conn.status().message());
        continue;
      }
      reconnects_.Add();
      host.backoff->Reset();
      bool came_up = false;
      {
        std::lock_guard pool_lock(pool_mutex_);
        host.pool.push_back(std::move(*conn));
        came_up = !host.up;
        host.up = host.ever_up = true;
      }
      if (came_up) log->info("Cassandra host {} is up", host.name);
    }
    lock.lock();
    maintenance_cv_.wait_for(lock, kMaintenanceInterval, [&] { return maintenance_stopped_; });
  }
}

void CqlSession::RunRetries() {
  std::unique_lock lock(retry_mutex_);
  while (!retry_stopped_) {
    if (retry_queue_.empty()) {
      retry_cv_.wait(lock);
      continue;
    }
    auto first = retry_queue_.begin();
    if (first->first > Clock::System().Monotonic()) {
      retry_cv_.wait_until(lock, first->first);
      continue;
    }
    auto op = std::move(first->second);
    retry_queue_.erase(first);
    lock.unlock();
    Dispatch(std::move(op));
    lock.lock();
  }
}

std::shared_ptr<CqlConnection> CqlSession::PickConnection(int avoid_host, int* host_index) {
  std::lock_guard lock(pool_mutex_);
  const auto n = static_cast<uint32_t>(hosts_.size());
  const uint32_t start = round_robin_.fetch_add(1, std::memory_order_relaxed);
  std::shared_ptr<CqlConnection> fallback;
  int fallback_index = -1;
  for (uint32_t k = 0; k < n; ++k) {
    const auto i = static_cast<int>((start + k) % n);
    const SessionHost& host = *hosts_[static_cast<size_t>(i)];
    std::shared_ptr<CqlConnection> best;
    for (const auto& c : host.pool) {
      if (c->alive() && (!best || c->in_flight() < best->in_flight())) best = c;
    }
    if (!best) continue;
    if (i == avoid_host) {
      fallback = std::move(best);
      fallback_index = i;
      continue;
    }
    *host_index = i;
    return best;
  }
  *host_index = fallback_index;
  return fallback;
}

bool CqlSession::OtherHostUp(int host_index) {
  std::lock_guard lock(pool_mutex_);
  for (size_t i = 0; i < hosts_.size(); ++i) {
    if (static_cast<int>(i) != host_index && hosts_[i]->up) return true;
  }
  return false;
}

bool CqlSession::AcquireSlot(Status* why) {
  std::unique_lock lock(slot_mutex_);
  slot_cv_.wait(lock, [&] { return closing_.load() || in_flight_ < options_.max_in_flight; });
  if (closing_.load()) {
    *why = Status::Cancelled("the Cassandra session is closed");
    return false;
  }
  ++in_flight_;
  return true;
}

void CqlSession::ReleaseSlot() {
  std::lock_guard lock(slot_mutex_);
  --in_flight_;
  slot_cv_.notify_all();
}

CqlSessionStats CqlSession::stats() const {
  CqlSessionStats s;
  s.requests = requests_.value();
  s.failures = failures_.value();
  s.retries = retries_.value();
  s.reprepares = reprepares_.value();
  s.reconnects = reconnects_.value();
  {
    std::lock_guard lock(pool_mutex_);
    for (const auto& h : hosts_) s.hosts_up += h->up ? 1 : 0;
  }
  std::lock_guard lock(slot_mutex_);
  s.in_flight = in_flight_;
  return s;
}

// ---- Public entry points -----------------------------------------------------------------------

Result<PreparedStatement> CqlSession::Prepare(std::string_view query) {
  const std::string text(query);
  if (auto cached = CachedEntry(text)) return PreparedStatement(std::move(cached));
  auto op = std::make_shared<SessionOp>();
  op->kind = SessionOp::Kind::kPrepare;
  op->query = text;
  auto promise = std::make_shared<std::promise<Result<ResultMessage>>>();
  auto future = promise->get_future();
  op->done = [promise](Result<ResultMessage> r) { promise->set_value(std::move(r)); };
  Submit(op);
  RTPIPE_ASSIGN_OR_RETURN(ResultMessage m, Await(std::move(future)));
  if (m.kind != ResultKind::kPrepared) {
    return Status::Internal("Cassandra answered PREPARE with a result of kind {}", static_cast<int>(m.kind));
  }
  auto info = std::make_shared<PreparedInfo>();
  info->id = std::move(m.prepared.id);
  info->bind_columns = std::move(m.prepared.bind_columns);
  info->result_columns = std::move(m.prepared.result_metadata.columns);
  std::lock_guard lock(prepared_mutex_);
  auto& entry = prepared_[text];
  if (!entry) entry = std::make_shared<PreparedEntry>(text);
  entry->set_info(std::move(info));
  return PreparedStatement(entry);
}

void CqlSession::ExecuteAsync(const PreparedStatement& statement, std::vector<CqlValue> values, RowsCallback done,
                              const QueryOptions& options) {
  if (!statement.valid()) return done(Status::InvalidArgument("executing an empty PreparedStatement"));
  if (Status bad = CheckBinding(*statement.entry_, values); !bad.ok()) return done(std::move(bad));
  auto op = std::make_shared<SessionOp>();
  op->kind = SessionOp::Kind::kExecute;
  op->prepared = statement.entry_;
  op->values = std::move(values);
  op->options = options;
  op->done = [done = std::move(done)](Result<ResultMessage> r) {
    if (!r.ok()) return done(std::move(r).status());
    done(std::move(r->rows));
  };
  Submit(std::move(op));
}

void CqlSession::ExecuteAsync(std::string_view query, std::vector<CqlValue> values, RowsCallback done,
                              const QueryOptions& options) {
  if (IsUseStatement(query)) {
    return done(Status::InvalidArgument(
        "USE through Execute would switch one connection only; set the keyspace in the session options"));
  }
  auto op = std::make_shared<SessionOp>();
  op->kind = SessionOp::Kind::kQuery;
  op->query = std::string(query);
  op->values = std::move(values);
  op->options = options;
  op->done = [done = std::move(done)](Result<ResultMessage> r) {
    if (!r.ok()) return done(std::move(r).status());
    done(std::move(r->rows));
  };
  Submit(std::move(op));
}

std::future<Result<CqlRows>> CqlSession::ExecuteAsync(const PreparedStatement& statement, std::vector<CqlValue> values,
                                                      const QueryOptions& options) {
  auto promise = std::make_shared<std::promise<Result<CqlRows>>>();
  auto future = promise->get_future();
  ExecuteAsync(
      statement, std::move(values), [promise](Result<CqlRows> r) { promise->set_value(std::move(r)); }, options);
  return future;
}

Result<CqlRows> CqlSession::Execute(std::string_view query, std::vector<CqlValue> values, const QueryOptions& options) {
  auto promise = std::make_shared<std::promise<Result<CqlRows>>>();
  auto future = promise->get_future();
  ExecuteAsync(
      query, std::move(values), [promise](Result<CqlRows> r) { promise->set_value(std::move(r)); }, options);
  return Await(std::move(future));
}

Result<CqlRows> CqlSession::Execute(const PreparedStatement& statement, std::vector<CqlValue> values,
                                    const QueryOptions& options) {
  return Await(ExecuteAsync(statement, std::move(values), options));
}

void CqlSession::BatchAsync(CqlBatch batch, StatusCallback done, const QueryOptions& options) {
  if (batch.empty()) return done(Status::OK());
  if (batch.size() > 0xFFFF) {
    return done(Status::InvalidArgument("a BATCH holds at most 65535 statements, not {}", batch.size()));
  }
  for (size_t i = 0; i < batch.entries_.size(); ++i) {
    const auto& e = batch.entries_[i];
    if (e.prepared == nullptr) continue;
    if (Status bad = CheckBinding(*e.prepared, e.values); !bad.ok()) {
      return done(bad.WithContext(fmt::format("batch statement {}", i)));
    }
  }
  auto op = std::make_shared<SessionOp>();
  op->kind = SessionOp::Kind::kBatch;
  op->batch = std::move(batch);
  op->options = options;
  op->done = [done = std::move(done)](Result<ResultMessage> r) { done(r.status()); };
  Submit(std::move(op));
}

Status CqlSession::Batch(CqlBatch batch, const QueryOptions& options) {
  auto promise = std::make_shared<std::promise<Status>>();
  auto future = promise->get_future();
  BatchAsync(
      std::move(batch), [promise](Status s) { promise->set_value(std::move(s)); }, options);
  return future.get();
}

CqlPager CqlSession::Pages(const PreparedStatement& statement, std::vector<CqlValue> values, int32_t page_size,
                           QueryOptions options) {
  options.page_size = page_size > 0 ? page_size : 5000;
  options.paging_state.clear();
  return CqlPager(this, statement, std::string(), std::move(values), std::move(options));
}

CqlPager CqlSession::Pages(std::string query, std::vector<CqlValue> values, int32_t page_size, QueryOptions options) {
  options.page_size = page_size > 0 ? page_size : 5000;
  options.paging_state.clear();
  return CqlPager(this, PreparedStatement(), std::move(query), std::move(values), std::move(options));
}

Result<std::optional<CqlRows>> CqlPager::Next() {
  if (done_) return std::optional<CqlRows>();
  auto page = statement_.valid() ? session_->Execute(statement_, values_, options_)
                                 : session_->Execute(query_, values_, options_);
  if (!page.ok()) {
    done_ = true;
    return page.status();
  }
  if (page->has_more_pages() && !page->paging_state().empty()) {
    options_.paging_state = page->paging_state();
  } else {
    done_ = true;
  }
  return std::optional<CqlRows>(std::move(*page));
}

}  // namespace rtpipe::cql
