#pragma once
// CqlConnection: one TCP connection to one Cassandra node, speaking native protocol v4 with many
// requests in flight (one stream id each).
//
// Threading model:
//  - Each connection runs one I/O thread. It reads and splits response frames, writes the queued
//    request bytes (callers never block on the socket), and fails requests whose deadline passed.
//  - Send() may be called from any thread, including from a response callback.
//  - A response callback runs exactly once, on the I/O thread (or on the thread calling Close()
//    when the connection is closed with the request still in flight). Callbacks must be short and
//    must not block: they may call Send() on this or another connection, but must not wait for a
//    response and must not destroy this connection.
//  - The destructor closes the connection and joins the I/O thread; it must not run on the I/O
//    thread itself (so a callback must never hold the last owning reference to its connection).
//
// A request timeout does not free the stream id: the id is reused only when the late response
// arrives. Once a quarter of the ids are held that way, the connection closes itself ("defunct").

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/sink/cassandra/frame.h"

namespace rtpipe::cql {

struct ConnectionOptions {
  std::string host;  // IPv4/IPv6 literal or a resolvable name
  int port = 9042;
  std::string user;  // non-empty: answer AUTHENTICATE with SASL PLAIN
  std::string password;
  std::string keyspace;  // non-empty: USE it during the handshake
  bool compression = false;
  std::chrono::milliseconds connect_timeout{5'000};
  int max_streams = 2048;  // 1..32768 stream ids in use at once
};

/// Receives the response frame (an ERROR frame is a response too) or why there is none:
/// Timeout (deadline passed), Unavailable (connection lost), Cancelled (closed by us).
using ResponseCallback = std::function<void(Result<Frame>)>;

class CqlConnection {
 public:
  /// Connects (within connect_timeout), starts the I/O thread and performs the handshake:
  /// [OPTIONS when compressing] STARTUP, [AUTH_RESPONSE...], [USE keyspace]. Errors name the host:
  /// Unavailable for network failures, PermissionDenied for refused or missing credentials.
  static Result<std::shared_ptr<CqlConnection>> Open(const ConnectionOptions& options);

  ~CqlConnection();
  CqlConnection(const CqlConnection&) = delete;
  CqlConnection& operator=(const CqlConnection&) = delete;

  /// Queues a request; `done` will be called exactly once. Fails at once (and never calls `done`)
  /// when the connection is closed or all stream ids are busy (ResourceExhausted).
  Status Send(Opcode opcode, std::string_view body, MonoTime deadline, ResponseCallback done);

  /// Sends and waits for the response (handshakes, tests). Must not be called from a callback.
  Result<Frame> SendAndWait(Opcode opcode, std::string_view body, std::chrono::milliseconds timeout);

  /// Closes the socket and fails everything in flight with `reason` (default: Cancelled).
  /// Idempotent; joins the I/O thread unless called on it.
  void Close(Status reason = Status::Cancelled("connection closed by the client"));

  bool alive() const { return alive_.load(std::memory_order_acquire); }
  /// Why the connection is no longer alive (OK while alive).
  Status close_reason() const;
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  /// "host:port" as configured.
  const std::string& address() const { return address_; }
  /// The SUPPORTED map when the handshake asked for it (compression), else empty.
  const std::map<std::string, std::vector<std::string>>& supported() const { return supported_; }

 private:
  explicit CqlConnection(const ConnectionOptions& options);
  Status Connect();
  Status Handshake();
  void Run();          // the I/O thread
  bool FlushWrites();  // false: the socket failed (reason recorded)
  bool ReadFrames();   // false: the socket failed or closed
  void ExpireRequests(MonoTime now);
  void Fail(Status reason);  // marks dead, completes everything in flight
  void Wake();

  struct Slot {
    ResponseCallback done;
    MonoTime deadline{};
    bool in_use = false;
    bool orphaned = false;  // timed out; the id is held until the late response arrives
  };

  const ConnectionOptions options_;
  const std::string address_;
  int fd_ = -1;
  int wake_fd_ = -1;  // eventfd: Send() and Close() wake the I/O thread
  std::thread io_thread_;
  std::atomic<bool> alive_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<bool> compress_requests_{false};
  std::map<std::string, std::vector<std::string>> supported_;  // written during Open() only

  mutable std::mutex mutex_;  // guards everything below
  bool open_ = false;
  bool stop_requested_ = false;
  Status reason_;
  std::string out_;  // request bytes not yet handed to the I/O thread
  bool wake_pending_ = false;
  std::vector<Slot> slots_;
  std::vector<int16_t> free_streams_;
  int orphans_ = 0;
};

}  // namespace rtpipe::cql
