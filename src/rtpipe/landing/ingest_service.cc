#include "rtpipe/landing/ingest_service.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "rtpipe/base/bounded_queue.h"
#include "rtpipe/base/hash.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/message.h"

namespace rtpipe {
namespace {

// Fetched records waiting to be landed: up to 4 requests' worth, and no more than about 10000
// users (memory stays bounded with big requests). Under load the landing thread writes all of them
// in one transaction: SQLite's WAL rewrites every page a commit dirties, so fewer, bigger commits
// write far less (random login.uuid keys touch most index pages in every commit).
constexpr size_t kQueuedBatches = 4;
constexpr size_t kQueuedUsers = 10'000;

// When the source is paced (source.interval > 0), each request's users go to the landing thread in
// chunks of up to this many, prepared one after the other: the stages after the fetch start on the
// first users of a page while the fetch thread prepares the rest, where with the page whole each
// stage waited for all of it. At 5,000 users every 100 ms (six alternating pairs of `rtpipe run
// --records 500000`) chunks took p50 86-94 ms and p99 172-205 ms from fetch to store, against
// 102-123 ms and 197-282 ms, for about 6% more CPU. A pipeline that falls behind still lands what
// has queued up in one transaction. Unpaced, the pipeline runs flat out, and a page goes whole: the
// fewest, biggest transactions.
constexpr size_t kPacedChunkUsers = 1000;

// Users per request (`source.results`, at least 1 even in a config that was never validated).
size_t RequestUsers(const SourceConfig& c) { return static_cast<size_t>(std::max(c.results, 1)); }

size_t ChunkUsers(const SourceConfig& c) {
  return c.interval.count() > 0 ? std::min(RequestUsers(c), kPacedChunkUsers) : RequestUsers(c);
}

// The queue's capacity in chunks.
size_t QueuedChunks(const SourceConfig& c) {
  const size_t results = RequestUsers(c);
  const size_t chunk = ChunkUsers(c);
  const size_t chunks_per_request = (results + chunk - 1) / chunk;
  return std::clamp<size_t>(kQueuedUsers / chunk, 1, kQueuedBatches * chunks_per_request);
}

// A chunk of a fetched batch, with the rows landing writes for it made on the fetch thread: the
// landing thread is the ingest stage's bottleneck (one SQLite connection writes every row), and
// building each user's message and each reject's dead letter is about a tenth of its work.
struct FetchedBatch {
  SourcePosition next;       // where the source continues after it
  int64_t fetched_us = 0;    // when it was fetched: each user's and reject's ingested_us, however many land together
  std::vector<User> parsed;  // the users, kept only when the store reads them; `users[i].user` points here
  std::vector<LandingUser> users;  // keyed by login.uuid, with the message captured for each
  std::vector<LandingReject> rejects;
};

// Parses records [from, to) of `b`, fetched at `fetched_us`, and makes what landing writes for
// them; `next`: where the source continues after them. A record the source has read already
// (SourceRecord::parsed) is not parsed again. `keep_users`: whether the store reads the
// parsed users (LandingStore::NeedsParsedUsers). If not, every other record is parsed into
// `scratch`, reused record after record, and a queued user holds only its key, bytes and message:
// with 5,000 users per request, the batch being prepared, the queue and the batches being landed
// hold up to 30,000 users, and a User per record would cost an allocation per field.
FetchedBatch Prepare(SourceBatch& b, size_t from, size_t to, SourcePosition next, int64_t fetched_us, bool keep_users,
                     User& scratch) {
  FetchedBatch f{std::move(next), fetched_us, {}, {}, {}};
  f.users.reserve(to - from);
  if (keep_users) f.parsed.reserve(to - from);  // never reallocated: `users` points into it
  for (size_t i = from; i < to; ++i) {
    std::string& raw = b.records[i].raw;
    Timestamp event_time = b.EventTime(i);
    const User* user = b.records[i].parsed;  // read by the source, else parsed here
    Status status;
    if (user == nullptr || keep_users) {
      User& into = keep_users ? f.parsed.emplace_back() : scratch;
      if (user != nullptr) {
        into = *user;  // the source's user lasts until its next Fetch; a kept one outlives that
      } else {
        status = ParseUser(raw, into);
      }
      user = &into;
    }
    if (status.ok()) {
      std::string message = MessageJson(*user);
      f.users.push_back({user->login.uuid, std::move(raw), event_time, std::move(message), keep_users ? user : nullptr,
                         f.fetched_us});
      continue;
    }
    if (keep_users) f.parsed.pop_back();
    DeadLetter letter;
    letter.reason = std::string(ClassifyUserError(status));
    letter.detail = status.message();
    letter.stage = "ingest";
    letter.source = b.RecordSource(i);
    letter.original = raw;
    letter.event_time = event_time;
    std::string source_key = fmt::format("{} #{:016x}", letter.source, Fnv1a64(raw));
    f.rejects.push_back({std::move(source_key), std::nullopt, DeadLetterJson(letter), event_time, f.fetched_us});
  }
  return f;
}

}  // namespace

struct IngestService::Impl {
  const Config& config;
  Source& source;
  LandingStore& store;
  IngestMetrics& metrics;
  std::optional<int64_t> limit;
  const Gauge* capture_backlog;
  RunId run;
  SourcePosition position;
  int64_t total = 0;  // source records landed (landing thread) / fetched (fetch thread starts equal)
  std::atomic<bool> finished{false};
  BoundedQueue<FetchedBatch> queue;

