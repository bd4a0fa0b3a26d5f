#pragma once
// StrongId: an identifier with its own type, so an Offset can never be passed as a PartitionId.

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace rtpipe {

template <typename Tag, typename Rep>
class StrongId {
 public:
  using rep = Rep;
  constexpr StrongId() = default;
  constexpr explicit StrongId(Rep value) : value_(value) {}

  constexpr Rep value() const { return value_; }
  constexpr auto operator<=>(const StrongId&) const = default;

  constexpr StrongId next() const { return StrongId(value_ + 1); }
  constexpr StrongId operator+(Rep delta) const { return StrongId(value_ + delta); }
  constexpr StrongId operator-(Rep delta) const { return StrongId(value_ - delta); }
  constexpr Rep operator-(StrongId other) const { return value_ - other.value_; }
  constexpr StrongId& operator++() {
    ++value_;
    return *this;
  }
  constexpr StrongId& operator+=(Rep delta) {
    value_ += delta;
    return *this;
  }

  static constexpr StrongId Min() { return StrongId(std::numeric_limits<Rep>::min()); }
  static constexpr StrongId Max() { return StrongId(std::numeric_limits<Rep>::max()); }

 private:
  Rep value_{};
};

/// Position of a record in a log partition (Kafka's offset).
using Offset = StrongId<struct OffsetTag, int64_t>;
/// Index of a partition within a topic.
using PartitionId = StrongId<struct PartitionIdTag, int32_t>;
/// Identifier of one ingest run (one `rtpipe run` process lifetime), recorded with each landed row.
using RunId = StrongId<struct RunIdTag, int64_t>;

}  // namespace rtpipe

template <typename Tag, typename Rep>
struct std::hash<rtpipe::StrongId<Tag, Rep>> {
  size_t operator()(const rtpipe::StrongId<Tag, Rep>& id) const noexcept { return std::hash<Rep>{}(id.value()); }
};

template <typename Tag, typename Rep>
struct fmt::formatter<rtpipe::StrongId<Tag, Rep>> : fmt::formatter<Rep> {
  auto format(const rtpipe::StrongId<Tag, Rep>& id, format_context& ctx) const {
    return fmt::formatter<Rep>::format(id.value(), ctx);
  }
};
