#pragma once
// Message bodies of the CQL native protocol v4 (spec §4): request encoders and response decoders.
// Frame headers are frame.h's business; these functions see bodies only. Pure and thread-safe.
//
// <query_parameters> of QUERY and EXECUTE (spec §4.1.4):
//   <consistency:short><flags:byte>[<n:short><value_1>...<value_n>][<result_page_size:int>]
//   [<paging_state:bytes>][<serial_consistency:short>][<timestamp:long>]
//   flags 0x01 values, 0x02 skip metadata, 0x04 page size, 0x08 paging state,
//         0x10 serial consistency, 0x20 default timestamp, 0x40 named values (unused here)

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/sink/cassandra/frame.h"
#include "rtpipe/sink/cassandra/options.h"
#include "rtpipe/sink/cassandra/rows.h"
#include "rtpipe/sink/cassandra/value.h"

namespace rtpipe::cql {

// ---- Requests ----------------------------------------------------------------------------------

/// <query_parameters> with every field resolved.
struct QueryParams {
  Consistency consistency = Consistency::kLocalQuorum;
  std::optional<Consistency> serial_consistency;
  int32_t page_size = 0;  // <= 0: no paging flag
  std::string_view paging_state;
  std::optional<int64_t> timestamp_micros;
};

/// STARTUP: CQL_VERSION 3.0.0, optional COMPRESSION=lz4, and the driver's name and version.
std::string EncodeStartup(bool lz4);
/// SASL PLAIN initial response for PasswordAuthenticator: "\0user\0password".
std::string PlainSaslToken(std::string_view user, std::string_view password);
std::string EncodeAuthResponse(std::string_view token);
std::string EncodeQuery(std::string_view query, std::span<const CqlValue> values, const QueryParams& params);
std::string EncodePrepare(std::string_view query);
std::string EncodeExecute(std::string_view prepared_id, std::span<const CqlValue> values, const QueryParams& params);
std::string EncodeRegister(const std::vector<std::string>& event_types);

enum class BatchType : uint8_t { kLogged = 0, kUnlogged = 1, kCounter = 2 };

/// One statement of a BATCH: a query string or a prepared id, with its values.
struct BatchEntry {
  bool prepared = false;
  std::string_view query_or_id;
  std::span<const CqlValue> values;
};
/// BATCH: <type><n><query_1>...<query_n><consistency><flags>[<serial_consistency>][<timestamp>].
std::string EncodeBatch(BatchType type, std::span<const BatchEntry> entries, const QueryParams& params);

// ---- Responses ---------------------------------------------------------------------------------

/// What precedes the message proper in a response body, per the frame flags (spec §2.2).
struct Envelope {
  std::optional<Uuid> tracing_id;
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, std::string>> custom_payload;
  size_t message_offset = 0;  // where the message body starts
};
Result<Envelope> DecodeEnvelope(const FrameHeader& header, std::string_view body);

/// AUTHENTICATE: the authenticator's class name.
Result<std::string> DecodeAuthenticate(std::string_view message);
/// AUTH_CHALLENGE / AUTH_SUCCESS token (nullopt for a null token).
Result<std::optional<std::string>> DecodeAuthToken(std::string_view message);
/// SUPPORTED: option name -> allowed values.
Result<std::map<std::string, std::vector<std::string>>> DecodeSupported(std::string_view message);

enum class ResultKind : int32_t { kVoid = 1, kRows = 2, kSetKeyspace = 3, kPrepared = 4, kSchemaChange = 5 };

struct PreparedResult {
  std::string id;                        // [short bytes]
  std::vector<ColumnSpec> bind_columns;  // one per bind marker
  std::vector<uint16_t> pk_indexes;      // bind markers of the partition key, in key order
  ResultMetadata result_metadata;        // columns a SELECT will return (may be empty)
};

struct SchemaChange {
  std::string change_type;  // CREATED, UPDATED, DROPPED
  std::string target;       // KEYSPACE, TABLE, TYPE, FUNCTION, AGGREGATE
  std::string keyspace;
  std::string name;  // table/type/function/aggregate; empty for KEYSPACE
  std::vector<std::string> arg_types;
  std::string ToString() const;  // "CREATED TABLE ks.t"
};

struct ResultMessage {
  ResultKind kind = ResultKind::kVoid;
  CqlRows rows;                // kRows
  std::string keyspace;        // kSetKeyspace
  PreparedResult prepared;     // kPrepared
  SchemaChange schema_change;  // kSchemaChange
};

/// Decodes a RESULT message. `body` is the whole frame body (owned: rows keep it), the message
/// starting at `offset` (Envelope::message_offset).
Result<ResultMessage> DecodeResult(std::string body, size_t offset);

/// EVENT (server push, stream -1): the event type and a readable description.
Result<std::pair<std::string, std::string>> DecodeEvent(std::string_view message);

}  // namespace rtpipe::cql
