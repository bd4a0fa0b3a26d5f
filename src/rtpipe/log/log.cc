#include "rtpipe/log/log.h"

namespace rtpipe {
namespace {

// Kafka's Utils.murmur2 (the Java client's default partitioner): MurmurHash2, 32-bit, seed
// 0x9747b28c, computed in two's-complement int arithmetic as Java does.
int32_t Murmur2(std::string_view data) {
  constexpr uint32_t kSeed = 0x9747b28c;
  constexpr uint32_t kM = 0x5bd1e995;
  constexpr int kR = 24;
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  auto length = static_cast<uint32_t>(data.size());
  uint32_t h = kSeed ^ length;
  size_t blocks = data.size() / 4;
  for (size_t i = 0; i < blocks; ++i) {
    const unsigned char* b = p + i * 4;
    uint32_t k = static_cast<uint32_t>(b[0]) | (static_cast<uint32_t>(b[1]) << 8) |
                 (static_cast<uint32_t>(b[2]) << 16) | (static_cast<uint32_t>(b[3]) << 24);
    k *= kM;
    k ^= k >> kR;
    k *= kM;
    h *= kM;
    h ^= k;
  }
  const unsigned char* tail = p + blocks * 4;
  switch (data.size() % 4) {
    case 3:
      h ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(tail[0]);
      h *= kM;
      break;
    default:
      break;
  }
  h ^= h >> 13;
  h *= kM;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

}  // namespace

int32_t KafkaMurmur2(std::string_view key) { return Murmur2(key); }

PartitionId PartitionFor(std::string_view key, int partition_count) {
  if (partition_count <= 0) return PartitionId(0);
  auto positive = static_cast<int32_t>(static_cast<uint32_t>(Murmur2(key)) & 0x7fffffffU);  // Utils.toPositive
  return PartitionId(positive % partition_count);
}

std::optional<std::string_view> ConsumedRecord::HeaderValue(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.key == name) return std::string_view(h.value);
  }
  return std::nullopt;
}

Result<std::vector<Offset>> Producer::AppendEach(std::span<const PartitionBatch> batches) {
  std::vector<Offset> firsts;
  firsts.reserve(batches.size());
  for (const PartitionBatch& b : batches) {
    RTPIPE_ASSIGN_OR_RETURN(Offset first, Append(b.partition.topic, b.partition.partition, b.records));
    firsts.push_back(first);
  }
  return firsts;
}

}  // namespace rtpipe
