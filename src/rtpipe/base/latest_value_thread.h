#pragma once
// LatestValueThread: a named thread that runs a job on the latest value handed to it. Values handed
// while the job runs are merged: the next run takes the last of them, so the thread never falls
// behind the threads that hand them (SqliteDb's checkpoints and background WAL syncs).

#include <condition_variable>
#include <functional>
#include <latch>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>

#include "rtpipe/base/thread_name.h"

namespace rtpipe {

template <typename T>
class LatestValueThread {
 public:
  /// Starts the thread, named `name`. `job` runs on it for each value it takes; once a run returns
  /// false, the thread ends.
  LatestValueThread(std::string name, std::function<bool(T)> job)
      : name_(std::move(name)), job_(std::move(job)), thread_([this](std::stop_token stop) { Run(stop); }) {
    named_.wait();  // so the thread shows under its name once the constructor returns
  }
  LatestValueThread(const LatestValueThread&) = delete;
  LatestValueThread& operator=(const LatestValueThread&) = delete;

  /// Hands `value` to the thread, in place of the one it has not taken yet, if any. False once a
  /// run of the job has ended the thread: what that run left is then visible to the caller.
  bool Hand(T value) {
    {
      std::lock_guard lock(mutex_);
      if (ended_) return false;
      pending_ = std::move(value);
    }
    handed_.notify_one();
    return true;
  }

  /// Ends the thread once the run at work, if any, returns; a value not taken yet is dropped.
  void Stop() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run(std::stop_token stop) {
    SetThreadName(name_);
    named_.count_down();
    std::unique_lock lock(mutex_);
    while (handed_.wait(lock, stop, [&] { return pending_.has_value(); })) {
      T value = *std::exchange(pending_, std::nullopt);
      lock.unlock();
      const bool go_on = job_(std::move(value));
      lock.lock();
      if (!go_on) {
        ended_ = true;
        return;
      }
    }
  }

  const std::string name_;
  const std::function<bool(T)> job_;
  std::mutex mutex_;
  std::condition_variable_any handed_;
  std::optional<T> pending_;  // handed and not taken yet
  bool ended_ = false;        // a run returned false
  std::latch named_{1};
  std::jthread thread_;  // last: stopped and joined before the rest goes
};

}  // namespace rtpipe
