#pragma once
// PgReplicationStream: the client side of PostgreSQL's streaming replication protocol for one
// logical slot (PostgreSQL docs, "Streaming Replication Protocol"), over a libpq connection in
// `replication=database` mode:
//
//   START_REPLICATION SLOT "slot" LOGICAL X/Y (proto_version '1', publication_names '"pub"')
//
// after which the connection is in COPY BOTH mode. The server sends CopyData messages:
//   'w' XLogData        Int64 WAL start, Int64 WAL end, Int64 send time, then one pgoutput message
//   'k' keepalive       Int64 WAL end (the position the sender has processed), Int64 send time,
//                       Byte1 1 = reply requested (else the server drops us after wal_sender_timeout)
// and the client answers with
//   'r' status update   Int64 written, Int64 flushed, Int64 applied, Int64 client time,
//                       Byte1 1 = please answer with a keepalive now
// The flushed LSN is what the slot records as confirmed_flush_lsn: WAL before it may be recycled.
//
// Not thread-safe: used by the capture thread only.

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"
#include "rtpipe/landing/postgres_connection.h"
#include "rtpipe/landing/postgres_lsn.h"

namespace rtpipe {

class PgReplicationStream {
 public:
  /// Connects and starts streaming the slot's transactions that commit at or after `from` (an
  /// invalid LSN: from the slot's confirmed_flush_lsn; the server also never goes back before it).
  static Result<std::unique_ptr<PgReplicationStream>> Start(const PgEndpoint& endpoint, const std::string& slot,
                                                            const std::string& publication, PgLsn from);
  ~PgReplicationStream();
  PgReplicationStream(const PgReplicationStream&) = delete;
  PgReplicationStream& operator=(const PgReplicationStream&) = delete;

  struct Event {
    enum class Kind : uint8_t { kNone, kData, kKeepalive } kind = Kind::kNone;
    PgLsn wal_end;  // kKeepalive: the sender's position
    bool reply_requested = false;
    std::string_view payload;  // kData: one pgoutput message, valid until the next call to Next
  };

  /// The next message, waiting up to `wait` for one (kNone when none came). Errors are
  /// Unavailable and say that the stream ended and why (server shut down or restarted, connection
  /// lost); the stream is then unusable.
  Result<Event> Next(std::chrono::milliseconds wait);

  /// Sends a status update reporting `flushed` as written, flushed and applied.
  Status SendStatus(PgLsn flushed, bool reply_requested);

 private:
  PgReplicationStream(std::unique_ptr<PgConnection> conn, std::string slot)
      : conn_(std::move(conn)), slot_(std::move(slot)) {}
  Status Ended(std::string_view why);

  std::unique_ptr<PgConnection> conn_;
  std::string slot_;
  char* buffer_ = nullptr;  // the last CopyData message (PQfreemem)
};

}  // namespace rtpipe
