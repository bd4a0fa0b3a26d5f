#include "rtpipe/log/embedded/consumer.h"

#include <algorithm>

#include "rtpipe/base/shutdown.h"

namespace rtpipe::embedded {
namespace {

constexpr size_t kFetchBytes = size_t{1} << 20;

}  // namespace

Status EmbeddedConsumer::Assign(const std::map<TopicPartition, Offset>& positions) {
  std::vector<Assigned> assigned;
  for (const auto& [tp, offset] : positions) {
    RTPIPE_ASSIGN_OR_RETURN(PartitionRef ref, core_->GetPartition(tp));
    Assigned a;
    a.tp = tp;
    a.partition = std::move(ref);
    a.cursor.offset = std::max<int64_t>(offset.value(), 0);
    assigned.push_back(std::move(a));
  }
  assigned_ = std::move(assigned);
  next_ = 0;
  return Status::OK();
}

std::map<TopicPartition, Offset> EmbeddedConsumer::Positions() const {
  std::map<TopicPartition, Offset> out;
  for (const auto& a : assigned_) out[a.tp] = Offset(a.cursor.offset);
  return out;
}

Status EmbeddedConsumer::ReadPartition(Assigned& a, size_t max_records, std::vector<ConsumedRecord>* out) {
  size_t taken = 0;
  while (taken < max_records) {
    RTPIPE_RETURN_IF_ERROR(a.partition->Fetch(&a.cursor, kFetchBytes, &buffer_, &batches_));
    if (batches_.empty()) return Status::OK();
    for (const FetchedBatch& b : batches_) {
      const BatchHeader& h = b.header;
      bool stopped_inside = false;
      if (!h.is_control()) {
        Status s = ForEachRecord(b.bytes, h, &scratch_, [&](const RecordView& r) {
          if (r.offset < a.cursor.offset) return Status::OK();
          if (taken == max_records) {
            stopped_inside = true;
            return Status::Cancelled("enough");
          }
          ConsumedRecord& c = out->emplace_back();
          c.topic = a.tp.topic;
          c.partition = a.tp.partition;
          c.offset = Offset(r.offset);
          c.timestamp = TimestampFromMillis(r.timestamp);
          if (r.key) c.key.emplace(*r.key);
          if (r.value) c.value.emplace(*r.value);
          for (const auto& hv : r.headers)
            c.headers.push_back({std::string(hv.key), std::string(hv.value.value_or(""))});
          a.cursor.offset = r.offset + 1;
          ++taken;
          return Status::OK();
        });
        if (!s.ok() && !s.IsCancelled()) {
          return s.WithContext(fmt::format("reading {}-{}", a.tp.topic, a.tp.partition.value()));
        }
      }
      if (stopped_inside) {
        a.cursor.position = b.position;  // resume inside this batch
        return Status::OK();
      }
      a.cursor.offset = std::max(a.cursor.offset, h.next_offset());
      a.cursor.position = b.position + h.total_size();
    }
  }
  return Status::OK();
}

Status EmbeddedConsumer::ReadAvailable(size_t max_records, std::vector<ConsumedRecord>* out) {
  size_t n = assigned_.size();
  for (size_t i = 0; i < n && out->size() < max_records; ++i) {
    Assigned& a = assigned_[(next_ + i) % n];
    RTPIPE_RETURN_IF_ERROR(ReadPartition(a, max_records - out->size(), out));
  }
  if (n > 0) next_ = (next_ + 1) % n;
  return Status::OK();
}

Result<std::vector<ConsumedRecord>> EmbeddedConsumer::Poll(size_t max_records, std::chrono::milliseconds timeout,
                                                           std::stop_token stop) {
  std::vector<ConsumedRecord> out;
  if (max_records == 0 || assigned_.empty()) {
    if (timeout.count() > 0 && assigned_.empty()) SleepFor(timeout, stop);
    return out;
  }
  out.reserve(std::min<size_t>(max_records, 16384));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    RTPIPE_RETURN_IF_ERROR(core_->CheckOpen());
    uint64_t seen = core_->data_version();
    RTPIPE_RETURN_IF_ERROR(ReadAvailable(max_records, &out));
    if (!out.empty()) return out;
    auto now = std::chrono::steady_clock::now();
    if (stop.stop_requested() || now >= deadline) return out;
    if (core_->writable()) {
      core_->WaitForData(seen, deadline, stop);
      continue;
    }
    // Another process writes: probe the files again shortly, and look for new segments.
    SleepFor(std::min<std::chrono::nanoseconds>(kProbeInterval, deadline - now), stop);
    if (std::chrono::steady_clock::now() - last_refresh_ >= kProbeInterval) {
      for (auto& a : assigned_) RTPIPE_RETURN_IF_ERROR(a.partition->Refresh());
      last_refresh_ = std::chrono::steady_clock::now();
    }
  }
}

}  // namespace rtpipe::embedded
