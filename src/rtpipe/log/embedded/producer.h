#pragma once
// The embedded log's Producer: encodes records into RecordBatch v2 batches on the caller's thread,
// appends them under the partition lock, then waits for the group commit (fsync=always).

#include <atomic>
#include <memory>
#include <span>
#include <string>

#include "rtpipe/log/embedded/log_core.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

/// Records per batch are bounded by size: a batch holds about this many (uncompressed) bytes.
inline constexpr size_t kTargetBatchBytes = size_t{1} << 20;

/// Encodes `records` into batches of about kTargetBatchBytes, back to back, into `out`.
Status EncodeRecords(std::span<const Record* const> records, Codec codec, int64_t now_ms, std::string* out);

/// Thread-safe.
class EmbeddedProducer final : public Producer {
 public:
  explicit EmbeddedProducer(std::shared_ptr<LogCore> core) : core_(std::move(core)) {}

  Result<Offset> Append(const std::string& topic, PartitionId partition, std::span<const Record> records) override;
  Status Send(const std::string& topic, std::span<const Record> records) override;
  Result<std::vector<Offset>> AppendEach(std::span<const PartitionBatch> batches) override;

 private:
  struct PartitionWrite {
    Partition* partition;
    std::vector<const Record*> records;
  };
  /// Writes each partition's records, starts their writeback together, then waits for each: the
  /// disk works on all partitions at once instead of one fdatasync after the other. Returns the
  /// offset of each one's first record (for no records, the partition's end).
  Result<std::vector<Offset>> WriteAll(std::span<const PartitionWrite> writes);

  std::shared_ptr<LogCore> core_;
  std::atomic<uint32_t> next_sticky_{0};  // null-key records: one partition per Send, round robin
};

}  // namespace rtpipe::embedded
