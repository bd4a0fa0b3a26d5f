#pragma once
// RTPIPE_ASSERT: a broken invariant is a bug, never an error. It aborts with a message.
// It must never be reachable from user input or from bytes read off disk or the network.

#include <fmt/format.h>

#include <string>

namespace rtpipe {
[[noreturn]] void AssertFail(const char* condition, const char* file, int line, const std::string& message);
}  // namespace rtpipe

// Usage: RTPIPE_ASSERT(offset >= 0); RTPIPE_ASSERT(n < cap, "n={} cap={}", n, cap);
#define RTPIPE_ASSERT(condition, ...)                                                      \
  do {                                                                                     \
    if (!(condition)) [[unlikely]] {                                                       \
      ::rtpipe::AssertFail(#condition, __FILE__, __LINE__, ::fmt::format("" __VA_ARGS__)); \
    }                                                                                      \
  } while (false)
