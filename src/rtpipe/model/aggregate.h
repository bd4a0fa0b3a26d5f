#pragma once
// Windowed aggregates: the shipped aggregate tables and their rows.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "rtpipe/base/time.h"

namespace rtpipe {

/// One aggregate: a table of users counted per event-time window and dimension values.
struct AggregateDefinition {
  std::string table;                    // "users_by_country_gender"
  std::vector<std::string> dimensions;  // created_users columns: country, gender, nat, age_band, email_domain
  std::chrono::milliseconds size{60'000};
  std::chrono::milliseconds slide{60'000};  // == size: tumbling
  bool age_stats = false;                   // also avg_age, min_age, max_age
};

/// The full value of one window of one aggregate over the records of one log partition (never an
/// increment: upserting it twice is harmless). The store adds up the partitions' values.
struct AggregateRow {
  size_t definition = 0;  // index in the definitions list
  int32_t partition = 0;  // the log partition whose records this counts
  Timestamp window_start{};
  Timestamp window_end{};
  std::vector<std::string> dimensions;  // values, in the definition's order
  int64_t users = 0;
  int64_t sum_age = 0;
  int min_age = 0;
  int max_age = 0;
  bool final = false;  // the window has closed (the watermark passed its end)

  double AverageAge() const { return users > 0 ? static_cast<double>(sum_age) / static_cast<double>(users) : 0.0; }
  friend bool operator==(const AggregateRow&, const AggregateRow&) = default;
};

}  // namespace rtpipe
