#include "rtpipe/sink/cassandra/value.h"

#include <fmt/format.h>

#include <bit>
#include <cstring>

namespace rtpipe::cql {
namespace {

constexpr int64_t kMaxTimeNanos = 86'399'999'999'999;

bool IsOneOf(CqlTypeId id, std::initializer_list<CqlTypeId> ids) {
  for (auto candidate : ids) {
    if (id == candidate) return true;
  }
  return false;
}

Status WrongType(const CqlType& type, std::string_view wanted) {
  return Status::InvalidArgument("column is {}, read as {}", type.ToString(), wanted);
}

Status WrongLength(const CqlType& type, size_t got, std::string_view expected) {
  return Status::Corruption("{} cell of {} bytes (expected {})", type.ToString(), got, expected);
}

int64_t LoadSigned(std::string_view cell) {
  // Sign-extends a 1, 2, 4 or 8 byte big-endian two's complement integer.
  uint64_t v = 0;
  for (char c : cell) v = (v << 8) | static_cast<uint8_t>(c);
  const unsigned bits = static_cast<unsigned>(cell.size()) * 8;
  if (bits < 64 && (v >> (bits - 1)) != 0) v |= ~uint64_t{0} << bits;
  return static_cast<int64_t>(v);
}

size_t IntegerWidth(CqlTypeId id) {
  switch (id) {
    case CqlTypeId::kTinyint:
      return 1;
    case CqlTypeId::kSmallint:
      return 2;
    case CqlTypeId::kInt:
      return 4;
    case CqlTypeId::kBigint:
    case CqlTypeId::kCounter:
    case CqlTypeId::kTime:
    case CqlTypeId::kTimestamp:
      return 8;
    default:
      return 0;
  }
}

}  // namespace

CqlValue CqlValue::Float(float v) { return CqlValue(Kind::kFloat, std::bit_cast<uint32_t>(v)); }
CqlValue CqlValue::Double(double v) { return CqlValue(Kind::kDouble, std::bit_cast<int64_t>(v)); }

CqlValue CqlValue::Text(std::string v) {
  CqlValue out(Kind::kText);
  out.bytes_ = std::move(v);
  return out;
}

CqlValue CqlValue::Blob(std::string bytes) {
  CqlValue out(Kind::kBlob);
  out.bytes_ = std::move(bytes);
  return out;
}

CqlValue CqlValue::FromUuid(const Uuid& v) {
  CqlValue out(Kind::kUuid);
  out.bytes_.assign(reinterpret_cast<const char*>(v.bytes.data()), v.bytes.size());
  return out;
}

std::string_view CqlValue::KindName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kUnset:
      return "unset";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kTinyint:
      return "tinyint";
    case Kind::kSmallint:
      return "smallint";
    case Kind::kInt:
      return "int";
    case Kind::kBigint:
      return "bigint";
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kText:
      return "text";
    case Kind::kBlob:
      return "blob";
    case Kind::kUuid:
      return "uuid";
    case Kind::kTimestamp:
      return "timestamp";
    case Kind::kDate:
      return "date";
    case Kind::kTime:
      return "time";
  }
  return "?";
}

bool CqlValue::FitsType(const CqlType& type) const {
  using T = CqlTypeId;
  switch (kind_) {
    case Kind::kNull:
    case Kind::kUnset:
      return true;
    case Kind::kBoolean:
      return type.id == T::kBoolean;
    case Kind::kTinyint:
      return type.id == T::kTinyint;
    case Kind::kSmallint:
      return type.id == T::kSmallint;
    case Kind::kInt:
      return type.id == T::kInt;
    case Kind::kBigint:
      return IsOneOf(type.id, {T::kBigint, T::kCounter});
    case Kind::kFloat:
      return type.id == T::kFloat;
    case Kind::kDouble:
      return type.id == T::kDouble;
    case Kind::kText:
      return IsOneOf(type.id, {T::kVarchar, T::kAscii});
    case Kind::kBlob:
      return true;  // raw bytes: the caller takes responsibility for the encoding
    case Kind::kUuid:
      return IsOneOf(type.id, {T::kUuid, T::kTimeuuid});
    case Kind::kTimestamp:
      return type.id == T::kTimestamp;
    case Kind::kDate:
      return type.id == T::kDate;
    case Kind::kTime:
      return type.id == T::kTime;
  }
  return false;
}

