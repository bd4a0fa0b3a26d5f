#include "rtpipe/sink/cassandra/error.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {
namespace {

std::string HexId(std::string_view id) {
  std::string out;
  for (char c : id) out += fmt::format("{:02x}", static_cast<uint8_t>(c));
  return out;
}

Result<Consistency> ReadConsistency(CqlReader& r) {
  RTPIPE_ASSIGN_OR_RETURN(uint16_t v, r.Short());
  return static_cast<Consistency>(v);
}

}  // namespace

std::string ErrorCodeName(int32_t code) {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kServerError:
      return "Server_error";
    case ErrorCode::kProtocolError:
      return "Protocol_error";
    case ErrorCode::kAuthenticationError:
      return "Authentication_error";
    case ErrorCode::kUnavailable:
      return "Unavailable";
    case ErrorCode::kOverloaded:
      return "Overloaded";
    case ErrorCode::kIsBootstrapping:
      return "Is_bootstrapping";
    case ErrorCode::kTruncateError:
      return "Truncate_error";
    case ErrorCode::kWriteTimeout:
      return "Write_timeout";
    case ErrorCode::kReadTimeout:
      return "Read_timeout";
    case ErrorCode::kReadFailure:
      return "Read_failure";
    case ErrorCode::kFunctionFailure:
      return "Function_failure";
    case ErrorCode::kWriteFailure:
      return "Write_failure";
    case ErrorCode::kSyntaxError:
      return "Syntax_error";
    case ErrorCode::kUnauthorized:
      return "Unauthorized";
    case ErrorCode::kInvalid:
      return "Invalid";
    case ErrorCode::kConfigError:
      return "Config_error";
    case ErrorCode::kAlreadyExists:
      return "Already_exists";
    case ErrorCode::kUnprepared:
      return "Unprepared";
  }
  return fmt::format("error 0x{:04x}", static_cast<uint32_t>(code));
}

