#include "rtpipe/capture/capture_service.h"

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"

namespace rtpipe {

Result<std::unique_ptr<CaptureService>> CaptureService::Create(const Config& config, ChangeFeed& feed, Log& log,
                                                               CaptureMetrics& metrics) {
  std::unique_ptr<CaptureService> service(new CaptureService(config, feed, log, metrics));
  std::vector<std::string> topics = {config.log.topic, config.log.dlq_topic};
  RTPIPE_RETURN_IF_ERROR(log.EnsureTopic({config.log.topic, config.log.partitions}));
  RTPIPE_RETURN_IF_ERROR(log.EnsureTopic({config.log.dlq_topic, 1}));
  for (const auto& topic : topics) {
    RTPIPE_ASSIGN_OR_RETURN(TopicInfo info, log.DescribeTopic(topic));
    service->partitions_[topic] = static_cast<int>(info.partitions.size());
  }
  RTPIPE_ASSIGN_OR_RETURN(service->producer_, log.NewProducer());
  RTPIPE_ASSIGN_OR_RETURN(service->committed_, feed.LoadCheckpoint());
  RTPIPE_ASSIGN_OR_RETURN(service->guard_,
                          ReplayGuard::Load(log, topics, service->committed_.log_ends, feed.IdPrefix()));
  if (service->guard_.size() > 0) {
    GetLogger("capture")->info(
        "resuming after an unclean stop: {} changes already in the log will not be appended again",
        service->guard_.size());
  }
  // From here on, the current ends are a safe lower bound for anything this service appends.
  RTPIPE_ASSIGN_OR_RETURN(service->committed_.log_ends, CurrentLogEnds(log, topics));
  service->appended_ = service->committed_;
  return service;
}

Status CaptureService::CommitAppended(bool wait) {
  if (uncommitted_ == 0) return Status::OK();
  if (wait) {
    RTPIPE_RETURN_IF_ERROR(feed_.Commit(appended_));
  } else {
    RTPIPE_ASSIGN_OR_RETURN(bool committed, feed_.TryCommit(appended_));
    if (!committed) return Status::OK();
  }
  committed_ = appended_;
  uncommitted_ = 0;
  return Status::OK();
}

Result<size_t> CaptureService::RunOnce(std::stop_token stop, std::chrono::milliseconds wait) {
  MonoTime started = Clock::System().Monotonic();
  RTPIPE_ASSIGN_OR_RETURN(auto read, feed_.Read(appended_.position, config_.capture.batch_size, wait, stop));
  auto& [changes, next_position] = read;
  if (changes.empty()) {
    RTPIPE_RETURN_IF_ERROR(CommitAppended(/*wait=*/true));  // idle: a good moment to wait for the lock
    metrics_.empty_reads.Add();
    return size_t{0};
  }

  // Group by destination partition, keeping each partition's order.
  std::map<TopicPartition, std::vector<Record>> by_partition;
  size_t skipped = 0;
  for (auto& c : changes) {
    if (guard_.AlreadyAppended(c.id)) {
      ++skipped;
      continue;
    }
    int count = partitions_.at(c.topic);
    PartitionId partition = c.key ? PartitionFor(*c.key, count) : PartitionId(0);
    Record r;
    r.key = std::move(c.key);
    r.value = std::move(c.value);
    r.timestamp = c.event_time;
    r.headers.push_back({std::string(kSourceIdHeader), std::move(c.id)});
    r.headers.push_back({std::string(kIngestedMicrosHeader), std::to_string(c.ingested_us)});
    by_partition[{c.topic, partition}].push_back(std::move(r));
  }
  // appended_ changes only once the round's appends are durable: after a failure part-way, the
  // replay guard is rebuilt from the last committed ends (see Run), so what was appended since is
  // skipped. All partitions at once: they become durable together, and the processor can read
  // the whole round at once.
  std::vector<PartitionBatch> batches;
  for (auto& [tp, records] : by_partition) batches.push_back({tp, records});
  RTPIPE_ASSIGN_OR_RETURN(std::vector<Offset> firsts, producer_->AppendEach(batches));
  for (size_t i = 0; i < batches.size(); ++i) {
    appended_.log_ends[batches[i].partition] = firsts[i] + static_cast<int64_t>(batches[i].records.size());
  }
  appended_.position = next_position;
  uncommitted_ += static_cast<int64_t>(changes.size());
  // The commit shares the landing database's write lock with the landing thread, which holds it for
  // each of its transactions. Waiting for it every round held capture to one round per landing
  // transaction, behind landing's grouped writes; so it waits only once kUncommittedRounds rounds
  // are uncommitted (what a restart's replay guard then reads back from the log).
  RTPIPE_RETURN_IF_ERROR(
      CommitAppended(/*wait=*/uncommitted_ >= int64_t{kUncommittedRounds} * config_.capture.batch_size));
  if (skipped > 0) metrics_.duplicates.Add(skipped);
  metrics_.captured.Add(changes.size() - skipped);
  metrics_.round_micros.Record(
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::System().Monotonic() - started).count());
  return changes.size();
}

Status CaptureService::Run(std::stop_token stop) {
  auto log = GetLogger("capture");
  Backoff backoff({std::chrono::milliseconds(100), std::chrono::milliseconds(10'000), 2.0});
  bool guard_stale = false;  // a failed round may have appended part of its changes
  auto retry_after = [&](const Status& error) {
    auto delay = backoff.Next();
    log->warn("{}; retrying in {}", error.ToString(), FormatDuration(delay));
    SleepFor(delay, stop);
  };
  while (!stop.stop_requested()) {
    if (guard_stale) {
      auto guard =
          ReplayGuard::Load(log_, {config_.log.topic, config_.log.dlq_topic}, committed_.log_ends, feed_.IdPrefix());
      if (!guard.ok()) {
        if (!guard.status().IsRetryable()) return guard.status().WithContext("capture");
        retry_after(guard.status());
        continue;
      }
      guard_ = std::move(*guard);
      guard_stale = false;
      appended_ = committed_;  // read again from the committed position; the guard skips what is in the log
      uncommitted_ = 0;
    }
    auto captured = RunOnce(stop, config_.capture.poll_interval);
    if (!captured.ok()) {
      if (captured.status().IsCancelled() || stop.stop_requested()) break;
      if (!captured.status().IsRetryable()) return captured.status().WithContext("capture");
      guard_stale = true;
      retry_after(captured.status());
      continue;
    }
    backoff.Reset();
    if (auto backlog = feed_.Backlog(); backlog.ok()) metrics_.backlog.Set(*backlog - uncommitted_);
    FeedLag lag = feed_.Lag();
    metrics_.retained_bytes.Set(lag.bytes);
    metrics_.lag_millis.Set(lag.millis);
    metrics_.lag_alarm.Set(lag.alarm ? 1 : 0);
  }
  // A clean stop leaves nothing for the replay guard to read back.
  if (Status s = CommitAppended(/*wait=*/true); !s.ok()) log->warn("committing the capture position: {}", s.ToString());
  return Status::OK();
}

}  // namespace rtpipe