  Impl(const Config& c, Source& s, LandingStore& l, IngestMetrics& m, std::optional<int64_t> n, const Gauge* b)
      : config(c), source(s), store(l), metrics(m), limit(n), capture_backlog(b), queue(QueuedChunks(c.source)) {}

  Status FetchLoop(std::stop_token stop);
  // Prepares `batch` chunk by chunk (ChunkUsers), queueing each for the landing thread; false if
  // stopped first.
  bool PushChunks(SourceBatch& batch, User& scratch, std::stop_token stop);
  Status Land(std::vector<FetchedBatch>& fetched);
};

IngestService::IngestService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IngestService::~IngestService() = default;
bool IngestService::Finished() const { return impl_->finished.load(); }

Result<std::unique_ptr<IngestService>> IngestService::Create(const Config& config, Source& source, LandingStore& store,
                                                             IngestMetrics& metrics,
                                                             std::optional<int64_t> record_limit,
                                                             const Gauge* capture_backlog) {
  auto impl = std::make_unique<Impl>(config, source, store, metrics, record_limit, capture_backlog);
  RTPIPE_ASSIGN_OR_RETURN(impl->run, store.BeginRun());
  RTPIPE_ASSIGN_OR_RETURN(IngestState state, store.LoadIngestState());
  impl->total = state.source_records;
  metrics.total.Set(state.source_records);
  auto log = GetLogger("ingest");
  if (state.position && state.position->seed == config.source.seed) {
    impl->position = *state.position;
    log->info("resuming at page {} of seed \"{}\" ({} records taken so far)", impl->position.page, impl->position.seed,
              impl->total);
  } else {
    if (state.position) {
      log->info("source.seed changed from \"{}\" to \"{}\": starting at page 1", state.position->seed,
                config.source.seed);
    }
    impl->position = SourcePosition{config.source.seed, 1, 0};
  }
  if (record_limit && impl->total >= *record_limit) impl->finished = true;
  return std::unique_ptr<IngestService>(new IngestService(std::move(impl)));
}

Status IngestService::Impl::FetchLoop(std::stop_token stop) {
  SourcePosition next = position;
  int64_t fetched_total = total;
  User scratch;  // every record is parsed into it, unless the store reads the parsed users
  // A request starts every source.interval, on a fixed schedule; one that falls behind it (a slow
  // request or a full queue) is followed at once, and the schedule starts again from there rather
  // than catching up in a burst.
  MonoTime due = Clock::System().Monotonic();
  while (!stop.stop_requested()) {
    int want = config.source.results;
    if (limit) {
      if (fetched_total >= *limit) break;
      want = static_cast<int>(std::min<int64_t>(want, *limit - fetched_total));
    }
    auto batch = source.Fetch(next, want, stop);
    if (!batch.ok()) return batch.status();
    next = batch->next;
    fetched_total += static_cast<int64_t>(batch->records.size());
    metrics.fetched.Add(batch->records.size());
    if (!PushChunks(*batch, scratch, stop)) break;  // the batch goes here, on the thread that made its records
    if (config.source.interval.count() > 0) {
      due += config.source.interval;
      MonoTime now = Clock::System().Monotonic();
      if (due < now) due = now;
      if (!SleepFor(due - now, stop)) break;
    }
  }
  return Status::OK();
}

bool IngestService::Impl::PushChunks(SourceBatch& batch, User& scratch, std::stop_token stop) {
  const int64_t fetched_us = WallMicros();
  const size_t n = batch.records.size();
  const size_t chunk = ChunkUsers(config.source);
  const bool keep_parsed = store.NeedsParsedUsers();
  size_t from = 0;
  do {
    const size_t to = std::min(n, from + chunk);
    // Where a chunk before the last ends: within the request's page (or unpaged, as the request).
    SourcePosition next = to == n || batch.next.seed.empty()
                              ? batch.next
                              : Advance(batch.position, static_cast<int>(to), config.source.results);
    if (!queue.Push(Prepare(batch, from, to, std::move(next), fetched_us, keep_parsed, scratch), stop)) {
      return false;
    }
    from = to;
  } while (from < n);
  return true;
}

Status IngestService::Impl::Land(std::vector<FetchedBatch>& fetched) {
  LandingBatch landing;
  landing.run = run;
  landing.next_position = fetched.back().next;
  for (FetchedBatch& f : fetched) {
    landing.source_records += static_cast<int64_t>(f.users.size() + f.rejects.size());  // each record is one
    if (landing.users.empty()) {
      landing.users = std::move(f.users);
    } else {
      landing.users.insert(landing.users.end(), std::make_move_iterator(f.users.begin()),
                           std::make_move_iterator(f.users.end()));
    }
    landing.rejects.insert(landing.rejects.end(), std::make_move_iterator(f.rejects.begin()),
                           std::make_move_iterator(f.rejects.end()));
  }
  RTPIPE_ASSIGN_OR_RETURN(LandingCounts counts, store.Write(landing));
  metrics.inserted.Add(counts.inserted);
  metrics.updated.Add(counts.updated);
  metrics.unchanged.Add(counts.unchanged);
  metrics.rejected.Add(counts.rejected);
  total += landing.source_records;
  metrics.total.Set(total);
  return Status::OK();
}

Status IngestService::Run(std::stop_token stop) {
  Impl& s = *impl_;
  if (s.finished) return Status::OK();
  auto log = GetLogger("ingest");
  Status fetch_status;
  std::stop_source fetch_stop;
  std::stop_callback forward(stop, [&] { fetch_stop.request_stop(); });
  std::thread fetcher([&] {
    SetThreadName("ingest-fetch");
    fetch_status = s.FetchLoop(fetch_stop.get_token());
    s.queue.Close();
  });
  Status status;
  while (auto first = s.queue.Pop(stop)) {
    // Backpressure: let capture catch up before landing more.
    while (s.capture_backlog != nullptr && s.capture_backlog->value() > s.config.landing.max_outbox_backlog &&
           !stop.stop_requested()) {
      s.metrics.paused.Set(1);
      SleepFor(std::chrono::milliseconds(20), stop);
    }
    s.metrics.paused.Set(0);
    std::vector<FetchedBatch> fetched;
    fetched.push_back(std::move(*first));
    for (auto& more : s.queue.TakeAvailable(s.queue.capacity())) fetched.push_back(std::move(more));
    status = s.Land(fetched);
    if (!status.ok()) break;
  }
  fetch_stop.request_stop();
  s.queue.Close();
  fetcher.join();
  if (!status.ok()) return status.WithContext("landing");
  if (!fetch_status.ok() && !fetch_status.IsCancelled()) return fetch_status.WithContext("source");
  if (s.limit && s.total >= *s.limit) {
    s.finished = true;
    log->info("record limit reached: {} source records taken", s.total);
  }
  return Status::OK();
}

}  // namespace rtpipe
