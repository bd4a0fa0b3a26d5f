#pragma once
// Status: the outcome of a fallible operation. Failures are values, not exceptions.

#include <fmt/format.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

namespace rtpipe {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad config value, bad record, bad flag)
  kNotFound,            // a named thing does not exist (topic, file, key)
  kAlreadyExists,       // a named thing exists already
  kFailedPrecondition,  // the system is not in a state where the call can run (e.g. wal_level)
  kCorruption,          // stored bytes fail validation (CRC mismatch, torn batch)
  kIoError,             // the operating system refused an IO call
  kUnavailable,         // a remote peer cannot be reached now; retrying may help
  kTimeout,             // a deadline passed; retrying may help
  kResourceExhausted,   // a limit was hit (queue full, disk full, rate limited)
  kCancelled,           // the operation was stopped on request (shutdown)
  kPermissionDenied,    // credentials or privileges are missing
  kInternal,            // an invariant of a peer or library broke
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return {}; }

#define RTPIPE_STATUS_FACTORY(Name)                                                 \
  template <typename... Args>                                                       \
  static Status Name(fmt::format_string<Args...> format, Args&&... args) {          \
    return {StatusCode::k##Name, fmt::format(format, std::forward<Args>(args)...)}; \
  }
  RTPIPE_STATUS_FACTORY(InvalidArgument)
  RTPIPE_STATUS_FACTORY(NotFound)
  RTPIPE_STATUS_FACTORY(AlreadyExists)
  RTPIPE_STATUS_FACTORY(FailedPrecondition)
  RTPIPE_STATUS_FACTORY(Corruption)
  RTPIPE_STATUS_FACTORY(IoError)
  RTPIPE_STATUS_FACTORY(Unavailable)
  RTPIPE_STATUS_FACTORY(Timeout)
  RTPIPE_STATUS_FACTORY(ResourceExhausted)
  RTPIPE_STATUS_FACTORY(Cancelled)
  RTPIPE_STATUS_FACTORY(PermissionDenied)
  RTPIPE_STATUS_FACTORY(Internal)
#undef RTPIPE_STATUS_FACTORY

  /// An IoError for a failed system call, with strerror(errnum) appended.
  static Status FromErrno(int errnum, std::string_view what);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  /// True for failures that may pass when retried later (unavailable, timeout, rate limited).
  bool IsRetryable() const {
    return code_ == StatusCode::kUnavailable || code_ == StatusCode::kTimeout ||
           code_ == StatusCode::kResourceExhausted;
  }
  bool IsCancelled() const { return code_ == StatusCode::kCancelled; }

  /// Prefixes the message with what was being done: "opening segment 42: No such file".
  Status WithContext(std::string_view context) const;

  /// "Corruption: CRC mismatch in batch at 4096" (or "OK").
  std::string ToString() const;

  friend bool operator==(const Status& a, const Status& b) { return a.code_ == b.code_ && a.message_ == b.message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace rtpipe

template <>
struct fmt::formatter<rtpipe::Status> : fmt::formatter<std::string_view> {
  auto format(const rtpipe::Status& s, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.ToString(), ctx);
  }
};
