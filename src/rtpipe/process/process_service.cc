#include "rtpipe/process/process_service.h"

#include <charconv>
#include <condition_variable>
#include <thread>
#include <variant>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/bounded_queue.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/recycler.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/process/user_rules.h"
#include "rtpipe/process/window_aggregator.h"
#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe {
namespace {

constexpr size_t kQueuedBatches = 4;
constexpr auto kMirrorInterval = std::chrono::seconds(1);  // committed offsets copied to the log's group

struct PendingBatch {
  SinkBatch batch;
  std::vector<int64_t> ingested_us;  // per input record, when known
  size_t dead_letters = 0;
  size_t late = 0;
  size_t input_records = 0;

  /// Appends a later batch: its rows and window values come after ours (so they win), and its
  /// checkpoint, which covers both, replaces ours.
  void Merge(PendingBatch&& later) {
    batch.users.insert(batch.users.end(), std::make_move_iterator(later.batch.users.begin()),
                       std::make_move_iterator(later.batch.users.end()));
    batch.aggregates.insert(batch.aggregates.end(), std::make_move_iterator(later.batch.aggregates.begin()),
                            std::make_move_iterator(later.batch.aggregates.end()));
    for (auto& [tp, checkpoint] : later.batch.checkpoint) batch.checkpoint[tp] = std::move(checkpoint);
    ingested_us.insert(ingested_us.end(), later.ingested_us.begin(), later.ingested_us.end());
    dead_letters += later.dead_letters;
    late += later.late;
    input_records += later.input_records;
  }

  /// Empties the batch for reuse: its rows and latencies go, their vectors' capacity stays.
  void Clear() {
    std::vector<CreatedUser> users = std::move(batch.users);
    std::vector<int64_t> latencies = std::move(ingested_us);
    users.clear();
    latencies.clear();
    *this = PendingBatch{};
    batch.users = std::move(users);
    ingested_us = std::move(latencies);
  }
};

std::optional<int64_t> ParseMicros(std::optional<std::string_view> text) {
  if (!text) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc()) return std::nullopt;
  return value;
}

}  // namespace

struct ProcessService::Impl final : RebalanceListener {
  const Config& config;
  Log& log;
  Sink& sink;
  ProcessMetrics& metrics;
  ProcessOptions options;
  std::shared_ptr<spdlog::logger> logger = GetLogger("process");

  std::unique_ptr<GroupConsumer> group;  // live processing: one member of the consumer group
  std::unique_ptr<Consumer> manual;      // replay: every partition, from the replay's offsets
  std::unique_ptr<Producer> producer;
  WindowAggregator windows;
  const bool windows_enabled;
  ReplayGuard guard;
  LogEnds dlq_ends;
  std::map<TopicPartition, int64_t> records;  // per owned partition: records processed in total
  std::optional<LogEnds> stop_ends;           // stop_at_end: the topic's ends when the run started
  std::string topic_prefix;                   // "users_created/": the prefix of this stage's dead-letter ids
  BoundedQueue<PendingBatch> queue{kQueuedBatches};
  // Batches handed back by the sink thread once written, refilled by the polling thread: their
  // vectors are not allocated again, and the rows of a batch written on its own are freed by the
  // thread that made them (merged rows are freed by the sink thread). As many as can be in use at
  // once: queued, being written, being filled.
  Recycler<PendingBatch> written_batches{2 * kQueuedBatches + 2};
  std::stop_source never;  // hand-over to the sink thread never gives up: it drains the queue

  std::mutex sink_mutex;  // guards sink: the sink thread writes, rebalance callbacks read checkpoints

  mutable std::mutex progress_mutex;  // guards committed, pushed, written, writer_failed
  std::condition_variable progress_cv;
  std::map<TopicPartition, Offset> committed;
  uint64_t pushed = 0, written = 0;
  bool writer_failed = false;

  Impl(const Config& c, Log& l, Sink& s, ProcessMetrics& m, ProcessOptions o)
      : config(c),
        log(l),
        sink(s),
        metrics(m),
        options(std::move(o)),
        windows(AggregateDefinitions(c.process.window), c.process.window),
        windows_enabled(c.process.window.enabled) {}

