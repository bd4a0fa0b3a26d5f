#pragma once
// Exponential backoff with full jitter, for retrying a remote peer without hammering it.

#include <chrono>
#include <cstdint>
#include <random>

namespace rtpipe {

struct BackoffPolicy {
  std::chrono::milliseconds initial{200};
  std::chrono::milliseconds max{30'000};
  double multiplier = 2.0;
};

/// Not thread-safe: one Backoff per retry loop.
class Backoff {
 public:
  explicit Backoff(BackoffPolicy policy, uint64_t seed = std::random_device{}())
      : policy_(policy), rng_(seed), ceiling_(policy.initial) {}

  /// The next delay: uniform in [ceiling/2, ceiling], the ceiling growing by `multiplier` up to `max`.
  std::chrono::milliseconds Next();
  /// After a success: start again from `initial`.
  void Reset() {
    ceiling_ = policy_.initial;
    attempts_ = 0;
  }
  int attempts() const { return attempts_; }

 private:
  BackoffPolicy policy_;
  std::mt19937_64 rng_;
  std::chrono::milliseconds ceiling_;
  int attempts_ = 0;
};

}  // namespace rtpipe
