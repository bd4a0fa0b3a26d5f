#include "rtpipe/landing/sqlite_outbox_entries.h"

namespace rtpipe {

void AppendOutboxEntry(const OutboxEntry& entry, std::string* entries) {
  AppendVarlong(entries, entry.event_time_ms);
  AppendVarlong(entries, entry.ingested_us);
  if (entry.key) {
    AppendVarint(entries, static_cast<int32_t>(entry.key->size()));
    entries->append(*entry.key);
  } else {
    AppendVarint(entries, -1);
  }
  AppendVarint(entries, static_cast<int32_t>(entry.value.size()));
  entries->append(entry.value);
}

}  // namespace rtpipe
