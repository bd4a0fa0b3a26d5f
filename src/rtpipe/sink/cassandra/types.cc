#include "rtpipe/sink/cassandra/types.h"

#include <fmt/format.h>

#include <chrono>
#include <random>

namespace rtpipe::cql {
namespace {

constexpr int kMaxTypeDepth = 16;

std::string NativeName(CqlTypeId id) {
  switch (id) {
    case CqlTypeId::kAscii:
      return "ascii";
    case CqlTypeId::kBigint:
      return "bigint";
    case CqlTypeId::kBlob:
      return "blob";
    case CqlTypeId::kBoolean:
      return "boolean";
    case CqlTypeId::kCounter:
      return "counter";
    case CqlTypeId::kDecimal:
      return "decimal";
    case CqlTypeId::kDouble:
      return "double";
    case CqlTypeId::kFloat:
      return "float";
    case CqlTypeId::kInt:
      return "int";
    case CqlTypeId::kTimestamp:
      return "timestamp";
    case CqlTypeId::kUuid:
      return "uuid";
    case CqlTypeId::kVarchar:
      return "text";
    case CqlTypeId::kVarint:
      return "varint";
    case CqlTypeId::kTimeuuid:
      return "timeuuid";
    case CqlTypeId::kInet:
      return "inet";
    case CqlTypeId::kDate:
      return "date";
    case CqlTypeId::kTime:
      return "time";
    case CqlTypeId::kSmallint:
      return "smallint";
    case CqlTypeId::kTinyint:
      return "tinyint";
    case CqlTypeId::kDuration:
      return "duration";
    default:
      return "";
  }
}

Result<CqlType> ReadTypeAt(CqlReader& reader, int depth) {
  if (depth > kMaxTypeDepth) return Status::Corruption("CQL type nested deeper than {} levels", kMaxTypeDepth);
  RTPIPE_ASSIGN_OR_RETURN(uint16_t raw, reader.Short());
  CqlType t;
  t.id = static_cast<CqlTypeId>(raw);
  switch (t.id) {
    case CqlTypeId::kCustom: {
      RTPIPE_ASSIGN_OR_RETURN(auto name, reader.String());
      t.custom_class = std::string(name);
      return t;
    }
    case CqlTypeId::kList:
    case CqlTypeId::kSet: {
      RTPIPE_ASSIGN_OR_RETURN(auto element, ReadTypeAt(reader, depth + 1));
      t.params.push_back(std::move(element));
      return t;
    }
    case CqlTypeId::kMap: {
      RTPIPE_ASSIGN_OR_RETURN(auto key, ReadTypeAt(reader, depth + 1));
      RTPIPE_ASSIGN_OR_RETURN(auto value, ReadTypeAt(reader, depth + 1));
      t.params.push_back(std::move(key));
      t.params.push_back(std::move(value));
      return t;
    }
    case CqlTypeId::kUdt: {
      RTPIPE_ASSIGN_OR_RETURN(auto ks, reader.String());
      RTPIPE_ASSIGN_OR_RETURN(auto name, reader.String());
      t.udt_keyspace = std::string(ks);
      t.udt_name = std::string(name);
      RTPIPE_ASSIGN_OR_RETURN(uint16_t n, reader.Short());
      if (static_cast<size_t>(n) * 4 > reader.remaining()) return Status::Corruption("UDT with {} fields truncated", n);
      for (uint16_t i = 0; i < n; ++i) {
        RTPIPE_ASSIGN_OR_RETURN(auto field, reader.String());
        RTPIPE_ASSIGN_OR_RETURN(auto type, ReadTypeAt(reader, depth + 1));
        t.field_names.emplace_back(field);
        t.params.push_back(std::move(type));
      }
      return t;
    }
    case CqlTypeId::kTuple: {
      RTPIPE_ASSIGN_OR_RETURN(uint16_t n, reader.Short());
      if (static_cast<size_t>(n) * 2 > reader.remaining()) {
        return Status::Corruption("tuple with {} elements truncated", n);
      }
      for (uint16_t i = 0; i < n; ++i) {
        RTPIPE_ASSIGN_OR_RETURN(auto type, ReadTypeAt(reader, depth + 1));
        t.params.push_back(std::move(type));
      }
      return t;
    }
    default:
      if (NativeName(t.id).empty()) return Status::Corruption("unknown CQL type id 0x{:04x}", raw);
      return t;
  }
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string CqlType::ToString() const {
  switch (id) {
    case CqlTypeId::kCustom:
      return fmt::format("'{}'", custom_class);
    case CqlTypeId::kList:
      return fmt::format("list<{}>", params.at(0).ToString());
    case CqlTypeId::kSet:
      return fmt::format("set<{}>", params.at(0).ToString());
    case CqlTypeId::kMap:
      return fmt::format("map<{}, {}>", params.at(0).ToString(), params.at(1).ToString());
    case CqlTypeId::kUdt:
      return fmt::format("frozen<{}.{}>", udt_keyspace, udt_name);
    case CqlTypeId::kTuple: {
      std::string out = "tuple<";
      for (size_t i = 0; i < params.size(); ++i) out += (i ? ", " : "") + params[i].ToString();
      return out + ">";
    }
    default:
      return NativeName(id);
  }
}

Result<CqlType> ReadType(CqlReader& reader) { return ReadTypeAt(reader, 0); }

Result<Uuid> Uuid::Parse(std::string_view text) {
  auto bad = [&] { return Status::InvalidArgument("not a UUID (want 8-4-4-4-12 hex digits): \"{}\"", text); };
  if (text.size() != 36) return bad();
  Uuid u;
  size_t out = 0;
  for (size_t i = 0; i < 36;) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (text[i] != '-') return bad();
      ++i;
      continue;
    }
    int hi = HexDigit(text[i]);
    int lo = HexDigit(text[i + 1]);
    if (hi < 0 || lo < 0) return bad();
    u.bytes[out++] = static_cast<uint8_t>((hi << 4) | lo);
    i += 2;
  }
  return u;
}

Uuid Uuid::Random() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  Uuid u;
  uint64_t a = rng();
  uint64_t b = rng();
  for (int i = 0; i < 8; ++i) {
    u.bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(a >> (56 - 8 * i));
    u.bytes[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(b >> (56 - 8 * i));
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0F) | 0x40);  // version 4
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return u;
}

