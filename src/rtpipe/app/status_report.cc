#include "rtpipe/app/status_report.h"

#include <fmt/format.h>

#include "rtpipe/base/logging.h"
#include "rtpipe/log/replay_guard.h"

namespace rtpipe {

std::string HumanCount(double value) {
  if (value < 1000) return fmt::format("{:.0f}", value);
  if (value < 1e6) return fmt::format("{:.1f}k", value / 1e3);
  if (value < 1e9) return fmt::format("{:.2f}M", value / 1e6);
  return fmt::format("{:.2f}G", value / 1e9);
}

StatusReport::StatusReport(const Config& config, Log* log, const IngestMetrics* ingest, const CaptureMetrics* capture,
                           const ProcessMetrics* process, const ProcessService* process_service)
    : config_(config),
      log_(log),
      ingest_(ingest),
      capture_(capture),
      process_(process),
      process_service_(process_service) {}

std::string StatusReport::Compose(double seconds) {
  auto rate = [&](uint64_t now, uint64_t& last) {
    double r = seconds > 0 ? static_cast<double>(now - last) / seconds : 0;
    last = now;
    return HumanCount(r) + "/s";
  };
  std::vector<std::string> parts;
  if (ingest_ != nullptr) {
    std::string part = fmt::format("ingest {} total {}", rate(ingest_->fetched.value(), last_fetched_),
                                   HumanCount(static_cast<double>(ingest_->total.value())));
    if (ingest_->rejected.value() > 0) part += fmt::format(" rejected {}", ingest_->rejected.value());
    if (ingest_->paused.value() != 0) part += " (waiting for capture)";
    parts.push_back(std::move(part));
  }
  if (capture_ != nullptr) {
    std::string part = fmt::format("capture {} backlog {}", rate(capture_->captured.value(), last_captured_),
                                   HumanCount(static_cast<double>(capture_->backlog.value())));
    // PostgreSQL: the WAL the replication slot retains, and how long landed changes have waited.
    if (capture_->retained_bytes.value() > 0) {
      part += fmt::format(" slot {:.1f} MiB", static_cast<double>(capture_->retained_bytes.value()) / (1 << 20));
      if (capture_->lag_millis.value() > 0) {
        part += " " + FormatDuration(std::chrono::milliseconds(capture_->lag_millis.value())) + " behind";
      }
    }
    if (capture_->lag_alarm.value() != 0) part += " SLOT LAG ALARM";
    parts.push_back(std::move(part));
  }
  if (process_ != nullptr) {
    std::string lag = "?";
    if (log_ != nullptr && process_service_ != nullptr) {
      if (auto ends = CurrentLogEnds(*log_, {config_.log.topic}); ends.ok()) {
        auto committed = process_service_->CommittedOffsets();
        int64_t total_lag = 0;
        for (const auto& [tp, end] : *ends) {
          auto it = committed.find(tp);
          total_lag += end - (it != committed.end() ? it->second : Offset(0));
        }
        lag = HumanCount(static_cast<double>(total_lag));
      }
    }
    parts.push_back(fmt::format("process {} lag {}", rate(process_->committed.value(), last_committed_), lag));
    std::string store =
        fmt::format("store {} rows, {} dead letters", HumanCount(static_cast<double>(process_->stored.value())),
                    HumanCount(static_cast<double>(process_->dead_letters.value())));
    if (process_->latency_us.count() > 0) {
      store += fmt::format(", latency p50 {} p99 {}",
                           FormatDuration(std::chrono::microseconds(process_->latency_us.Percentile(50))),
                           FormatDuration(std::chrono::microseconds(process_->latency_us.Percentile(99))));
    }
    parts.push_back(std::move(store));
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " | ") + p;
  return out;
}

void StatusReport::Update() {
  MonoTime now = Clock::System().Monotonic();
  double seconds = std::chrono::duration<double>(now - last_).count();
  last_ = now;
  line_ = Compose(seconds);
  if (StatusLine::IsTerminal() || now - last_printed_ >= std::chrono::seconds(10)) {
    StatusLine::Set(line_);
    last_printed_ = now;
  }
}

}  // namespace rtpipe
