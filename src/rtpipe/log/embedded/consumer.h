#pragma once
// The embedded log's Consumer. In the writer process it long-polls on the log's data notifier
// (woken by appends); in a read-only process it probes the files every kProbeInterval.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "rtpipe/log/embedded/log_core.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

/// How often a read-only consumer looks for data written by the writer process.
inline constexpr std::chrono::milliseconds kProbeInterval{5};

/// Not thread-safe (Consumer's contract).
class EmbeddedConsumer final : public Consumer {
 public:
  explicit EmbeddedConsumer(std::shared_ptr<LogCore> core) : core_(std::move(core)) {}

  Status Assign(const std::map<TopicPartition, Offset>& positions) override;
  std::map<TopicPartition, Offset> Positions() const override;
  Result<std::vector<ConsumedRecord>> Poll(size_t max_records, std::chrono::milliseconds timeout,
                                           std::stop_token stop) override;

 private:
  struct Assigned {
    TopicPartition tp;
    PartitionRef partition;
    ReadCursor cursor;
  };
  /// Appends what is there now (up to `max_records`) to `out`; never waits.
  Status ReadAvailable(size_t max_records, std::vector<ConsumedRecord>* out);
  Status ReadPartition(Assigned& a, size_t max_records, std::vector<ConsumedRecord>* out);

  std::shared_ptr<LogCore> core_;
  std::vector<Assigned> assigned_;
  size_t next_ = 0;  // the partition read first by the next poll (fairness)
  std::string buffer_;
  std::string scratch_;
  std::vector<FetchedBatch> batches_;
  std::chrono::steady_clock::time_point last_refresh_{};
};

}  // namespace rtpipe::embedded
