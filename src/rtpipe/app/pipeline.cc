#include "rtpipe/app/pipeline.h"

#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <thread>

#include "rtpipe/app/status_report.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/capture/capture_service.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/ingest_service.h"
#include "rtpipe/log/log_factory.h"
#include "rtpipe/process/process_service.h"

namespace rtpipe {
namespace {

// One stage running on its own thread.
struct StageThread {
  std::string name;
  std::stop_source stop;
  std::thread thread;
  std::atomic<bool> done{false};
  Status status;  // written by the thread before `done`

  template <typename Body>
  StageThread(std::string n, Body body) : name(std::move(n)) {
    thread = std::thread([this, body = std::move(body)]() mutable {
      SetThreadName(name);
      status = body(stop.get_token());
      done = true;
    });
  }
  void Stop() {
    stop.request_stop();
    if (thread.joinable()) thread.join();
  }
};

}  // namespace

Result<Role> ParseRole(std::string_view text) {
  if (text == "all") return Role::kAll;
  if (text == "ingest") return Role::kIngest;
  if (text == "capture") return Role::kCapture;
  if (text == "process") return Role::kProcess;
  return Status::InvalidArgument("unknown role \"{}\" (allowed: all, ingest, capture, process)", text);
}

Result<ReplayStart> ParseReplayStart(std::string_view text) {
  ReplayStart start;
  if (text == "beginning") return start;
  if (auto time = ParseIso8601(text); time.ok()) {
    start.kind = ReplayStart::Kind::kTime;
    start.time = *time;
    return start;
  }
  int64_t offset = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), offset);
  if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size() && offset >= 0) {
    start.kind = ReplayStart::Kind::kOffset;
    start.offset = offset;
    return start;
  }
  return Status::InvalidArgument(
      "--from \"{}\": expected \"beginning\", an ISO-8601 time (2026-01-01T00:00:00Z) or an offset", text);
}

namespace {

// The replay's start offsets in every partition of the topic.
Result<std::map<TopicPartition, Offset>> ReplayOffsets(Log& log, const std::string& topic, const ReplayStart& from) {
  RTPIPE_ASSIGN_OR_RETURN(TopicInfo info, log.DescribeTopic(topic));
  std::map<TopicPartition, Offset> offsets;
  for (const auto& p : info.partitions) {
    TopicPartition tp{topic, p.partition};
    switch (from.kind) {
      case ReplayStart::Kind::kBeginning:
        offsets[tp] = p.start_offset;
        break;
      case ReplayStart::Kind::kOffset:
        offsets[tp] = std::max(p.start_offset, Offset(from.offset));
        break;
      case ReplayStart::Kind::kTime: {
        RTPIPE_ASSIGN_OR_RETURN(offsets[tp], log.OffsetForTime(tp, from.time));
        break;
      }
    }
  }
  return offsets;
}

}  // namespace

struct Pipeline::Impl {
  Config config;
  PipelineOptions options;
  bool ingest_role() const { return options.role == Role::kAll || options.role == Role::kIngest; }
  bool capture_role() const { return options.role == Role::kAll || options.role == Role::kCapture; }
  bool process_role() const { return options.role == Role::kAll || options.role == Role::kProcess; }

  std::unique_ptr<Log> log;
  std::unique_ptr<Source> source;
  std::unique_ptr<LandingStore> landing;
  std::unique_ptr<ChangeFeed> feed;
  std::unique_ptr<Sink> sink;

  IngestMetrics ingest_metrics;
  CaptureMetrics capture_metrics;
  ProcessMetrics process_metrics;

  std::unique_ptr<ProcessService> process;
  std::unique_ptr<CaptureService> capture;
  std::unique_ptr<IngestService> ingest;

  MonoTime started{};
  std::optional<uint64_t> drain_mark;  // capture's empty reads when ingest was first seen finished

  Result<bool> Drained();
};

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

