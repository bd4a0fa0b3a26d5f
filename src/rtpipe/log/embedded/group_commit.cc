#include "rtpipe/log/embedded/group_commit.h"

#include <algorithm>

namespace rtpipe::embedded {

Status GroupCommit::WaitDurable(int64_t target, const WrittenFn& written, const SyncFn& sync) {
  std::unique_lock lock(mu_);
  while (true) {
    if (!failure_.ok()) return failure_;
    if (durable_ >= target) return Status::OK();
    bool covered = in_flight_ > 0 && covering_ >= target;
    if (covered || in_flight_ >= kMaxSyncsInFlight) {
      cv_.wait(lock);
      continue;
    }
    ++in_flight_;
    ++rounds_;
    lock.unlock();
    // Read after this waiter's write, before the sync begins: the sync covers at least this much.
    int64_t covers = written();
    lock.lock();
    covering_ = std::max(covering_, covers);
    lock.unlock();
    Result<int64_t> synced = sync();
    lock.lock();
    --in_flight_;
    if (in_flight_ == 0) covering_ = -1;
    if (synced.ok()) {
      durable_ = std::max(durable_, *synced);
    } else if (failure_.ok()) {
      failure_ = synced.status();
    }
    cv_.notify_all();
  }
}

void GroupCommit::MarkDurable(int64_t offset) {
  std::lock_guard lock(mu_);
  if (offset > durable_) {
    durable_ = offset;
    cv_.notify_all();
  }
}

void GroupCommit::Fail(const Status& status) {
  std::lock_guard lock(mu_);
  if (failure_.ok()) failure_ = status;
  cv_.notify_all();
}

int64_t GroupCommit::durable() const {
  std::lock_guard lock(mu_);
  return durable_;
}

Status GroupCommit::failure() const {
  std::lock_guard lock(mu_);
  return failure_;
}

uint64_t GroupCommit::rounds() const {
  std::lock_guard lock(mu_);
  return rounds_;
}

}  // namespace rtpipe::embedded