  // RebalanceListener: both run on the polling thread, inside Poll (or Close).
  Result<std::map<TopicPartition, Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override;

  Result<std::vector<ConsumedRecord>> Poll(std::stop_token stop) {
    auto max = static_cast<size_t>(config.process.batch_size);
    auto timeout = std::chrono::milliseconds(100);
    return group ? group->Poll(max, timeout, stop) : manual->Poll(max, timeout, stop);
  }
  std::map<TopicPartition, Offset> Positions() const { return group ? group->Positions() : manual->Positions(); }

  Result<PendingBatch> Transform(std::vector<ConsumedRecord>& records);
  Status TrackIdleness();
  bool ReachedEnd() const;
  void Finish(PendingBatch& pending, std::vector<AggregateRow> aggregates);
  bool HandOver(PendingBatch pending);
  void WaitUntilWritten();
  void MirrorCommittedOffsets();
  Status WriteLoop(std::stop_token stop);
  Status WriteWithRetry(const PendingBatch& pending, std::stop_token stop);
};

ProcessService::ProcessService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ProcessService::~ProcessService() = default;

Result<std::unique_ptr<ProcessService>> ProcessService::Create(const Config& config, Log& log, Sink& sink,
                                                               ProcessMetrics& metrics, ProcessOptions options) {
  if (options.group.empty()) options.group = config.process.group;
  auto impl = std::make_unique<Impl>(config, log, sink, metrics, std::move(options));
  const std::string& topic = config.log.topic;
  RTPIPE_RETURN_IF_ERROR(log.EnsureTopic({topic, config.log.partitions}));
  RTPIPE_RETURN_IF_ERROR(log.EnsureTopic({config.log.dlq_topic, 1}));
  RTPIPE_ASSIGN_OR_RETURN(impl->producer, log.NewProducer());
  RTPIPE_ASSIGN_OR_RETURN(impl->dlq_ends, CurrentLogEnds(log, {config.log.dlq_topic}));
  impl->topic_prefix = topic + "/";
  if (impl->options.stop_at_end) {
    RTPIPE_ASSIGN_OR_RETURN(impl->stop_ends, CurrentLogEnds(log, {topic}));
  }
  if (impl->options.replay_from) {
    // A replay owns every partition from the start, with fresh window state.
    RTPIPE_ASSIGN_OR_RETURN(TopicInfo info, log.DescribeTopic(topic));
    std::vector<TopicPartition> all;
    for (const auto& p : info.partitions) all.push_back({topic, p.partition});
    RTPIPE_ASSIGN_OR_RETURN(auto positions, impl->OnAssigned(all));
    RTPIPE_ASSIGN_OR_RETURN(impl->manual, log.NewConsumer());
    RTPIPE_RETURN_IF_ERROR(impl->manual->Assign(positions));
  } else {
    // Partitions arrive through OnAssigned, inside the first Poll.
    RTPIPE_ASSIGN_OR_RETURN(impl->group, log.NewGroupConsumer(impl->options.group, {topic}, *impl));
  }
  return std::unique_ptr<ProcessService>(new ProcessService(std::move(impl)));
}

