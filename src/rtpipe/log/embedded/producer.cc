#include "rtpipe/log/embedded/producer.h"

#include <vector>

namespace rtpipe::embedded {

Status EncodeRecords(std::span<const Record* const> records, Codec codec, int64_t now_ms, std::string* out) {
  std::string scratch;
  size_t first = 0;
  size_t bytes = 0;
  constexpr size_t kLimit = kMaxBatchSize - kBatchHeaderSize - 64;
  for (size_t i = 0; i < records.size(); ++i) {
    size_t size = EncodedRecordSize(*records[i], 0, static_cast<int32_t>(i - first));
    if (size > kLimit) {
      return Status::InvalidArgument("a record of {} bytes is larger than the log accepts ({} bytes)", size, kLimit);
    }
    if (i > first && bytes + size > kTargetBatchBytes) {
      RTPIPE_RETURN_IF_ERROR(EncodeBatch(records.subspan(first, i - first), codec, now_ms, out, &scratch));
      first = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (first < records.size()) {
    RTPIPE_RETURN_IF_ERROR(EncodeBatch(records.subspan(first), codec, now_ms, out, &scratch));
  }
  return Status::OK();
}

namespace {

// The encoded batches of one call, in a buffer each thread keeps: a call encodes megabytes, and
// memory allocated afresh each time costs a page fault per 4 KiB once the allocator has given the
// last call's back to the kernel.
std::string& EncodeBuffer() {
  thread_local std::string buffer;
  buffer.clear();
  return buffer;
}

}  // namespace

Result<Offset> EmbeddedProducer::Append(const std::string& topic, PartitionId partition,
                                        std::span<const Record> records) {
  RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition({topic, partition}));
  if (!core_->writable()) return Status::FailedPrecondition("the log is open read-only: cannot append");
  if (records.empty()) {
    RTPIPE_ASSIGN_OR_RETURN(int64_t end, p->EndOffset());
    return Offset(end);
  }
  std::vector<const Record*> pointers;
  pointers.reserve(records.size());
  for (const auto& r : records) pointers.push_back(&r);
  std::string& encoded = EncodeBuffer();
  RTPIPE_RETURN_IF_ERROR(
      EncodeRecords(pointers, CodecFor(core_->config().compression), ToMillis(core_->clock().Now()), &encoded));
  RTPIPE_ASSIGN_OR_RETURN(auto range, p->Write(&encoded));
  RTPIPE_RETURN_IF_ERROR(p->WaitDurable(range.second));
  return Offset(range.first);
}

Status EmbeddedProducer::Send(const std::string& topic, std::span<const Record> records) {
  RTPIPE_ASSIGN_OR_RETURN(auto t, core_->GetTopic(topic));
  if (!core_->writable()) return Status::FailedPrecondition("the log is open read-only: cannot append");
  if (records.empty()) return Status::OK();
  size_t count = t->partitions.size();
  std::vector<std::vector<const Record*>> by_partition(count);
  size_t sticky = count;  // chosen on the first null key of this call
  for (const auto& r : records) {
    size_t p = 0;
    if (r.key) {
      p = static_cast<size_t>(PartitionFor(*r.key, static_cast<int>(count)).value());
    } else {
      if (sticky == count) sticky = next_sticky_.fetch_add(1) % count;
      p = sticky;
    }
    by_partition[p].push_back(&r);
  }
  // Write every partition first, start their writeback together, then wait for each: the disk
  // works on all partitions at once instead of one fdatasync after the other.
  int64_t now_ms = ToMillis(core_->clock().Now());
  Codec codec = CodecFor(core_->config().compression);
  std::vector<std::pair<Partition*, int64_t>> pending;
  for (size_t p = 0; p < count; ++p) {
    if (by_partition[p].empty()) continue;
    std::string& encoded = EncodeBuffer();
    RTPIPE_RETURN_IF_ERROR(EncodeRecords(by_partition[p], codec, now_ms, &encoded));
    Partition* partition = t->partitions[p].get();
    RTPIPE_ASSIGN_OR_RETURN(auto range, partition->Write(&encoded));
    pending.emplace_back(partition, range.second);
  }
  if (pending.size() > 1 && core_->config().fsync == FsyncPolicy::kAlways) {
    for (auto& [partition, next] : pending) partition->StartWriteback();
  }
  Status first_error;
  for (auto& [partition, next] : pending) {
    Status s = partition->WaitDurable(next);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  return first_error;
}

}  // namespace rtpipe::embedded
