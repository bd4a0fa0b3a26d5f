#include "rtpipe/sink/cassandra/messages.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstring>

namespace rtpipe::cql {
namespace {

constexpr uint8_t kFlagValues = 0x01;
constexpr uint8_t kFlagPageSize = 0x04;
constexpr uint8_t kFlagPagingState = 0x08;
constexpr uint8_t kFlagSerialConsistency = 0x10;
constexpr uint8_t kFlagDefaultTimestamp = 0x20;
constexpr size_t kMaxValues = 0xFFFF;

void AppendValues(CqlWriter& w, std::span<const CqlValue> values) {
  RTPIPE_ASSERT(values.size() <= kMaxValues, "{} bound values (the protocol allows {})", values.size(), kMaxValues);
  w.Short(static_cast<uint16_t>(values.size()));
  for (const auto& v : values) v.AppendTo(w);
}

void AppendQueryParameters(CqlWriter& w, std::span<const CqlValue> values, const QueryParams& p) {
  w.Short(static_cast<uint16_t>(p.consistency));
  uint8_t flags = 0;
  if (!values.empty()) flags |= kFlagValues;
  if (p.page_size > 0) flags |= kFlagPageSize;
  if (!p.paging_state.empty()) flags |= kFlagPagingState;
  if (p.serial_consistency) flags |= kFlagSerialConsistency;
  if (p.timestamp_micros) flags |= kFlagDefaultTimestamp;
  w.Byte(flags);
  if (!values.empty()) AppendValues(w, values);
  if (p.page_size > 0) w.Int(p.page_size);
  if (!p.paging_state.empty()) w.Bytes(p.paging_state);
  if (p.serial_consistency) w.Short(static_cast<uint16_t>(*p.serial_consistency));
  if (p.timestamp_micros) w.Long(*p.timestamp_micros);
}

}  // namespace

std::string EncodeStartup(bool lz4) {
  std::string body;
  CqlWriter w(body);
  std::vector<std::pair<std::string, std::string>> options = {
      {"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "rtpipe"}, {"DRIVER_VERSION", RTPIPE_VERSION}};
  if (lz4) options.emplace_back("COMPRESSION", "lz4");
  w.StringMap(options);
  return body;
}

std::string PlainSaslToken(std::string_view user, std::string_view password) {
  std::string token;
  token.push_back('\0');
  token.append(user);
  token.push_back('\0');
  token.append(password);
  return token;
}

std::string EncodeAuthResponse(std::string_view token) {
  std::string body;
  CqlWriter(body).Bytes(token);
  return body;
}

std::string EncodeQuery(std::string_view query, std::span<const CqlValue> values, const QueryParams& params) {
  std::string body;
  body.reserve(query.size() + 32 + values.size() * 16);
  CqlWriter w(body);
  w.LongString(query);
  AppendQueryParameters(w, values, params);
  return body;
}

std::string EncodePrepare(std::string_view query) {
  std::string body;
  CqlWriter(body).LongString(query);
  return body;
}

std::string EncodeExecute(std::string_view prepared_id, std::span<const CqlValue> values, const QueryParams& params) {
  std::string body;
  body.reserve(prepared_id.size() + 32 + values.size() * 24);
  CqlWriter w(body);
  w.ShortBytes(prepared_id);
  AppendQueryParameters(w, values, params);
  return body;
}

std::string EncodeRegister(const std::vector<std::string>& event_types) {
  std::string body;
  CqlWriter(body).StringList(event_types);
  return body;
}

std::string EncodeBatch(BatchType type, std::span<const BatchEntry> entries, const QueryParams& params) {
  RTPIPE_ASSERT(entries.size() <= kMaxValues, "BATCH of {} statements", entries.size());
  std::string body;
  CqlWriter w(body);
  w.Byte(static_cast<uint8_t>(type));
  w.Short(static_cast<uint16_t>(entries.size()));
  for (const auto& e : entries) {
    w.Byte(e.prepared ? 1 : 0);
    if (e.prepared) {
      w.ShortBytes(e.query_or_id);
    } else {
      w.LongString(e.query_or_id);
    }
    AppendValues(w, e.values);
  }
  w.Short(static_cast<uint16_t>(params.consistency));
  uint8_t flags = 0;
  if (params.serial_consistency) flags |= kFlagSerialConsistency;
  if (params.timestamp_micros) flags |= kFlagDefaultTimestamp;
  w.Byte(flags);
  if (params.serial_consistency) w.Short(static_cast<uint16_t>(*params.serial_consistency));
  if (params.timestamp_micros) w.Long(*params.timestamp_micros);
  return body;
}

Result<Envelope> DecodeEnvelope(const FrameHeader& header, std::string_view body) {
  Envelope env;
  CqlReader r(body);
  if ((header.flags & frame_flags::kTracing) != 0) {
    RTPIPE_ASSIGN_OR_RETURN(auto id, r.Uuid());
    Uuid u;
    u.bytes = id;
    env.tracing_id = u;
  }
  if ((header.flags & frame_flags::kWarning) != 0) {
    RTPIPE_ASSIGN_OR_RETURN(env.warnings, r.StringList());
  }
  if ((header.flags & frame_flags::kCustomPayload) != 0) {
    RTPIPE_ASSIGN_OR_RETURN(env.custom_payload, r.BytesMap());
  }
  env.message_offset = r.position();
  return env;
}

Result<std::string> DecodeAuthenticate(std::string_view message) {
  CqlReader r(message);
  RTPIPE_ASSIGN_OR_RETURN(auto name, r.String());
  return std::string(name);
}

Result<std::optional<std::string>> DecodeAuthToken(std::string_view message) {
  CqlReader r(message);
  bool null = false;
  RTPIPE_ASSIGN_OR_RETURN(auto token, r.Bytes(&null));
  if (null) return std::optional<std::string>();
  return std::optional<std::string>(std::string(token));
}

Result<std::map<std::string, std::vector<std::string>>> DecodeSupported(std::string_view message) {
  CqlReader r(message);
  return r.StringMultimap();
}

namespace {

Result<PreparedResult> DecodePrepared(CqlReader& r) {
  PreparedResult p;
  RTPIPE_ASSIGN_OR_RETURN(auto id, r.ShortBytes());
  if (id.empty()) return Status::Corruption("Prepared result with an empty statement id");
  p.id = std::string(id);
  RTPIPE_ASSIGN_OR_RETURN(int32_t flags, r.Int());
  RTPIPE_ASSIGN_OR_RETURN(int32_t columns, r.Int());
  RTPIPE_ASSIGN_OR_RETURN(int32_t pk_count, r.Int());
  if (pk_count < 0 || static_cast<uint64_t>(pk_count) * 2 > r.remaining()) {
    return Status::Corruption("Prepared result claims {} partition key indexes in {} bytes", pk_count, r.remaining());
  }
  for (int32_t i = 0; i < pk_count; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(uint16_t index, r.Short());
    p.pk_indexes.push_back(index);
  }
  RTPIPE_ASSIGN_OR_RETURN(p.bind_columns, ReadColumnSpecs(r, columns, (flags & 0x0001) != 0));
  RTPIPE_ASSIGN_OR_RETURN(p.result_metadata, ReadResultMetadata(r));
  return p;
}

Result<SchemaChange> DecodeSchemaChange(CqlReader& r) {
  SchemaChange c;
  RTPIPE_ASSIGN_OR_RETURN(auto change, r.String());
  RTPIPE_ASSIGN_OR_RETURN(auto target, r.String());
  RTPIPE_ASSIGN_OR_RETURN(auto keyspace, r.String());
  c.change_type = std::string(change);
  c.target = std::string(target);
  c.keyspace = std::string(keyspace);
  if (c.target == "KEYSPACE") return c;
  RTPIPE_ASSIGN_OR_RETURN(auto name, r.String());
  c.name = std::string(name);
  if (c.target == "FUNCTION" || c.target == "AGGREGATE") {
    RTPIPE_ASSIGN_OR_RETURN(c.arg_types, r.StringList());
  }
  return c;
}

}  // namespace

std::string SchemaChange::ToString() const {
  if (name.empty()) return fmt::format("{} {} {}", change_type, target, keyspace);
  if (!arg_types.empty() || target == "FUNCTION" || target == "AGGREGATE") {
    return fmt::format("{} {} {}.{}({})", change_type, target, keyspace, name, fmt::join(arg_types, ", "));
  }
  return fmt::format("{} {} {}.{}", change_type, target, keyspace, name);
}

Result<ResultMessage> DecodeResult(std::string body, size_t offset) {
  if (offset > body.size()) return Status::Corruption("RESULT offset {} past a {} byte body", offset, body.size());
  ResultMessage m;
  int32_t kind = 0;
  {
    CqlReader r(std::string_view(body).substr(offset));
    RTPIPE_ASSIGN_OR_RETURN(kind, r.Int());
    m.kind = static_cast<ResultKind>(kind);
    switch (m.kind) {
      case ResultKind::kVoid:
        return m;
      case ResultKind::kRows:
        break;  // below, once the reader no longer borrows `body`
      case ResultKind::kSetKeyspace: {
        RTPIPE_ASSIGN_OR_RETURN(auto ks, r.String());
        m.keyspace = std::string(ks);
        return m;
      }
      case ResultKind::kPrepared: {
        RTPIPE_ASSIGN_OR_RETURN(m.prepared, DecodePrepared(r));
        return m;
      }
      case ResultKind::kSchemaChange: {
        RTPIPE_ASSIGN_OR_RETURN(m.schema_change, DecodeSchemaChange(r));
        return m;
      }
      default:
        return Status::Corruption("RESULT of unknown kind {}", kind);
    }
  }
  RTPIPE_ASSIGN_OR_RETURN(m.rows, CqlRows::Decode(std::move(body), offset + 4));
  return m;
}

Result<std::pair<std::string, std::string>> DecodeEvent(std::string_view message) {
  CqlReader r(message);
  RTPIPE_ASSIGN_OR_RETURN(auto type, r.String());
  std::string description;
  if (type == "TOPOLOGY_CHANGE" || type == "STATUS_CHANGE") {
    RTPIPE_ASSIGN_OR_RETURN(auto change, r.String());
    RTPIPE_ASSIGN_OR_RETURN(auto address, r.Inet());
    description = fmt::format("{} {}", change, address);
  } else if (type == "SCHEMA_CHANGE") {
    RTPIPE_ASSIGN_OR_RETURN(auto change, DecodeSchemaChange(r));
    description = change.ToString();
  } else {
    return Status::Corruption("EVENT of unknown type \"{}\"", type);
  }
  return std::make_pair(std::string(type), std::move(description));
}

}  // namespace rtpipe::cql