Result<std::map<TopicPartition, Offset>> ProcessService::Impl::OnAssigned(
    const std::vector<TopicPartition>& partitions) {
  SinkCheckpoint saved;
  if (!options.replay_from) {
    std::lock_guard lock(sink_mutex);
    RTPIPE_ASSIGN_OR_RETURN(saved, sink.LoadCheckpoint(options.group));
  }
  RTPIPE_ASSIGN_OR_RETURN(LogEnds ends, CurrentLogEnds(log, {config.log.topic}));
  std::map<TopicPartition, Offset> start;
  for (const TopicPartition& tp : partitions) {
    auto it = saved.find(tp);
    PartitionCheckpoint checkpoint = it != saved.end() ? it->second : PartitionCheckpoint{};
    if (auto end = ends.find(tp); it != saved.end() && end != ends.end() && checkpoint.next_offset > end->second) {
      // Reading on would silently skip records: the store belongs to another (older) log.
      return Status::FailedPrecondition(
          "the analytics store's checkpoint of {} partition {} is at offset {}, but that partition of the log ends "
          "at {}: the log was recreated since. Use a fresh analytics store, or another process.group",
          tp.topic, tp.partition, checkpoint.next_offset, end->second);
    }
    if (options.replay_from) {
      auto from = options.replay_from->find(tp);
      checkpoint.next_offset = from != options.replay_from->end() ? from->second : Offset(0);
    }
    RTPIPE_RETURN_IF_ERROR(windows.AddPartition(tp.partition, checkpoint.state).WithContext("restoring window state"));
    // Dead letters this partition's previous owner appended after its last checkpoint.
    RTPIPE_ASSIGN_OR_RETURN(auto found, ReplayGuard::Load(log, {config.log.dlq_topic}, checkpoint.dlq_ends,
                                                          fmt::format("{}{}@", topic_prefix, tp.partition)));
    guard.Absorb(std::move(found));
    records[tp] = checkpoint.records;
    start[tp] = checkpoint.next_offset;
  }
  {
    std::lock_guard lock(progress_mutex);
    for (const auto& [tp, offset] : start) committed[tp] = offset;
  }
  std::string list;
  for (const auto& [tp, offset] : start) list += fmt::format("{}{}@{}", list.empty() ? "" : ", ", tp.partition, offset);
  logger->info("{} {} partitions: {}", options.group, options.replay_from ? "replaying" : "now owns", list);
  return start;
}

void ProcessService::Impl::OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) {
  // Everything read from these partitions is in the queue or written: let the sink thread finish
  // it, so the next owner starts where this one ends.
  WaitUntilWritten();
  if (!lost) MirrorCommittedOffsets();
  std::lock_guard lock(progress_mutex);
  for (const TopicPartition& tp : partitions) {
    windows.RemovePartition(tp.partition);
    records.erase(tp);
    committed.erase(tp);
  }
  logger->info("{} gave up {} partitions{}", options.group, partitions.size(),
               lost ? " (lost: the group had already moved them)" : "");
}

Result<PendingBatch> ProcessService::Impl::Transform(std::vector<ConsumedRecord>& polled) {
  PendingBatch pending = written_batches.Take();
  pending.Clear();
  pending.input_records = polled.size();
  pending.batch.users.reserve(polled.size());
  pending.ingested_us.reserve(polled.size());
  std::vector<Record> letters;
  auto reject = [&](const ConsumedRecord& r, std::string_view reason, std::string detail) {
    std::string id = fmt::format("{}{}@{}", topic_prefix, r.partition, r.offset);
    ++pending.dead_letters;
    if (guard.AlreadyAppended(id)) {
      metrics.duplicates.Add();
      return;
    }
    DeadLetter letter{std::string(reason), std::move(detail), "process", id, r.key, r.value.value_or(""), r.timestamp};
    Record out;
    out.key = r.key;
    out.value = DeadLetterJson(letter);
    out.timestamp = r.timestamp;
    out.headers.push_back({std::string(kSourceIdHeader), std::move(id)});
    out.headers.push_back({"rtpipe.reason", letter.reason});
    letters.push_back(std::move(out));
  };
  for (ConsumedRecord& r : polled) {
    ++records[{r.topic, r.partition}];
    if (auto us = ParseMicros(r.HeaderValue(kIngestedMicrosHeader))) pending.ingested_us.push_back(*us);
    if (!r.value) {
      reject(r, dlq_reason::kMalformedJson, "the value is null");
      continue;
    }
    CreatedUser& row = pending.batch.users.emplace_back();
    if (auto rejection = ProcessMessageInto(*r.value, r.timestamp, row)) {
      pending.batch.users.pop_back();
      reject(r, rejection->reason, std::move(rejection->detail));
      continue;
    }
    if (windows_enabled && !windows.Add(r.partition, row)) {
      // Too late for the windows; the user is still a valid row of created_users.
      ++pending.late;
      reject(r, dlq_reason::kLate,
             fmt::format("event time {} is behind the watermark {}", FormatIso8601(r.timestamp),
                         FormatIso8601(windows.Watermark().value_or(Timestamp{}))));
    }
  }
  if (!letters.empty()) {
    PartitionId dlq_partition(0);
    RTPIPE_ASSIGN_OR_RETURN(Offset base, producer->Append(config.log.dlq_topic, dlq_partition, letters));
    dlq_ends[{config.log.dlq_topic, dlq_partition}] = base + static_cast<int64_t>(letters.size());
  }
  return pending;
}

