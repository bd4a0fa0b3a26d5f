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

Result<std::vector<Offset>> EmbeddedProducer::WriteAll(std::span<const PartitionWrite> writes) {
  if (!core_->writable()) return Status::FailedPrecondition("the log is open read-only: cannot append");
  int64_t now_ms = ToMillis(core_->clock().Now());
  Codec codec = CodecFor(core_->config().compression);
  // Readers of this process wake up once every partition is durable, and read them all at once
  // (capture's round: the processor writes it to the store in one transaction, not one per part).
  LogCore::HeldWakeUps held(*core_);
  std::vector<Offset> firsts;
  std::vector<std::pair<Partition*, int64_t>> pending;  // partition, offset it must be durable to
  for (const PartitionWrite& w : writes) {
    if (w.records.empty()) {
      RTPIPE_ASSIGN_OR_RETURN(int64_t end, w.partition->EndOffset());
      firsts.emplace_back(end);
      continue;
    }
    std::string& encoded = EncodeBuffer();
    RTPIPE_RETURN_IF_ERROR(EncodeRecords(w.records, codec, now_ms, &encoded));
    RTPIPE_ASSIGN_OR_RETURN(auto range, w.partition->Write(&encoded));
    firsts.emplace_back(range.first);
    pending.emplace_back(w.partition, range.second);
  }
  if (pending.size() > 1 && core_->config().fsync == FsyncPolicy::kAlways) {
    for (auto& [partition, next] : pending) partition->StartWriteback();
  }
  Status first_error;
  for (auto& [partition, next] : pending) {
    Status s = partition->WaitDurable(next);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  if (!first_error.ok()) return first_error;
  return firsts;
}

Result<Offset> EmbeddedProducer::Append(const std::string& topic, PartitionId partition,
                                        std::span<const Record> records) {
  PartitionBatch batch{{topic, partition}, records};
  RTPIPE_ASSIGN_OR_RETURN(auto firsts, AppendEach({&batch, 1}));
  return firsts.front();
}

Result<std::vector<Offset>> EmbeddedProducer::AppendEach(std::span<const PartitionBatch> batches) {
  std::vector<PartitionRef> refs;  // keep the topics alive
  std::vector<PartitionWrite> writes;
  for (const PartitionBatch& b : batches) {
    RTPIPE_ASSIGN_OR_RETURN(PartitionRef p, core_->GetPartition(b.partition));
    PartitionWrite& w = writes.emplace_back(PartitionWrite{p.partition, {}});
    w.records.reserve(b.records.size());
    for (const Record& r : b.records) w.records.push_back(&r);
    refs.push_back(std::move(p));
  }
  return WriteAll(writes);
}

Status EmbeddedProducer::Send(const std::string& topic, std::span<const Record> records) {
  RTPIPE_ASSIGN_OR_RETURN(auto t, core_->GetTopic(topic));
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
  std::vector<PartitionWrite> writes;
  for (size_t p = 0; p < count; ++p) {
    if (!by_partition[p].empty()) writes.push_back({t->partitions[p].get(), std::move(by_partition[p])});
  }
  return WriteAll(writes).status();
}

}  // namespace rtpipe::embedded
