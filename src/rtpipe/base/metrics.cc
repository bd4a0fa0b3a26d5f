#include "rtpipe/base/metrics.h"

#include <algorithm>
#include <cmath>

namespace rtpipe {

int Histogram::BucketOf(uint64_t v) {
  if (v < kSubBuckets) return static_cast<int>(v);
  int msb = 63 - std::countl_zero(v);  // >= kSubBits
  int shift = msb - kSubBits;          // keep kSubBits bits below the msb
  int sub = static_cast<int>((v >> shift) & (kSubBuckets - 1));
  return (shift + 1) * kSubBuckets + sub;
}

int64_t Histogram::UpperBoundOf(int bucket) {
  if (bucket < kSubBuckets) return bucket;
  int shift = bucket / kSubBuckets - 1;
  uint64_t sub = static_cast<uint64_t>(bucket % kSubBuckets);
  uint64_t low = (uint64_t{kSubBuckets} | sub) << shift;
  return static_cast<int64_t>(low + ((uint64_t{1} << shift) - 1));
}

void Histogram::Record(int64_t value) {
  uint64_t v = value < 0 ? 0 : static_cast<uint64_t>(value);
  buckets_[static_cast<size_t>(BucketOf(v))].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  int64_t prev = max_.load(std::memory_order_relaxed);
  while (static_cast<int64_t>(v) > prev && !max_.compare_exchange_weak(prev, static_cast<int64_t>(v))) {
  }
}

int64_t Histogram::Percentile(double percentile) const {
  uint64_t total = count();
  if (total == 0) return 0;
  auto rank = static_cast<uint64_t>(std::ceil(std::clamp(percentile, 0.0, 100.0) / 100.0 * static_cast<double>(total)));
  rank = std::max<uint64_t>(rank, 1);
  uint64_t seen = 0;
  for (int b = 0; b < kBuckets; ++b) {
    seen += buckets_[static_cast<size_t>(b)].load(std::memory_order_relaxed);
    if (seen >= rank) return std::min(UpperBoundOf(b), max());
  }
  return max();
}

void Histogram::Reset() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0);
  max_.store(0);
}

}  // namespace rtpipe
