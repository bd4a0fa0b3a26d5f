#pragma once
// ERROR responses (spec §4.2.1, §9): decoded with their details and turned into Status values a
// caller can act on, with each code classified for the session's retry decisions.
//
// Status codes used:
//   Server_error, Protocol_error, Truncate_error,
//   Read_failure, Write_failure, unknown codes      -> Internal
//   Authentication_error, Unauthorized              -> PermissionDenied
//   Unavailable, Is_bootstrapping                   -> Unavailable
//   Overloaded                                      -> ResourceExhausted
//   Read_timeout, Write_timeout                     -> Timeout
//   Syntax_error, Invalid, Function_failure         -> InvalidArgument
//   Config_error                                    -> FailedPrecondition
//   Already_exists                                  -> AlreadyExists
//   Unprepared                                      -> NotFound (the session re-prepares instead)

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/sink/cassandra/options.h"

namespace rtpipe::cql {

enum class ErrorCode : int32_t {
  kServerError = 0x0000,
  kProtocolError = 0x000A,
  kAuthenticationError = 0x0100,
  kUnavailable = 0x1000,
  kOverloaded = 0x1001,
  kIsBootstrapping = 0x1002,
  kTruncateError = 0x1003,
  kWriteTimeout = 0x1100,
  kReadTimeout = 0x1200,
  kReadFailure = 0x1300,
  kFunctionFailure = 0x1400,
  kWriteFailure = 0x1500,
  kSyntaxError = 0x2000,
  kUnauthorized = 0x2100,
  kInvalid = 0x2200,
  kConfigError = 0x2300,
  kAlreadyExists = 0x2400,
  kUnprepared = 0x2500,
};

/// "Unavailable", "Write_timeout", ... (the spec's names), or "error 0x1234".
std::string ErrorCodeName(int32_t code);

/// What the session may do about an error.
enum class ErrorAction : uint8_t {
  kFail,               // the request itself is wrong (syntax, invalid, auth, ...): report it
  kRetrySameHost,      // a timeout at the coordinator: retry (idempotent statements only)
  kRetryNextHost,      // this coordinator cannot serve now (overloaded, bootstrapping)
  kRetryOnceNextHost,  // Unavailable: one try on another coordinator, then report
  kReprepare,          // Unprepared: PREPARE again on that host, then retry
};

/// A decoded ERROR body. Fields beyond code/message are set when the code carries them.
struct CqlError {
  int32_t code = 0;
  std::string message;
  std::optional<Consistency> consistency;  // Unavailable, timeouts, failures
  int32_t required = 0;                    // Unavailable: replicas needed
  int32_t alive = 0;                       // Unavailable: replicas alive
  int32_t received = 0;                    // timeouts/failures: replicas that answered
  int32_t block_for = 0;                   // timeouts/failures: replicas awaited
  int32_t num_failures = 0;                // Read_failure, Write_failure
  bool data_present = false;               // Read_timeout, Read_failure
  std::string write_type;                  // Write_timeout, Write_failure: SIMPLE, BATCH, UNLOGGED_BATCH, ...
  std::string keyspace, table;             // Already_exists; Function_failure keyspace + function
  std::vector<std::string> arg_types;      // Function_failure
  std::string unprepared_id;               // Unprepared: the unknown statement id

  /// The Status this error becomes, its message naming the code, the server's message and the
  /// details, e.g. "Cassandra Unavailable (0x1000) from 127.0.0.1:9042: Cannot achieve consistency
  /// level LOCAL_QUORUM [consistency LOCAL_QUORUM needs 2 replicas, 1 alive]".
  Status ToStatus(std::string_view host) const;
  ErrorAction Action() const;
};

/// Decodes an ERROR body; extra bytes after the known fields are ignored (spec §4.2).
Result<CqlError> DecodeError(std::string_view body);

}  // namespace rtpipe::cql