Result<CqlError> DecodeError(std::string_view body) {
  CqlReader r(body);
  CqlError e;
  RTPIPE_ASSIGN_OR_RETURN(e.code, r.Int());
  RTPIPE_ASSIGN_OR_RETURN(auto message, r.String());
  e.message = std::string(message);
  switch (static_cast<ErrorCode>(e.code)) {
    case ErrorCode::kUnavailable: {
      RTPIPE_ASSIGN_OR_RETURN(e.consistency, ReadConsistency(r));
      RTPIPE_ASSIGN_OR_RETURN(e.required, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.alive, r.Int());
      break;
    }
    case ErrorCode::kWriteTimeout: {
      RTPIPE_ASSIGN_OR_RETURN(e.consistency, ReadConsistency(r));
      RTPIPE_ASSIGN_OR_RETURN(e.received, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.block_for, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(auto write_type, r.String());
      e.write_type = std::string(write_type);
      break;
    }
    case ErrorCode::kReadTimeout: {
      RTPIPE_ASSIGN_OR_RETURN(e.consistency, ReadConsistency(r));
      RTPIPE_ASSIGN_OR_RETURN(e.received, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.block_for, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(uint8_t present, r.Byte());
      e.data_present = present != 0;
      break;
    }
    case ErrorCode::kReadFailure: {
      RTPIPE_ASSIGN_OR_RETURN(e.consistency, ReadConsistency(r));
      RTPIPE_ASSIGN_OR_RETURN(e.received, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.block_for, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.num_failures, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(uint8_t present, r.Byte());
      e.data_present = present != 0;
      break;
    }
    case ErrorCode::kWriteFailure: {
      RTPIPE_ASSIGN_OR_RETURN(e.consistency, ReadConsistency(r));
      RTPIPE_ASSIGN_OR_RETURN(e.received, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.block_for, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(e.num_failures, r.Int());
      RTPIPE_ASSIGN_OR_RETURN(auto write_type, r.String());
      e.write_type = std::string(write_type);
      break;
    }
    case ErrorCode::kFunctionFailure: {
      RTPIPE_ASSIGN_OR_RETURN(auto ks, r.String());
      RTPIPE_ASSIGN_OR_RETURN(auto fn, r.String());
      e.keyspace = std::string(ks);
      e.table = std::string(fn);
      RTPIPE_ASSIGN_OR_RETURN(e.arg_types, r.StringList());
      break;
    }
    case ErrorCode::kAlreadyExists: {
      RTPIPE_ASSIGN_OR_RETURN(auto ks, r.String());
      RTPIPE_ASSIGN_OR_RETURN(auto table, r.String());
      e.keyspace = std::string(ks);
      e.table = std::string(table);
      break;
    }
    case ErrorCode::kUnprepared: {
      RTPIPE_ASSIGN_OR_RETURN(auto id, r.ShortBytes());
      e.unprepared_id = std::string(id);
      break;
    }
    default:
      break;
  }
  return e;
}

Status CqlError::ToStatus(std::string_view host) const {
  std::string details;
  auto cl = consistency ? ConsistencyName(*consistency) : std::string("?");
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kUnavailable:
      details = fmt::format(
          " [consistency {} needs {} live replica(s), {} alive; rtpipe does not lower the consistency of a "
          "request: bring replicas back, or configure a level the cluster can meet]",
          cl, required, alive);
      break;
    case ErrorCode::kWriteTimeout:
      details = fmt::format(" [consistency {}, {} of {} replica(s) acknowledged, write type {}]", cl, received,
                            block_for, write_type);
      break;
    case ErrorCode::kReadTimeout:
      details = fmt::format(" [consistency {}, {} of {} replica(s) answered, data {}]", cl, received, block_for,
                            data_present ? "present" : "absent");
      break;
    case ErrorCode::kReadFailure:
      details = fmt::format(" [consistency {}, {} of {} replica(s) answered, {} failed]", cl, received, block_for,
                            num_failures);
      break;
    case ErrorCode::kWriteFailure:
      details = fmt::format(" [consistency {}, {} of {} replica(s) acknowledged, {} failed, write type {}]", cl,
                            received, block_for, num_failures, write_type);
      break;
    case ErrorCode::kFunctionFailure:
      details = fmt::format(" [function {}.{}({})]", keyspace, table, fmt::join(arg_types, ", "));
      break;
    case ErrorCode::kAlreadyExists:
      details =
          table.empty() ? fmt::format(" [keyspace {}]", keyspace) : fmt::format(" [table {}.{}]", keyspace, table);
      break;
    case ErrorCode::kUnprepared:
      details = fmt::format(" [statement id {}]", HexId(unprepared_id));
      break;
    default:
      break;
  }
  std::string text = fmt::format("Cassandra {} (0x{:04x}) from {}: {}{}", ErrorCodeName(code),
                                 static_cast<uint32_t>(code), host, message, details);
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kAuthenticationError:
    case ErrorCode::kUnauthorized:
      return {StatusCode::kPermissionDenied, std::move(text)};
    case ErrorCode::kUnavailable:
    case ErrorCode::kIsBootstrapping:
      return {StatusCode::kUnavailable, std::move(text)};
    case ErrorCode::kOverloaded:
      return {StatusCode::kResourceExhausted, std::move(text)};
    case ErrorCode::kWriteTimeout:
    case ErrorCode::kReadTimeout:
      return {StatusCode::kTimeout, std::move(text)};
    case ErrorCode::kSyntaxError:
    case ErrorCode::kInvalid:
    case ErrorCode::kFunctionFailure:
      return {StatusCode::kInvalidArgument, std::move(text)};
    case ErrorCode::kConfigError:
      return {StatusCode::kFailedPrecondition, std::move(text)};
    case ErrorCode::kAlreadyExists:
      return {StatusCode::kAlreadyExists, std::move(text)};
    case ErrorCode::kUnprepared:
      return {StatusCode::kNotFound, std::move(text)};
    default:
      return {StatusCode::kInternal, std::move(text)};
  }
}

ErrorAction CqlError::Action() const {
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kUnavailable:
      return ErrorAction::kRetryOnceNextHost;
    case ErrorCode::kOverloaded:
    case ErrorCode::kIsBootstrapping:
      return ErrorAction::kRetryNextHost;
    case ErrorCode::kWriteTimeout:
    case ErrorCode::kReadTimeout:
      return ErrorAction::kRetrySameHost;
    case ErrorCode::kUnprepared:
      return ErrorAction::kReprepare;
    default:
      return ErrorAction::kFail;
  }
}

}  // namespace rtpipe::cql
