#pragma once
// Group commit for one partition: appenders write their batches, then wait here until their last
// offset is durable. A waiter whose bytes no running sync covers starts one (fdatasync of the
// active segment), which covers every byte written before it began; the others sleep until a sync
// that covers them ends. Up to kMaxSyncsInFlight syncs run at once: an append that arrives while a
// sync runs starts the next one at once instead of waiting for the running one to end first, so
// that its latency is about one fdatasync, not up to two (fdatasync waits for all of the file's
// data written before the call, so a later sync that ends first covers the earlier one's bytes too).
// A sync failure poisons the partition: every later wait fails (the page cache state is unknown
// after a failed fsync, so nothing may be acknowledged until the log is reopened and recovered).

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "rtpipe/base/result.h"

namespace rtpipe::embedded {

class GroupCommit {
 public:
  static constexpr int kMaxSyncsInFlight = 2;

  /// Syncs everything written so far; returns the offset after the last byte now durable.
  using SyncFn = std::function<Result<int64_t>()>;
  /// The offset after the last byte written so far (what a sync starting now covers at least).
  using WrittenFn = std::function<int64_t()>;

  explicit GroupCommit(int64_t durable) : durable_(durable) {}

  /// Returns once every offset below `target` is durable (or the partition failed).
  Status WaitDurable(int64_t target, const WrittenFn& written, const SyncFn& sync);
  /// Records that offsets below `offset` are durable (a roll synced the old segment).
  void MarkDurable(int64_t offset);
  /// Fails every current and future wait with `status`.
  void Fail(const Status& status);

  int64_t durable() const;
  Status failure() const;
  uint64_t rounds() const;  // syncs run (for tests and the benchmark)

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t durable_;        // guarded by mu_
  int in_flight_ = 0;      // guarded by mu_: syncs running
  int64_t covering_ = -1;  // guarded by mu_: what the latest running sync covers at least
  Status failure_;         // guarded by mu_
  uint64_t rounds_ = 0;    // guarded by mu_
};

}  // namespace rtpipe::embedded
