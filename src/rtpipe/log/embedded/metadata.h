#pragma once
// The small metadata files of the embedded log. Each is written whole and atomically (tmp file,
// fsync, rename, directory fsync) and ends with a CRC-32C of everything before it, so a reader
// either gets a complete, checked file or an error. All integers are big-endian.
//
//   topics/<topic>/topic.meta            "RTPT" u16 version=1, i32 partitions, i64 created_ms, u32 crc
//   topics/<topic>/<p>/recovery-point    "RTPR" u16 version=1, i64 segment_base, u64 position,
//                                        i64 next_offset, i64 max_timestamp, u32 bytes_since_entry,
//                                        u64 offset_entries, u64 time_entries, u32 crc
//   groups/<group>.offsets               "RTPG" u16 version=1, u32 count, count x (u16 topic length,
//                                        topic bytes, i32 partition, i64 offset), u32 crc
//
// docs/formats/log.md describes what the fields mean.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"
#include "rtpipe/log/log.h"

namespace rtpipe::embedded {

struct TopicMeta {
  int32_t partitions = 0;
  int64_t created_ms = 0;
  friend bool operator==(const TopicMeta&, const TopicMeta&) = default;
};

/// How far a partition is known to be durable, with its indexes: every segment below
/// `segment_base` is complete, synced, and has complete, synced index files; segment
/// `segment_base` holds valid, synced batches up to `position` (ending at `next_offset`), and its
/// index files hold `offset_entries`/`time_entries` valid entries. Recovery scans only past it.
struct RecoveryPoint {
  int64_t segment_base = 0;
  uint64_t position = 0;
  int64_t next_offset = 0;
  int64_t max_timestamp = -1;
  uint32_t bytes_since_entry = 0;
  uint64_t offset_entries = 0;
  uint64_t time_entries = 0;
  friend bool operator==(const RecoveryPoint&, const RecoveryPoint&) = default;
};

std::string EncodeTopicMeta(const TopicMeta& meta);
Result<TopicMeta> DecodeTopicMeta(std::string_view bytes);

std::string EncodeRecoveryPoint(const RecoveryPoint& point);
Result<RecoveryPoint> DecodeRecoveryPoint(std::string_view bytes);

using GroupOffsets = std::map<TopicPartition, Offset>;
std::string EncodeGroupOffsets(const GroupOffsets& offsets);
Result<GroupOffsets> DecodeGroupOffsets(std::string_view bytes);

/// Topic and group names become file names: 1-200 of [A-Za-z0-9._-], not "." or "..".
Status CheckEntityName(std::string_view what, std::string_view name);

}  // namespace rtpipe::embedded
