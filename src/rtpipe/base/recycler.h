#pragma once
// Recycler: objects handed back by the thread that used them, for the thread that fills them to
// reuse. A batch is filled on one thread and consumed on another; freeing it there and allocating
// the next one anew costs page faults whenever the allocator has given the freed memory back to the
// kernel meanwhile (a batch of 5,000 rows is megabytes). A recycled batch keeps its memory instead.

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace rtpipe {

/// Thread-safe. Holds at most `capacity` objects: one handed back beyond that is destroyed, so the
/// memory kept for reuse stays bounded.
template <typename T>
class Recycler {
 public:
  explicit Recycler(size_t capacity) : capacity_(capacity) {}
  Recycler(const Recycler&) = delete;
  Recycler& operator=(const Recycler&) = delete;

  /// Keeps `item` for reuse, unless `capacity` objects are already kept: then it stays with the
  /// caller (false).
  bool Give(T&& item) {
    std::unique_lock lock(mutex_);
    if (items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    return true;
  }

  /// The object given back last, or a new one when none is kept.
  T Take() {
    std::unique_lock lock(mutex_);
    if (items_.empty()) return T{};
    T item = std::move(items_.back());
    items_.pop_back();
    return item;
  }

  size_t size() const {
    std::unique_lock lock(mutex_);
    return items_.size();
  }

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::vector<T> items_;
};

}  // namespace rtpipe
