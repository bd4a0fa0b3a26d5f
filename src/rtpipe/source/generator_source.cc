#include "rtpipe/source/generator_source.h"

#include <algorithm>

namespace rtpipe {

GeneratorSource::GeneratorSource(const SourceConfig& config, const Clock& clock)
    : config_(config), clock_(clock), generator_(config.bad_rate) {
  GeneratorRequest parsed = RequestFromQuery([&](std::string_view name) -> std::optional<std::string> {
    if (name == "nat" && !config.nat.empty()) return config.nat;
    return std::nullopt;
  });
  nats_ = std::move(parsed.nats);
}

Result<SourceBatch> GeneratorSource::Fetch(const SourcePosition& position, int max_users, std::stop_token stop) {
  if (stop.stop_requested()) return Status::Cancelled("source stopped");
  if (max_users < 1) return Status::InvalidArgument("Fetch: max_users must be at least 1, got {}", max_users);
  const int results = std::clamp(config_.results, 1, 5000);
  metrics_.requests.Add();

  GeneratorRequest request;
  request.results = results;
  request.nats = nats_;
  SourceBatch batch;
  int first = 0;
  int count = 0;
  if (position.seed.empty()) {
    request.seed = Generator::RandomSeed();
    count = std::min(max_users, results);
    batch.position = {request.seed, 1, 0};
    batch.next = {"", 1, 0};
    batch.first_event_time = clock_.Now();
  } else {
    SourcePosition at = Normalize(position, results);
    request.seed = at.seed;
    request.page = at.page;
    first = at.skip;
    count = std::min(max_users, results - at.skip);
    batch.position = at;
    batch.next = Advance(at, count, results);
    // The seed's own clock: page p starts at the epoch + (p-1) * interval.
    const int64_t interval_us = std::chrono::duration_cast<std::chrono::microseconds>(config_.interval).count();
    const int64_t step_us = interval_us / results;
    const int64_t exact_us = ToMillis(GeneratorEpoch()) * 1000 + (at.page - 1) * interval_us + at.skip * step_us;
    const int64_t whole_ms = exact_us / 1000;
    batch.first_event_time = TimestampFromMillis(whole_ms);
    batch.event_time_phase = std::chrono::microseconds(exact_us - whole_ms * 1000);
    batch.event_time_step = std::chrono::microseconds(step_us);
  }

  std::vector<GeneratedRecord> texts = generator_.Records(request, first, count);
  batch.records.reserve(texts.size());
  uint64_t bytes = 0;
  for (auto& text : texts) {
    bytes += text.text.size();
    batch.records.push_back({std::move(text.text)});
  }
  metrics_.bytes.Add(bytes);
  metrics_.records.Add(batch.records.size());
  return batch;
}

}  // namespace rtpipe
