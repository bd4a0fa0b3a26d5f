#pragma once
// BoundedQueue: the hand-off between two pipeline stages. A full queue blocks the producer
// (backpressure), so memory stays bounded whatever the speed of the consumer.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <stop_token>
#include <vector>

namespace rtpipe {

/// Thread-safe; any number of producers and consumers.
template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  /// Blocks while the queue is full. Returns false (and drops `item`) if stopped or closed.
  bool Push(T item, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!not_full_.wait(lock, stop, [&] { return closed_ || items_.size() < capacity_; })) return false;
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  /// Blocks until an item arrives; nullopt once stopped, or closed and drained.
  std::optional<T> Pop(std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait(lock, stop, [&] { return closed_ || !items_.empty(); })) return std::nullopt;
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  /// Like Pop, but gives up after `timeout` (nullopt).
  template <typename Rep, typename Period>
  std::optional<T> PopFor(std::chrono::duration<Rep, Period> timeout, std::stop_token stop) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, stop, timeout, [&] { return closed_ || !items_.empty(); })) return std::nullopt;
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  /// Takes whatever is queued right now without waiting (empty when nothing is).
  std::vector<T> TakeAvailable(size_t max_items) {
    std::lock_guard lock(mutex_);
    std::vector<T> taken;
    while (!items_.empty() && taken.size() < max_items) {
      taken.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    if (!taken.empty()) not_full_.notify_all();
    return taken;
  }

  /// No more pushes; consumers drain what is left and then get nullopt.
  void Close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
    not_full_.notify_all();
  }

  size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;  // guards items_ and closed_
  std::condition_variable_any not_empty_;
  std::condition_variable_any not_full_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace rtpipe
