#pragma once
// The changes of one row of the SQLite landing database's outbox (sqlite_landing_schema.h), as
// its `entries` blob holds them: one after another, each framed with Kafka's zig-zag varints
// (base/bytes.h):
//
//   event_time_ms  varlong   the record's event time, milliseconds since the epoch
//   ingested_us    varlong   wall-clock microseconds when its record was fetched
//   key_size       varint    -1: no key
//   key            key_size bytes
//   value_size     varint
//   value          value_size bytes
//
// Written by the landing store, read by the capture stage's outbox feed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rtpipe/base/bytes.h"
#include "rtpipe/base/status.h"

namespace rtpipe {

struct OutboxEntry {
  std::optional<std::string_view> key;
  std::string_view value;
  int64_t event_time_ms = 0;
  int64_t ingested_us = 0;
};

/// Appends `entry` to `entries`.
void AppendOutboxEntry(const OutboxEntry& entry, std::string* entries);

/// Calls `visit(const OutboxEntry&)` for each entry of `entries`, in order. Corruption, naming
/// the outbox row `seq`, unless `entries` holds exactly `count` whole entries. The views point
/// into `entries`.
template <typename Visit>
Status ForEachOutboxEntry(std::string_view entries, int64_t count, int64_t seq, Visit&& visit) {
  ByteReader reader(entries);
  for (int64_t i = 0; i < count; ++i) {
    OutboxEntry e;
    int32_t key_size = 0, value_size = 0;
    std::string_view key;
    bool ok = reader.ReadVarlong(&e.event_time_ms) && reader.ReadVarlong(&e.ingested_us) &&
              reader.ReadVarint(&key_size) && key_size >= -1 &&
              (key_size < 0 || reader.ReadBytes(static_cast<size_t>(key_size), &key)) &&
              reader.ReadVarint(&value_size) && value_size >= 0 &&
              reader.ReadBytes(static_cast<size_t>(value_size), &e.value);
    if (!ok) return Status::Corruption("outbox row {}: entry {} of {} is cut short or malformed", seq, i + 1, count);
    if (key_size >= 0) e.key = key;
    visit(static_cast<const OutboxEntry&>(e));
  }
  if (reader.remaining() != 0) {
    return Status::Corruption("outbox row {}: {} bytes after its {} entries", seq, reader.remaining(), count);
  }
  return Status::OK();
}

}  // namespace rtpipe
