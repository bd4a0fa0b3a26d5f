#include "rtpipe/capture/postgres_replication_stream.h"

#include <poll.h>

#include "rtpipe/base/bytes.h"
#include "rtpipe/base/time.h"
#include "rtpipe/capture/postgres_pgoutput.h"

namespace rtpipe {

Result<std::unique_ptr<PgReplicationStream>> PgReplicationStream::Start(const PgEndpoint& endpoint,
                                                                        const std::string& slot,
                                                                        const std::string& publication, PgLsn from) {
  RTPIPE_ASSIGN_OR_RETURN(auto conn, PgConnection::Connect(endpoint, PgConnection::Mode::kReplication));
  std::string command = fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '1', publication_names {})",
                                    QuoteIdent(slot), FormatLsn(from), QuoteLiteral(QuoteIdent(publication)));
  PgResult r(PQexec(conn->handle(), command.c_str()));
  if (PQresultStatus(r.get()) != PGRES_COPY_BOTH) {
    return conn->Error(r.get(), fmt::format("starting replication from slot \"{}\"", slot));
  }
  return std::unique_ptr<PgReplicationStream>(new PgReplicationStream(std::move(conn), slot));
}

PgReplicationStream::~PgReplicationStream() {
  if (buffer_ != nullptr) PQfreemem(buffer_);
}

Status PgReplicationStream::Ended(std::string_view why) {
  return Status::Unavailable("the replication stream of slot \"{}\" from PostgreSQL at {} ended: {}", slot_,
                             conn_->endpoint().where, CleanPgMessage(why));
}

Result<PgReplicationStream::Event> PgReplicationStream::Next(std::chrono::milliseconds wait) {
  if (buffer_ != nullptr) {
    PQfreemem(buffer_);
    buffer_ = nullptr;
  }
  PGconn* conn = conn_->handle();
  MonoTime deadline = Clock::System().Monotonic() + wait;
  for (;;) {
    int n = PQgetCopyData(conn, &buffer_, 1);
    if (n > 0) {
      Event e;
      if (buffer_[0] == 'w' && n >= 25) {
        e.kind = Event::Kind::kData;
        e.payload = std::string_view(buffer_ + 25, static_cast<size_t>(n) - 25);
        return e;
      }
      if (buffer_[0] == 'k' && n >= 18) {
        e.kind = Event::Kind::kKeepalive;
        e.wal_end = PgLsn{GetBe64(buffer_ + 1)};
        e.reply_requested = buffer_[17] != 0;
        return e;
      }
      return Ended(fmt::format("unexpected message type 0x{:02x} ({} bytes)", static_cast<uint8_t>(buffer_[0]), n));
    }
    if (n == -1) {
      // The server ended COPY: its final result says why (e.g. administrator command on shutdown).
      std::string why = "the server closed it";
      while (PGresult* raw = PQgetResult(conn)) {
        PgResult r(raw);
        if (PQresultStatus(raw) == PGRES_FATAL_ERROR) why = conn_->Error(raw, "streaming").message();
      }
      return Ended(why + " (the server is shutting down or restarting?)");
    }
    if (n == -2) return Ended(CleanPgMessage(PQerrorMessage(conn)) + " (the server stopped or restarted?)");
    // Nothing buffered: wait for the socket.
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::System().Monotonic());
    if (left.count() <= 0) return Event{};
    pollfd fd{PQsocket(conn), POLLIN, 0};
    int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) return Ended(fmt::format("poll failed: {}", std::strerror(errno)));
    if (ready == 0) return Event{};
    if (PQconsumeInput(conn) == 0) {
      return Ended(CleanPgMessage(PQerrorMessage(conn)) + " (the server stopped or restarted?)");
    }
  }
}

Status PgReplicationStream::SendStatus(PgLsn flushed, bool reply_requested) {
  std::string msg;
  msg.reserve(34);
  msg.push_back('r');
  for (int i = 0; i < 3; ++i) AppendBe64(&msg, flushed.value);  // written, flushed, applied
  AppendBe64(&msg, static_cast<uint64_t>(WallMicros() - pgoutput::kPgEpochUnixMicros));
  msg.push_back(reply_requested ? 1 : 0);
  PGconn* conn = conn_->handle();
  if (PQputCopyData(conn, msg.data(), static_cast<int>(msg.size())) != 1 || PQflush(conn) != 0) {
    return Ended(PQerrorMessage(conn));
  }
  return Status::OK();
}

}  // namespace rtpipe