void CqlValue::AppendTo(CqlWriter& w) const {
  switch (kind_) {
    case Kind::kNull:
      w.Int(-1);
      return;
    case Kind::kUnset:
      w.Int(-2);
      return;
    case Kind::kBoolean:
      w.Int(1);
      w.Byte(int_ != 0 ? 1 : 0);
      return;
    case Kind::kTinyint:
      w.Int(1);
      w.Byte(static_cast<uint8_t>(int_));
      return;
    case Kind::kSmallint:
      w.Int(2);
      w.Short(static_cast<uint16_t>(int_));
      return;
    case Kind::kInt:
    case Kind::kFloat:
      w.Int(4);
      w.Int(static_cast<int32_t>(static_cast<uint32_t>(int_)));
      return;
    case Kind::kDate:
      // Unsigned days with the epoch at 2^31: adding 2^31 modulo 2^32 flips the top bit.
      w.Int(4);
      w.Int(static_cast<int32_t>(static_cast<uint32_t>(int_) ^ 0x80000000u));
      return;
    case Kind::kBigint:
    case Kind::kDouble:
    case Kind::kTimestamp:
    case Kind::kTime:
      w.Int(8);
      w.Long(int_);
      return;
    case Kind::kText:
    case Kind::kBlob:
    case Kind::kUuid:
      w.Bytes(bytes_);
      return;
  }
}

Result<bool> DecodeBoolean(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kBoolean) return WrongType(type, "boolean");
  if (cell.size() != 1) return WrongLength(type, cell.size(), "1");
  return cell[0] != 0;
}

Result<int32_t> DecodeInt(const CqlType& type, std::string_view cell) {
  size_t width = IntegerWidth(type.id);
  if (width == 0 || width > 4) return WrongType(type, "int");
  if (cell.size() != width) return WrongLength(type, cell.size(), std::to_string(width));
  return static_cast<int32_t>(LoadSigned(cell));
}

Result<int64_t> DecodeBigint(const CqlType& type, std::string_view cell) {
  size_t width = IntegerWidth(type.id);
  if (width == 0 || type.id == CqlTypeId::kTimestamp) return WrongType(type, "bigint");
  if (cell.size() != width) return WrongLength(type, cell.size(), std::to_string(width));
  int64_t v = LoadSigned(cell);
  if (type.id == CqlTypeId::kTime && (v < 0 || v > kMaxTimeNanos)) {
    return Status::Corruption("time cell of {} ns is outside 0..{}", v, kMaxTimeNanos);
  }
  return v;
}

Result<double> DecodeDouble(const CqlType& type, std::string_view cell) {
  if (type.id == CqlTypeId::kDouble) {
    if (cell.size() != 8) return WrongLength(type, cell.size(), "8");
    return std::bit_cast<double>(LoadU64(cell.data()));
  }
  if (type.id == CqlTypeId::kFloat) {
    if (cell.size() != 4) return WrongLength(type, cell.size(), "4");
    return static_cast<double>(std::bit_cast<float>(LoadU32(cell.data())));
  }
  return WrongType(type, "double");
}

Result<std::string> DecodeText(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kVarchar && type.id != CqlTypeId::kAscii) return WrongType(type, "text");
  return std::string(cell);
}

Result<Uuid> DecodeUuid(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kUuid && type.id != CqlTypeId::kTimeuuid) return WrongType(type, "uuid");
  if (cell.size() != 16) return WrongLength(type, cell.size(), "16");
  Uuid u;
  std::memcpy(u.bytes.data(), cell.data(), 16);
  return u;
}

Result<Timestamp> DecodeTimestamp(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kTimestamp) return WrongType(type, "timestamp");
  if (cell.size() != 8) return WrongLength(type, cell.size(), "8");
  return TimestampFromMillis(static_cast<int64_t>(LoadU64(cell.data())));
}

Result<CqlDate> DecodeDate(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kDate) return WrongType(type, "date");
  if (cell.size() != 4) return WrongLength(type, cell.size(), "4");
  return CqlDate{static_cast<int32_t>(LoadU32(cell.data()) ^ 0x80000000u)};
}