std::string Uuid::ToString() const {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

Result<CqlDate> CqlDate::FromYmd(int year, unsigned month, unsigned day) {
  using namespace std::chrono;
  year_month_day ymd{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return Status::InvalidArgument("not a calendar date: {:04d}-{:02d}-{:02d}", year, month, day);
  return CqlDate{static_cast<int32_t>(sys_days(ymd).time_since_epoch().count())};
}

Result<CqlDate> CqlDate::Parse(std::string_view text) {
  auto bad = [&] { return Status::InvalidArgument("not a date (want YYYY-MM-DD): \"{}\"", text); };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int parts[3] = {0, 0, 0};
  const size_t starts[3] = {0, 5, 8};
  const size_t widths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (size_t i = starts[p]; i < starts[p] + widths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return bad();
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  if (parts[0] == 0) return bad();
  return FromYmd(parts[0], static_cast<unsigned>(parts[1]), static_cast<unsigned>(parts[2]));
}

std::string CqlDate::ToString() const {
  // Proleptic Gregorian calendar over the whole 32-bit range (std::chrono::year stops at ±32767):
  // count in 400-year eras of 146097 days, with years starting on March 1st so leap days come last.
  const int64_t z = static_cast<int64_t>(days_since_epoch) + 719468;  // days since 0000-03-01
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;                                       // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // March = 0
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return fmt::format("{:04d}-{:02d}-{:02d}", year, month, day);
}

}  // namespace rtpipe::cql
