#pragma once
// Hints that memory is about to be read, for loops that visit objects out of their order in memory
// (made by another thread, so not in this core's cache either): without them, each object read in
// its turn waits on memory.

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// Asks the CPU to bring the cache lines of [data, data + size) in, without waiting for them.
inline void PrefetchBytes(const void* data, size_t size) {
  constexpr uintptr_t kLine = 64;
  const auto begin = reinterpret_cast<uintptr_t>(data) & ~(kLine - 1);
  const auto end = reinterpret_cast<uintptr_t>(data) + size;
  for (uintptr_t line = begin; line < end; line += kLine) __builtin_prefetch(reinterpret_cast<const void*>(line));
}

/// Calls visit(i) for each index i of `order`, in that order, until one fails. Each item's own
/// bytes are fetched 8 places ahead, and what `prefetch_pointees(item)` fetches (what the item
/// points to, which needs the item first) 4 places ahead.
template <typename T, typename PrefetchPointees, typename Visit>
Status VisitInOrder(std::span<const T> items, std::span<const uint32_t> order, PrefetchPointees prefetch_pointees,
                    Visit visit) {
  constexpr size_t kAhead = 4;
  for (size_t j = 0; j < order.size(); ++j) {
    if (j + 2 * kAhead < order.size()) PrefetchBytes(&items[order[j + 2 * kAhead]], sizeof(T));
    if (j + kAhead < order.size()) prefetch_pointees(items[order[j + kAhead]]);
    RTPIPE_RETURN_IF_ERROR(visit(order[j]));
  }
  return Status::OK();
}

}  // namespace rtpipe
