#pragma once
// Configuration of the CQL client: consistency levels, session options (from code or from a
// `cassandra://` URL) and per-request options. Plain value types.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/result.h"
#include "rtpipe/config/url.h"

namespace rtpipe::cql {

/// [consistency] (spec §3).
enum class Consistency : uint16_t {
  kAny = 0x0000,
  kOne = 0x0001,
  kTwo = 0x0002,
  kThree = 0x0003,
  kQuorum = 0x0004,
  kAll = 0x0005,
  kLocalQuorum = 0x0006,
  kEachQuorum = 0x0007,
  kSerial = 0x0008,
  kLocalSerial = 0x0009,
  kLocalOne = 0x000A,
};

/// "LOCAL_QUORUM", ...; "consistency 0x1f" for values outside the spec.
std::string ConsistencyName(Consistency c);
/// Parses the names above (case-insensitive); the error lists the allowed names.
Result<Consistency> ParseConsistency(std::string_view text);

/// How a session connects and behaves. Every field has a usable default except `hosts`.
struct CqlOptions {
  /// Contact points: "host" or "host:port" (IPv4 literal or a resolvable name). Every listed host
  /// gets `connections_per_host` connections; peers are not discovered.
  std::vector<std::string> hosts;
  int port = 9042;  // for hosts given without a port
  /// Keyspace set (USE) on every connection; empty: statements name their keyspace.
  std::string keyspace;
  /// Credentials for PasswordAuthenticator (SASL PLAIN); empty user: no authentication offered.
  std::string user;
  std::string password;

  /// Consistency of every request unless overridden per request. Never lowered by the client: an
  /// Unavailable answer is reported, not retried at a weaker level.
  Consistency consistency = Consistency::kLocalQuorum;
  Consistency serial_consistency = Consistency::kSerial;

  int connections_per_host = 2;
  /// Requests in flight across the session; ExecuteAsync blocks (backpressure) beyond it.
  int max_in_flight = 1024;
  std::chrono::milliseconds connect_timeout{5'000};
  /// One attempt's deadline (the server's own write timeout is 2 s, read 5 s).
  std::chrono::milliseconds request_timeout{12'000};
  /// How long an idempotent request keeps being retried (host down, connection lost, timeouts,
  /// overload) before its failure is reported. 0 disables those retries.
  std::chrono::milliseconds retry_window{120'000};
  /// Delay between reconnection attempts to a down host (and between retries while no host is up).
  BackoffPolicy reconnect{std::chrono::milliseconds(100), std::chrono::milliseconds(2'000), 2.0};
  /// How long Close() lets in-flight requests finish before failing them as cancelled.
  std::chrono::milliseconds close_grace{2'000};
  /// LZ4 frame compression (negotiated in STARTUP). Worth it across a network, not on loopback.
  bool compression = false;

  /// Builds options from `cassandra://[user[:password]@]h1[:port][,h2...][/keyspace][?k=v...]`.
  /// Query keys: consistency, connections_per_host, max_in_flight, connect_timeout_ms,
  /// request_timeout_ms, retry_window_ms, compression (none|lz4). Unknown keys are errors.
  static Result<CqlOptions> FromUrl(std::string_view url);

  /// Checks ranges; the message names the field, its value and what is allowed.
  Status Validate() const;
};

/// Per-request settings; unset fields take the session's defaults.
struct QueryOptions {
  std::optional<Consistency> consistency;
  std::optional<Consistency> serial_consistency;
  /// Rows per page for SELECTs (spec §8); 0: the server's default (everything at once).
  int32_t page_size = 5000;
  /// Continue from a previous page (CqlRows::paging_state()).
  std::string paging_state;
  /// Write timestamp in microseconds since the epoch (USING TIMESTAMP for the whole request).
  /// Deterministic timestamps make replays of upserts converge (last-write-wins).
  std::optional<int64_t> timestamp_micros;
  /// Safe to send twice: enables retries after timeouts and lost connections. rtpipe's writes
  /// are upserts, hence the default.
  bool idempotent = true;
};

}  // namespace rtpipe::cql
