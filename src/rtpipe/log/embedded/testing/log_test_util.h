#pragma once
// Helpers shared by the embedded log's tests.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rtpipe/base/logging.h"
#include "rtpipe/log/embedded/embedded_log.h"
#include "rtpipe/log/embedded/testing/fault_injection_fs.h"

namespace rtpipe {
// How GoogleTest prints an Offset or a PartitionId in a failed expectation.
template <typename Tag, typename Rep>
void PrintTo(const StrongId<Tag, Rep>& id, std::ostream* os) {
  *os << id.value();
}
}  // namespace rtpipe

namespace rtpipe::testing {

inline constexpr char kMemRoot[] = "/log";

/// A config for tests: tiny segments so that rolls happen often.
inline LogConfig TestConfig(int64_t segment_bytes = 4096) {
  LogConfig config;
  config.url = std::string("file:") + kMemRoot;
  config.segment_bytes = segment_bytes;
  config.retention = std::chrono::milliseconds(-1);
  return config;
}

inline embedded::EmbeddedLogOptions MemOptions(FileSystem* fs, const Clock* clock = &Clock::System()) {
  embedded::EmbeddedLogOptions o;
  o.fs = fs;
  o.clock = clock;
  o.background_maintenance = false;
  return o;
}

/// Records "<prefix><i>" for i in [from, from + count), keys "k<i>" when `keyed`.
inline std::vector<Record> Numbered(const std::string& prefix, int from, int count, bool keyed = false,
                                    size_t pad = 0) {
  std::vector<Record> out;
  for (int i = from; i < from + count; ++i) {
    Record r;
    if (keyed) r.key = "k" + std::to_string(i);
    r.value = prefix + std::to_string(i) + std::string(pad, '.');
    r.timestamp = TimestampFromMillis(1'700'000'000'000 + i);
    out.push_back(std::move(r));
  }
  return out;
}

/// Everything visible in the given partitions from their start, in offset order per partition.
inline Result<std::vector<ConsumedRecord>> ReadAll(Log& log, const std::string& topic, int partitions,
                                                   size_t max_per_poll = 1000) {
  RTPIPE_ASSIGN_OR_RETURN(auto consumer, log.NewConsumer());
  std::map<TopicPartition, Offset> positions;
  for (int p = 0; p < partitions; ++p) positions[{topic, PartitionId(p)}] = Offset(0);
  RTPIPE_RETURN_IF_ERROR(consumer->Assign(positions));
  std::vector<ConsumedRecord> all;
  while (true) {
    RTPIPE_ASSIGN_OR_RETURN(auto got, consumer->Poll(max_per_poll, std::chrono::milliseconds(0), {}));
    if (got.empty()) break;
    for (auto& r : got) all.push_back(std::move(r));
  }
  return all;
}

inline std::vector<std::string> Values(const std::vector<ConsumedRecord>& records) {
  std::vector<std::string> out;
  for (const auto& r : records) out.push_back(r.value.value_or("<null>"));
  return out;
}

/// Silences the log's warnings during crash tests (they are expected there).
class QuietLogs {
 public:
  QuietLogs() { InitLogging(spdlog::level::off); }
  ~QuietLogs() { InitLogging(spdlog::level::warn); }
};

}  // namespace rtpipe::testing