Result<std::unique_ptr<Pipeline>> Pipeline::Open(const Config& config, const PipelineOptions& options) {
  if (options.record_limit && options.role != Role::kAll && options.role != Role::kIngest) {
    return Status::InvalidArgument("--records needs role all or ingest");
  }
  if (options.replay && (options.record_limit || (options.role != Role::kAll && options.role != Role::kProcess))) {
    return Status::InvalidArgument("--replay runs the process stage alone: it takes no --records or other --role");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = config;
  impl->options = options;
  if (options.replay) impl->options.role = Role::kProcess;
  const Config& c = impl->config;
  auto log = GetLogger("app");
  if (impl->capture_role() || impl->process_role()) {
    RTPIPE_ASSIGN_OR_RETURN(impl->log, OpenLog(c.log, LogAccess::kReadWrite));
    log->info("log: {} (topic {}, dead letters {})", MaskUrlPassword(c.log.url), c.log.topic, c.log.dlq_topic);
  }
  if (impl->process_role()) {
    RTPIPE_ASSIGN_OR_RETURN(impl->sink, OpenSink(c));
    log->info("analytics store: {} ({}.{})", MaskUrlPassword(c.sink.url), c.sink.keyspace, c.sink.table);
    ProcessOptions process_options;
    if (options.replay) {
      process_options.group = c.process.group + ".replay";
      RTPIPE_ASSIGN_OR_RETURN(process_options.replay_from, ReplayOffsets(*impl->log, c.log.topic, *options.replay));
      if (options.replay->kind == ReplayStart::Kind::kTime) process_options.windows_from = options.replay->time;
      process_options.stop_at_end = true;
      log->info("replaying {} into the store from {}", c.log.topic,
                options.replay->kind == ReplayStart::Kind::kBeginning ? "the beginning"
                : options.replay->kind == ReplayStart::Kind::kTime
                    ? FormatIso8601(options.replay->time)
                    : "offset " + std::to_string(options.replay->offset));
    }
    RTPIPE_ASSIGN_OR_RETURN(impl->process, ProcessService::Create(c, *impl->log, *impl->sink, impl->process_metrics,
                                                                  std::move(process_options)));
  }
  if (impl->ingest_role()) {
    // Opened before the capture stage's feed, which reads only what this store has put on disk.
    RTPIPE_ASSIGN_OR_RETURN(impl->landing, OpenLandingStore(c, impl->capture_role() ? CaptureRuns::kInThisProcess
                                                                                    : CaptureRuns::kElsewhere));
    log->info("landing: {}", MaskUrlPassword(c.landing.url));
  }
  if (impl->capture_role()) {
    RTPIPE_ASSIGN_OR_RETURN(impl->feed, OpenChangeFeed(c));
    RTPIPE_ASSIGN_OR_RETURN(impl->capture, CaptureService::Create(c, *impl->feed, *impl->log, impl->capture_metrics));
  }
  if (impl->ingest_role()) {
    RTPIPE_ASSIGN_OR_RETURN(impl->source, MakeSource(c.source, Clock::System()));
    log->info("source: {} ({} users per request, every {})", c.source.url, c.source.results,
              FormatDuration(c.source.interval));
    const Gauge* backlog = impl->capture ? &impl->capture_metrics.backlog : nullptr;
    RTPIPE_ASSIGN_OR_RETURN(impl->ingest, IngestService::Create(c, *impl->source, *impl->landing, impl->ingest_metrics,
                                                                options.record_limit, backlog));
  }
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Result<bool> Pipeline::Impl::Drained() {
  if (!ingest || !ingest->Finished()) return false;
  if (!capture || !process) return true;
  // Everything landed is captured once capture has found nothing twice after ingest finished
  // (the second empty read began after the last landing commit).
  uint64_t empty = capture_metrics.empty_reads.value();
  if (!drain_mark) drain_mark = empty;
  if (empty < *drain_mark + 2) return false;
  RTPIPE_ASSIGN_OR_RETURN(LogEnds ends, CurrentLogEnds(*log, {config.log.topic}));
  auto committed = process->CommittedOffsets();
  for (const auto& [tp, end] : ends) {
    auto it = committed.find(tp);
    if (it == committed.end() || it->second < end) return false;
  }
  return true;
}

Status Pipeline::Run(std::stop_token stop) {
  Impl& s = *impl_;
  auto log = GetLogger("app");
  s.started = Clock::System().Monotonic();
  std::vector<std::unique_ptr<StageThread>> stages;  // in start order; stopped in reverse
  if (s.process)
    stages.push_back(std::make_unique<StageThread>("process", [&](std::stop_token t) { return s.process->Run(t); }));
  if (s.capture)
    stages.push_back(std::make_unique<StageThread>("capture", [&](std::stop_token t) { return s.capture->Run(t); }));
  if (s.ingest)
    stages.push_back(std::make_unique<StageThread>("ingest", [&](std::stop_token t) { return s.ingest->Run(t); }));

  StatusReport report(s.config, s.log.get(), s.ingest ? &s.ingest_metrics : nullptr,
                      s.capture ? &s.capture_metrics : nullptr, s.process ? &s.process_metrics : nullptr,
                      s.process.get());
  Status failure;
  MonoTime next_status = s.started;
  bool limit_reached = false;
  while (!stop.stop_requested()) {
    for (auto& stage : stages) {
      // A stage that ends on its own either failed or (ingest) reached the record limit.
      if (stage->done && !stage->status.ok() && failure.ok()) {
        failure = stage->status;
        log->error("{} stage failed: {}", stage->name, stage->status.ToString());
      }
    }
    if (!failure.ok()) break;
    bool all_done = !stages.empty();
    for (auto& stage : stages) all_done = all_done && stage->done;
    if (all_done) break;  // e.g. a replay that reached the end
    if (s.options.record_limit) {
      auto drained = s.Drained();
      if (!drained.ok()) {
        failure = drained.status();
        break;
      }
      if (*drained) {
        limit_reached = true;
        break;
      }
    }
    MonoTime now = Clock::System().Monotonic();
    if (now >= next_status) {
      report.Update();
      next_status = now + s.config.run.status_interval;
    }
    SleepFor(std::chrono::milliseconds(50), stop);
  }
  for (auto it = stages.rbegin(); it != stages.rend(); ++it) (*it)->Stop();
  for (auto& stage : stages) {
    if (!stage->status.ok() && !stage->status.IsCancelled() && failure.ok()) failure = stage->status;
  }
  report.Update();
  StatusLine::Clear();
  if (!failure.ok()) return failure;
  if (limit_reached) {
    log->info("done: {} source records reached the analytics store or the dead-letter topic", *s.options.record_limit);
  } else if (s.options.replay) {
    log->info("replay done: {} records reprocessed", s.process_metrics.committed.value());
  } else {
    log->info("stopped; run again to resume where it stopped");
  }
  return Status::OK();
}

const Histogram& Pipeline::LatencyMicros() const { return impl_->process_metrics.latency_us; }

}  // namespace rtpipe