// Completes a batch: the aggregate rows to write and, for every owned partition, the checkpoint
// matching the state now.
void ProcessService::Impl::Finish(PendingBatch& pending, std::vector<AggregateRow> aggregates) {
  if (options.windows_from) {
    std::erase_if(aggregates, [&](const AggregateRow& row) { return row.window_start < *options.windows_from; });
  }
  pending.batch.aggregates = std::move(aggregates);
  for (const auto& [tp, position] : Positions()) {
    pending.batch.checkpoint[tp] = {position, records[tp], dlq_ends, windows.Serialize(tp.partition)};
  }
  metrics.open_windows.Set(static_cast<int64_t>(windows.open_windows()));
}

Status ProcessService::Impl::TrackIdleness() {
  RTPIPE_ASSIGN_OR_RETURN(LogEnds ends, CurrentLogEnds(log, {config.log.topic}));
  MonoTime now = Clock::System().Monotonic();
  for (const auto& [tp, position] : Positions()) {
    auto it = ends.find(tp);
    windows.SetCaughtUp(tp.partition, it == ends.end() || position >= it->second, now);
  }
  return Status::OK();
}

bool ProcessService::Impl::ReachedEnd() const {
  if (!stop_ends) return false;
  auto positions = Positions();
  for (const auto& [tp, end] : *stop_ends) {
    auto it = positions.find(tp);
    if (it == positions.end() || it->second < end) return false;
  }
  return true;
}

bool ProcessService::Impl::HandOver(PendingBatch pending) {
  {
    std::lock_guard lock(progress_mutex);
    ++pushed;
  }
  if (queue.Push(std::move(pending), never.get_token())) return true;
  std::lock_guard lock(progress_mutex);
  --pushed;
  return false;
}

void ProcessService::Impl::WaitUntilWritten() {
  std::unique_lock lock(progress_mutex);
  progress_cv.wait(lock, [&] { return written >= pushed || writer_failed; });
}

void ProcessService::Impl::MirrorCommittedOffsets() {
  if (!group) return;
  std::map<TopicPartition, Offset> offsets;
  {
    std::lock_guard lock(progress_mutex);
    offsets = committed;
  }
  // Informational (kafka-consumer-groups, `rtpipe consume --group`): the store holds the truth.
  if (Status s = group->Commit(offsets); !s.ok()) logger->debug("mirroring offsets to the log: {}", s.ToString());
}

