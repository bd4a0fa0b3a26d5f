#include "rtpipe/log/embedded/metadata.h"

#include <cctype>

#include "rtpipe/base/bytes.h"
#include "rtpipe/log/embedded/crc32c.h"

namespace rtpipe::embedded {
namespace {

constexpr uint16_t kVersion = 1;

void AppendTrailer(std::string* out) { AppendBe32(out, Crc32c(*out)); }

// Checks magic, version and CRC; returns the body between the version and the CRC.
Result<std::string_view> OpenEnvelope(std::string_view bytes, std::string_view magic, std::string_view what) {
  if (bytes.size() < magic.size() + 2 + 4 || bytes.substr(0, magic.size()) != magic) {
    return Status::Corruption("{}: not a {} file", what, what);
  }
  uint32_t stored = GetBe32(bytes.data() + bytes.size() - 4);
  if (stored != Crc32c(bytes.substr(0, bytes.size() - 4))) return Status::Corruption("{}: CRC mismatch", what);
  uint16_t version = GetBe16(bytes.data() + magic.size());
  if (version != kVersion) return Status::Corruption("{}: unknown version {}", what, version);
  return bytes.substr(magic.size() + 2, bytes.size() - magic.size() - 2 - 4);
}

}  // namespace

std::string EncodeTopicMeta(const TopicMeta& meta) {
  std::string out = "RTPT";
  AppendBe16(&out, kVersion);
  AppendBe32(&out, static_cast<uint32_t>(meta.partitions));
  AppendBe64(&out, static_cast<uint64_t>(meta.created_ms));
  AppendTrailer(&out);
  return out;
}

Result<TopicMeta> DecodeTopicMeta(std::string_view bytes) {
  RTPIPE_ASSIGN_OR_RETURN(std::string_view body, OpenEnvelope(bytes, "RTPT", "topic.meta"));
  if (body.size() != 12) return Status::Corruption("topic.meta: {} body bytes, expected 12", body.size());
  TopicMeta meta;
  meta.partitions = static_cast<int32_t>(GetBe32(body.data()));
  meta.created_ms = static_cast<int64_t>(GetBe64(body.data() + 4));
  if (meta.partitions < 1 || meta.partitions > 100000) {
    return Status::Corruption("topic.meta: impossible partition count {}", meta.partitions);
  }
  return meta;
}

std::string EncodeRecoveryPoint(const RecoveryPoint& p) {
  std::string out = "RTPR";
  AppendBe16(&out, kVersion);
  AppendBe64(&out, static_cast<uint64_t>(p.segment_base));
  AppendBe64(&out, p.position);
  AppendBe64(&out, static_cast<uint64_t>(p.next_offset));
  AppendBe64(&out, static_cast<uint64_t>(p.max_timestamp));
  AppendBe32(&out, p.bytes_since_entry);
  AppendBe64(&out, p.offset_entries);
  AppendBe64(&out, p.time_entries);
  AppendTrailer(&out);
  return out;
}

Result<RecoveryPoint> DecodeRecoveryPoint(std::string_view bytes) {
  RTPIPE_ASSIGN_OR_RETURN(std::string_view body, OpenEnvelope(bytes, "RTPR", "recovery-point"));
  if (body.size() != 52) return Status::Corruption("recovery-point: {} body bytes, expected 52", body.size());
  const char* b = body.data();
  RecoveryPoint p;
  p.segment_base = static_cast<int64_t>(GetBe64(b));
  p.position = GetBe64(b + 8);
  p.next_offset = static_cast<int64_t>(GetBe64(b + 16));
  p.max_timestamp = static_cast<int64_t>(GetBe64(b + 24));
  p.bytes_since_entry = GetBe32(b + 32);
  p.offset_entries = GetBe64(b + 36);
  p.time_entries = GetBe64(b + 44);
  if (p.segment_base < 0 || p.next_offset < p.segment_base || p.position > (uint64_t{1} << 40)) {
    return Status::Corruption("recovery-point: impossible values (segment {}, position {}, next offset {})",
                              p.segment_base, p.position, p.next_offset);
  }
  return p;
}

std::string EncodeGroupOffsets(const GroupOffsets& offsets) {
  std::string out = "RTPG";
  AppendBe16(&out, kVersion);
  AppendBe32(&out, static_cast<uint32_t>(offsets.size()));
  for (const auto& [tp, offset] : offsets) {
    AppendBe16(&out, static_cast<uint16_t>(tp.topic.size()));
    out.append(tp.topic);
    AppendBe32(&out, static_cast<uint32_t>(tp.partition.value()));
    AppendBe64(&out, static_cast<uint64_t>(offset.value()));
  }
  AppendTrailer(&out);
  return out;
}

Result<GroupOffsets> DecodeGroupOffsets(std::string_view bytes) {
  RTPIPE_ASSIGN_OR_RETURN(std::string_view body, OpenEnvelope(bytes, "RTPG", "group offsets"));
  if (body.size() < 4) return Status::Corruption("group offsets: truncated");
  uint32_t count = GetBe32(body.data());
  body.remove_prefix(4);
  GroupOffsets offsets;
  for (uint32_t i = 0; i < count; ++i) {
    if (body.size() < 2) return Status::Corruption("group offsets: truncated entry {}", i);
    size_t len = GetBe16(body.data());
    if (body.size() < 2 + len + 12) return Status::Corruption("group offsets: truncated entry {}", i);
    TopicPartition tp{std::string(body.substr(2, len)),
                      PartitionId(static_cast<int32_t>(GetBe32(body.data() + 2 + len)))};
    auto offset = static_cast<int64_t>(GetBe64(body.data() + 2 + len + 4));
    if (tp.partition.value() < 0 || offset < 0)
      return Status::Corruption("group offsets: negative value in entry {}", i);
    offsets[std::move(tp)] = Offset(offset);
    body.remove_prefix(2 + len + 12);
  }
  if (!body.empty()) return Status::Corruption("group offsets: {} stray bytes", body.size());
  return offsets;
}

Status CheckEntityName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 200 || name == "." || name == "..") {
    return Status::InvalidArgument("{} name \"{}\" must be 1 to 200 characters and not \".\" or \"..\"", what, name);
  }
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '-' && c != '.') {
      return Status::InvalidArgument("{} name \"{}\": only letters, digits, '_', '-' and '.' are allowed", what, name);
    }
  }
  return Status::OK();
}

}  // namespace rtpipe::embedded
