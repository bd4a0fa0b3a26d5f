#pragma once
// CqlValue: one bound value of a QUERY/EXECUTE/BATCH, and the decoders of result cells
// (spec §6, Data Type Serialization Formats). Values are big-endian:
//
//   boolean 1 B (0 false)   int 4 B   bigint/counter/timestamp (ms since epoch)/time (ns) 8 B
//   double 8 B IEEE-754     float 4 B   smallint 2 B   tinyint 1 B
//   date 4 B unsigned, days with the epoch at 2^31   uuid/timeuuid 16 B   text/ascii/blob raw bytes
//
// A bound value goes on the wire as [value]: [int] length, then the bytes; -1 is null and -2 "not
// set" (the column is left untouched). CqlValue is a plain value type (thread-compatible).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/sink/cassandra/types.h"
#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {

class CqlValue {
 public:
  enum class Kind : uint8_t {
    kNull,
    kUnset,
    kBoolean,
    kTinyint,
    kSmallint,
    kInt,
    kBigint,
    kFloat,
    kDouble,
    kText,
    kBlob,
    kUuid,
    kTimestamp,
    kDate,
    kTime,
  };

  CqlValue() = default;  // null
  static CqlValue Null() { return CqlValue(); }
  static CqlValue Unset() { return CqlValue(Kind::kUnset); }
  static CqlValue Boolean(bool v) { return CqlValue(Kind::kBoolean, v ? 1 : 0); }
  static CqlValue Tinyint(int8_t v) { return CqlValue(Kind::kTinyint, v); }
  static CqlValue Smallint(int16_t v) { return CqlValue(Kind::kSmallint, v); }
  static CqlValue Int(int32_t v) { return CqlValue(Kind::kInt, v); }
  static CqlValue Bigint(int64_t v) { return CqlValue(Kind::kBigint, v); }
  static CqlValue Float(float v);
  static CqlValue Double(double v);
  static CqlValue Text(std::string v);
  static CqlValue Blob(std::string bytes);
  static CqlValue FromUuid(const Uuid& v);
  static CqlValue FromTimestamp(Timestamp v) { return CqlValue(Kind::kTimestamp, ToMillis(v)); }
  static CqlValue FromDate(CqlDate v) { return CqlValue(Kind::kDate, v.days_since_epoch); }
  /// Nanoseconds since midnight, 0..86'399'999'999'999.
  static CqlValue Time(int64_t nanos) { return CqlValue(Kind::kTime, nanos); }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  /// "int", "text", ... (the CQL name of the value's own type; "null", "unset").
  std::string_view KindName() const;

  /// True when the server accepts this value for a column of `type` (null/unset fit any type;
  /// text fits text and ascii; uuid fits uuid and timeuuid; bigint fits bigint and counter).
  bool FitsType(const CqlType& type) const;

  /// Appends this value as a [value].
  void AppendTo(CqlWriter& w) const;

  friend bool operator==(const CqlValue&, const CqlValue&) = default;

 private:
  explicit CqlValue(Kind k, int64_t i = 0) : kind_(k), int_(i) {}

  Kind kind_ = Kind::kNull;
  int64_t int_ = 0;    // boolean, integers, timestamp (ms), date (days), time (ns), float/double bits
  std::string bytes_;  // text, blob, uuid (16 bytes)
};

/// Decoders of a non-null cell's bytes for a column of the given type; each checks the length and
/// refuses a cell whose column type differs, naming both (e.g. "column is text, read as int").
Result<bool> DecodeBoolean(const CqlType& type, std::string_view cell);
Result<int32_t> DecodeInt(const CqlType& type, std::string_view cell);       // int, smallint, tinyint
Result<int64_t> DecodeBigint(const CqlType& type, std::string_view cell);    // bigint, counter, time, and narrower
Result<double> DecodeDouble(const CqlType& type, std::string_view cell);     // double, float
Result<std::string> DecodeText(const CqlType& type, std::string_view cell);  // text, ascii
Result<Uuid> DecodeUuid(const CqlType& type, std::string_view cell);         // uuid, timeuuid
Result<Timestamp> DecodeTimestamp(const CqlType& type, std::string_view cell);
Result<CqlDate> DecodeDate(const CqlType& type, std::string_view cell);
/// list<T> and set<T>: the element cells, to be decoded with the element type (type.params[0]).
Result<std::vector<std::string_view>> DecodeCollection(const CqlType& type, std::string_view cell);

/// A human rendering of any cell (for logs, cqlsh-like output and tests): numbers, quoted-free
/// text, UUIDs, dates, timestamps in ISO-8601, blobs as 0x..., collections as [..]/{..}, "null".
std::string FormatCell(const CqlType& type, std::string_view cell, bool is_null);

}  // namespace rtpipe::cql