Status ProcessService::Impl::WriteWithRetry(const PendingBatch& pending, std::stop_token stop) {
  Backoff backoff({std::chrono::milliseconds(100), std::chrono::milliseconds(10'000), 2.0});
  for (;;) {
    Status s;
    {
      std::lock_guard lock(sink_mutex);
      s = sink.Write(options.group, pending.batch);
    }
    if (s.ok() || !s.IsRetryable()) return s;
    auto delay = backoff.Next();
    logger->warn("analytics store: {}; retrying in {}", s.ToString(), FormatDuration(delay));
    if (!SleepFor(delay, stop)) return Status::Cancelled("stopped while the store was unavailable");
  }
}

Status ProcessService::Impl::WriteLoop(std::stop_token stop) {
  // Batches queued before a stop request are still written: drain until the queue is closed.
  PendingBatch merged;  // empty between transactions, but keeps its capacity
  while (auto first = queue.Pop(never.get_token())) {
    // Under load, everything queued goes into one store transaction (fewer, bigger commits).
    std::vector<PendingBatch> more = queue.TakeAvailable(kQueuedBatches);
    const uint64_t batches = 1 + more.size();
    PendingBatch* pending = &*first;
    if (!more.empty()) {
      merged.Merge(std::move(*first));
      for (PendingBatch& later : more) merged.Merge(std::move(later));
      pending = &merged;
    }
    Status s = WriteWithRetry(*pending, stop);
    if (!s.ok()) {
      std::lock_guard lock(progress_mutex);
      writer_failed = true;
      progress_cv.notify_all();
      return s;
    }
    int64_t now = WallMicros();
    for (int64_t us : pending->ingested_us) metrics.latency_us.Record(now - us);
    metrics.stored.Add(pending->batch.users.size());
    metrics.dead_letters.Add(pending->dead_letters);
    metrics.late.Add(pending->late);
    metrics.aggregates.Add(pending->batch.aggregates.size());
    metrics.committed.Add(pending->input_records);
    {
      std::lock_guard lock(progress_mutex);
      for (const auto& [tp, checkpoint] : pending->batch.checkpoint) {
        if (auto it = committed.find(tp); it != committed.end()) it->second = checkpoint.next_offset;
      }
      written += batches;
      progress_cv.notify_all();
    }
    merged.Clear();
    written_batches.Give(std::move(*first));
    for (PendingBatch& later : more) written_batches.Give(std::move(later));
  }
  return Status::OK();
}

Status ProcessService::Run(std::stop_token stop) {
  Impl& s = *impl_;
  Status writer_status;
  std::stop_source writer_stop;
  std::thread writer([&] {
    SetThreadName("process-write");
    writer_status = s.WriteLoop(writer_stop.get_token());
    if (!writer_status.ok()) s.queue.Close();  // unblock the hand-over
  });
  Status status;
  bool handed_over = true;
  MonoTime next_idleness_check{}, next_mirror = Clock::System().Monotonic() + kMirrorInterval;
  while (!stop.stop_requested() && !s.ReachedEnd()) {
    auto polled = s.Poll(stop);
    if (!polled.ok()) {
      if (!polled.status().IsCancelled()) status = polled.status().WithContext("reading " + s.config.log.topic);
      break;
    }
    PendingBatch pending;
    if (!polled->empty()) {
      s.metrics.consumed.Add(polled->size());
      auto transformed = s.Transform(*polled);
      if (!transformed.ok()) {
        status = transformed.status().WithContext("processing");
        break;
      }
      pending = std::move(*transformed);
    }
    MonoTime now = Clock::System().Monotonic();
    // Partitions with nothing to read stop holding the watermark back after idle_timeout.
    if (polled->empty() || now >= next_idleness_check) {
      next_idleness_check = now + std::chrono::milliseconds(200);
      // Not knowing the log's ends for a moment only delays idleness: try again next time.
      if (Status idle = s.TrackIdleness(); !idle.ok()) s.logger->debug("idleness: {}", idle.ToString());
    }
    if (now >= next_mirror) {
      next_mirror = now + kMirrorInterval;
      s.MirrorCommittedOffsets();
    }
    std::vector<AggregateRow> updates = s.windows.TakeUpdates();
    if (polled->empty() && updates.empty()) continue;
    s.Finish(pending, std::move(updates));
    if (!(handed_over = s.HandOver(std::move(pending)))) break;
  }
  // Open windows' current values, unless early updates already wrote them.
  if (status.ok() && handed_over && !s.config.process.window.early_updates && s.windows.open_windows() > 0) {
    PendingBatch flush;
    s.Finish(flush, s.windows.OpenWindows());
    s.HandOver(std::move(flush));
  }
  // Leaving the group writes what was read (OnRevoked) before the others take the partitions.
  if (s.group && handed_over) {
    if (Status closed = s.group->Close(); !closed.ok() && status.ok()) status = closed;
  }
  s.queue.Close();
  if (!status.ok()) writer_stop.request_stop();
  writer.join();
  return status.ok() ? writer_status : status;
}

std::map<TopicPartition, Offset> ProcessService::CommittedOffsets() const {
  std::lock_guard lock(impl_->progress_mutex);
  return impl_->committed;
}

}  // namespace rtpipe