Result<std::vector<std::string_view>> DecodeCollection(const CqlType& type, std::string_view cell) {
  if (type.id != CqlTypeId::kList && type.id != CqlTypeId::kSet) return WrongType(type, "list or set");
  CqlReader r(cell);
  RTPIPE_ASSIGN_OR_RETURN(int32_t n, r.Int());
  if (n < 0 || static_cast<size_t>(n) * 4 > r.remaining()) {
    return Status::Corruption("{} cell claims {} elements in {} bytes", type.ToString(), n, r.remaining());
  }
  std::vector<std::string_view> out;
  out.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    RTPIPE_ASSIGN_OR_RETURN(auto element, r.Bytes());
    out.push_back(element);
  }
  return out;
}

namespace {

std::string FormatAt(const CqlType& type, std::string_view cell, bool is_null, int depth);

std::string FormatElements(CqlReader& r, const CqlType& type, int depth, bool map) {
  auto n = r.Int();
  if (!n.ok() || *n < 0) return "<malformed>";
  std::string out;
  for (int32_t i = 0; i < *n; ++i) {
    if (i > 0) out += ", ";
    bool null = false;
    auto a = r.Bytes(&null);
    if (!a.ok()) return out + "<malformed>";
    out += FormatAt(type.params.at(0), *a, null, depth + 1);
    if (map) {
      auto b = r.Bytes(&null);
      if (!b.ok()) return out + "<malformed>";
      out += ": " + FormatAt(type.params.at(1), *b, null, depth + 1);
    }
  }
  return out;
}

std::string Hex(std::string_view bytes) {
  std::string out = "0x";
  for (char c : bytes) out += fmt::format("{:02x}", static_cast<uint8_t>(c));
  return out;
}

std::string FormatAt(const CqlType& type, std::string_view cell, bool is_null, int depth) {
  using T = CqlTypeId;
  if (is_null) return "null";
  if (depth > 16) return "...";
  auto or_hex = [&](auto result, auto&& render) -> std::string {
    if (!result.ok()) return Hex(cell);
    return render(*result);
  };
  switch (type.id) {
    case T::kBoolean:
      return or_hex(DecodeBoolean(type, cell), [](bool v) { return std::string(v ? "true" : "false"); });
    case T::kTinyint:
    case T::kSmallint:
    case T::kInt:
      return or_hex(DecodeInt(type, cell), [](int32_t v) { return std::to_string(v); });
    case T::kBigint:
    case T::kCounter:
    case T::kTime:
      return or_hex(DecodeBigint(type, cell), [](int64_t v) { return std::to_string(v); });
    case T::kFloat:
    case T::kDouble:
      return or_hex(DecodeDouble(type, cell), [](double v) { return fmt::format("{}", v); });
    case T::kVarchar:
    case T::kAscii:
      return std::string(cell);
    case T::kUuid:
    case T::kTimeuuid:
      return or_hex(DecodeUuid(type, cell), [](const Uuid& v) { return v.ToString(); });
    case T::kTimestamp:
      return or_hex(DecodeTimestamp(type, cell), [](Timestamp v) { return FormatIso8601(v); });
    case T::kDate:
      return or_hex(DecodeDate(type, cell), [](CqlDate v) { return v.ToString(); });
    case T::kInet: {
      if (cell.size() == 4) {
        return fmt::format("{}.{}.{}.{}", static_cast<uint8_t>(cell[0]), static_cast<uint8_t>(cell[1]),
                           static_cast<uint8_t>(cell[2]), static_cast<uint8_t>(cell[3]));
      }
      return Hex(cell);
    }
    case T::kList:
    case T::kSet: {
      CqlReader r(cell);
      bool list = type.id == T::kList;
      return (list ? "[" : "{") + FormatElements(r, type, depth, false) + (list ? "]" : "}");
    }
    case T::kMap: {
      CqlReader r(cell);
      return "{" + FormatElements(r, type, depth, true) + "}";
    }
    case T::kTuple:
    case T::kUdt: {
      CqlReader r(cell);
      std::string out = "(";
      for (size_t i = 0; i < type.params.size() && !r.AtEnd(); ++i) {
        bool null = false;
        auto field = r.Bytes(&null);
        if (!field.ok()) return out + "<malformed>)";
        if (i > 0) out += ", ";
        if (type.id == T::kUdt) out += type.field_names.at(i) + ": ";
        out += FormatAt(type.params[i], *field, null, depth + 1);
      }
      return out + ")";
    }
    default:
      return Hex(cell);
  }
}

}  // namespace

std::string FormatCell(const CqlType& type, std::string_view cell, bool is_null) {
  return FormatAt(type, cell, is_null, 0);
}

}  // namespace rtpipe::cql
