// The window operator alone: records/s per core through WindowAggregator::Add (every shipped
// aggregate, tumbling 1-minute windows, 4 partitions, event time advancing like the generator's
// clock at 5000 users/s), with TakeUpdates after each batch of 5000 as the processor does.
//
// Baseline in the same run: the same loop with aggregation replaced by a hash of the dimension
// values (the floor of touching the fields at all).

#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "rtpipe/base/hash.h"
#include "rtpipe/model/nationality.h"
#include "rtpipe/process/window_aggregator.h"
#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe {
namespace {

constexpr size_t kRows = 200'000;
constexpr size_t kBatch = 5000;

std::vector<CreatedUser> MakeRows() {
  std::mt19937_64 rng(42);
  auto nats = AllNationalities();
  std::vector<CreatedUser> rows(kRows);
  for (size_t i = 0; i < kRows; ++i) {
    const auto& nat = nats[rng() % nats.size()];
    CreatedUser& u = rows[i];
    u.country = std::string(nat.country);
    u.nat = std::string(nat.code);
    u.gender = rng() % 2 ? "female" : "male";
    u.age = 20 + static_cast<int>(rng() % 60);
    u.age_band = "25-34";
    u.email_domain = "example.com";
    u.event_time = TimestampFromMillis(1'767'225'600'000 + static_cast<int64_t>(i / 5));  // 5000 users/s
  }
  return rows;
}

void BM_WindowAggregatorAdd(benchmark::State& state) {
  static const std::vector<CreatedUser> rows = MakeRows();
  WindowConfig config;
  for (auto _ : state) {
    WindowAggregator agg(AggregateDefinitions(config), config);
    MonoTime now{};
    for (int p = 0; p < 4; ++p) agg.SetCaughtUp(PartitionId(p), false, now);
    size_t updates = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      benchmark::DoNotOptimize(agg.Add(PartitionId(static_cast<int32_t>(i % 4)), rows[i]));
      if ((i + 1) % kBatch == 0) updates += agg.TakeUpdates().size();
    }
    benchmark::DoNotOptimize(updates);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows.size()));
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_WindowAggregatorAdd)->Unit(benchmark::kMillisecond);

void BM_BaselineHashDimensions(benchmark::State& state) {
  static const std::vector<CreatedUser> rows = MakeRows();
  for (auto _ : state) {
    uint64_t h = 0;
    for (const auto& r : rows) h ^= Fnv1a64(r.country) ^ Fnv1a64(r.gender) ^ Fnv1a64(r.nat) ^ Fnv1a64(r.email_domain);
    benchmark::DoNotOptimize(h);
  }
  state.counters["records/s"] =
      benchmark::Counter(static_cast<double>(state.iterations() * rows.size()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BaselineHashDimensions)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace rtpipe

BENCHMARK_MAIN();
