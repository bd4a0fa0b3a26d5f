#pragma once
// Lock-free counters, gauges and a latency histogram: what stages publish and the status line,
// benchmarks and (later) /metrics read. All types are thread-safe.

#include <array>
#include <atomic>
#include <bit>
#include <cstdint>

namespace rtpipe {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

/// Histogram of non-negative values (e.g. microseconds) in log-linear buckets: every power of two
/// is split into 16 sub-buckets, so a reported percentile is within ~6% of the true value.
class Histogram {
 public:
  void Record(int64_t value);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  int64_t max() const { return max_.load(std::memory_order_relaxed); }
  /// The value below which `percentile` (0..100) of the recorded values fall; 0 if empty.
  int64_t Percentile(double percentile) const;
  void Reset();

 private:
  static constexpr int kSubBits = 4;
  static constexpr int kSubBuckets = 1 << kSubBits;
  static constexpr int kBuckets = (64 - kSubBits + 1) * kSubBuckets;
  static int BucketOf(uint64_t v);
  static int64_t UpperBoundOf(int bucket);

  std::array<std::atomic<uint64_t>, kBuckets> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<int64_t> max_{0};
};

}  // namespace rtpipe
