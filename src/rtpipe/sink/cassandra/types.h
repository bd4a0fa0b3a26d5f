#pragma once
// CQL data types (spec §4.2.5.2 [option] type ids) and the value types rtpipe binds and reads:
// Uuid (uuid/timeuuid) and CqlDate (date). Pure value types; thread-compatible.

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {

enum class CqlTypeId : uint16_t {
  kCustom = 0x0000,
  kAscii = 0x0001,
  kBigint = 0x0002,
  kBlob = 0x0003,
  kBoolean = 0x0004,
  kCounter = 0x0005,
  kDecimal = 0x0006,
  kDouble = 0x0007,
  kFloat = 0x0008,
  kInt = 0x0009,
  kTimestamp = 0x000B,
  kUuid = 0x000C,
  kVarchar = 0x000D,  // "text"
  kVarint = 0x000E,
  kTimeuuid = 0x000F,
  kInet = 0x0010,
  kDate = 0x0011,
  kTime = 0x0012,
  kSmallint = 0x0013,
  kTinyint = 0x0014,
  kDuration = 0x0015,
  kList = 0x0020,
  kMap = 0x0021,
  kSet = 0x0022,
  kUdt = 0x0030,
  kTuple = 0x0031,
};

/// A column or bind-marker type as the server describes it. Collections, tuples and UDTs carry
/// their element types in `params` (list/set: 1, map: key and value, tuple/UDT: one per field).
struct CqlType {
  CqlTypeId id = CqlTypeId::kBlob;
  std::string custom_class;              // kCustom: the server's Java class name
  std::string udt_keyspace, udt_name;    // kUdt
  std::vector<std::string> field_names;  // kUdt
  std::vector<CqlType> params;

  /// CQL spelling: "text", "bigint", "list<text>", "map<text, int>", "frozen<ks.address>", ...
  std::string ToString() const;
  friend bool operator==(const CqlType&, const CqlType&) = default;

  static CqlType Of(CqlTypeId id) {
    CqlType t;
    t.id = id;
    return t;
  }
};

/// Reads an [option] type description. Nesting deeper than 16 levels is refused as corruption, so
/// hostile input cannot exhaust the stack.
Result<CqlType> ReadType(CqlReader& reader);

/// A 128-bit UUID (RFC 4122 byte order, as on the wire).
struct Uuid {
  std::array<uint8_t, 16> bytes{};

  /// Parses the canonical 8-4-4-4-12 hex form (either case).
  static Result<Uuid> Parse(std::string_view text);
  /// A random (version 4) UUID from a thread-local generator.
  static Uuid Random();
  /// Lower-case 8-4-4-4-12 form.
  std::string ToString() const;
  int version() const { return bytes[6] >> 4; }
  auto operator<=>(const Uuid&) const = default;
};

/// A CQL `date`: days since 1970-01-01 (negative before). On the wire it is an unsigned 32-bit
/// count with the epoch at 2^31 (spec §6.5).
struct CqlDate {
  int32_t days_since_epoch = 0;

  static Result<CqlDate> FromYmd(int year, unsigned month, unsigned day);
  /// Parses "YYYY-MM-DD" (years 0001..9999).
  static Result<CqlDate> Parse(std::string_view text);
  std::string ToString() const;
  auto operator<=>(const CqlDate&) const = default;
};

}  // namespace rtpipe::cql
