#pragma once
// Result<T>: a value or the Status that explains why there is none (std::expected is C++23).

#include <type_traits>
#include <utility>
#include <variant>

#include "rtpipe/base/assert.h"
#include "rtpipe/base/status.h"

namespace rtpipe {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::decay_t<T>, Status>, "Result<Status> makes no sense");

 public:
  Result(T value) : state_(std::in_place_index<1>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  /// A value built in place from `args`: no move of a big T.
  template <typename... Args>
  explicit Result(std::in_place_t, Args&&... args) : state_(std::in_place_index<1>, std::forward<Args>(args)...) {}
  Result(Status status) : state_(std::in_place_index<0>, std::move(status)) {  // NOLINT(google-explicit-constructor)
    RTPIPE_ASSERT(!std::get<0>(state_).ok(), "a Result must not be built from an OK status");
  }
  template <typename U>
  requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
           !std::is_same_v<std::decay_t<U>, Status>) Result(U&& value)
      : state_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return state_.index() == 1; }

  const Status& status() const& {
    static const Status kOk;
    return ok() ? kOk : std::get<0>(state_);
  }
  Status status() && { return ok() ? Status::OK() : std::move(std::get<0>(state_)); }

  T& value() & {
    RTPIPE_ASSERT(ok(), "value() of a failed Result: {}", std::get<0>(state_).ToString());
    return std::get<1>(state_);
  }
  const T& value() const& {
    RTPIPE_ASSERT(ok(), "value() of a failed Result: {}", std::get<0>(state_).ToString());
    return std::get<1>(state_);
  }
  T&& value() && {
    RTPIPE_ASSERT(ok(), "value() of a failed Result: {}", std::get<0>(state_).ToString());
    return std::move(std::get<1>(state_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T ValueOr(T fallback) const& { return ok() ? std::get<1>(state_) : std::move(fallback); }

 private:
  std::variant<Status, T> state_;
};

namespace internal {
inline const Status& ToStatus(const Status& s) { return s; }
inline Status ToStatus(Status&& s) { return std::move(s); }
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}
template <typename T>
Status ToStatus(Result<T>&& r) {
  return std::move(r).status();
}
}  // namespace internal

}  // namespace rtpipe

#define RTPIPE_CONCAT_INNER(a, b) a##b
#define RTPIPE_CONCAT(a, b) RTPIPE_CONCAT_INNER(a, b)

/// Returns the failure of a Status- or Result-valued expression from the enclosing function.
#define RTPIPE_RETURN_IF_ERROR(expr)                                                               \
  do {                                                                                             \
    auto&& rtpipe_status_ = (expr);                                                                \
    if (!rtpipe_status_.ok()) [[unlikely]] {                                                       \
      return ::rtpipe::internal::ToStatus(std::forward<decltype(rtpipe_status_)>(rtpipe_status_)); \
    }                                                                                              \
  } while (false)

/// `RTPIPE_ASSIGN_OR_RETURN(auto x, MakeX());` assigns the value or returns the failure.
#define RTPIPE_ASSIGN_OR_RETURN(lhs, expr) \
  RTPIPE_ASSIGN_OR_RETURN_IMPL(RTPIPE_CONCAT(rtpipe_result_, __LINE__), lhs, expr)
#define RTPIPE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) [[unlikely]] {                      \
    return std::move(tmp).status();                  \
  }                                                  \
  lhs = std::move(tmp).value()
