#include "rtpipe/capture/postgres_pgoutput.h"

#include <charconv>
#include <chrono>

namespace rtpipe::pgoutput {
namespace {

// A bounds-checked big-endian reader over one message.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : p_(bytes) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return p_.size(); }

  template <typename T>
  T Int() {
    if (p_.size() < sizeof(T)) return Fail<T>();
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v = (v << 8) | static_cast<uint8_t>(p_[i]);
    p_.remove_prefix(sizeof(T));
    return static_cast<T>(v);
  }
  char Byte() { return static_cast<char>(Int<uint8_t>()); }
  std::string_view String() {
    size_t nul = p_.find('\0');
    if (nul == std::string_view::npos) return Fail<std::string_view>();
    std::string_view s = p_.substr(0, nul);
    p_.remove_prefix(nul + 1);
    return s;
  }
  std::string_view Bytes(size_t n) {
    if (p_.size() < n) return Fail<std::string_view>();
    std::string_view s = p_.substr(0, n);
    p_.remove_prefix(n);
    return s;
  }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    p_ = {};
    return T{};
  }

  std::string_view p_;
  bool ok_ = true;
};

int64_t ToUnixMicros(int64_t pg_micros) { return pg_micros + kPgEpochUnixMicros; }

Status ReadTuple(Reader& r, std::vector<Value>& out) {
  auto n = r.Int<int16_t>();
  if (!r.ok() || n < 0) return Status::Corruption("pgoutput: bad column count in tuple data");
  out.clear();
  out.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    Value v;
    switch (r.Byte()) {
      case 'n':
        v.tag = Value::Tag::kNull;
        break;
      case 'u':
        v.tag = Value::Tag::kUnchanged;
        break;
      case 't': {
        auto len = r.Int<int32_t>();
        if (len < 0) return Status::Corruption("pgoutput: negative value length");
        v.tag = Value::Tag::kText;
        v.text = r.Bytes(static_cast<size_t>(len));
        break;
      }
      default:
        return Status::Corruption("pgoutput: unknown tuple value kind in column {}", i + 1);
    }
    if (!r.ok()) return Status::Corruption("pgoutput: tuple data truncated in column {}", i + 1);
    out.push_back(v);
  }
  return Status::OK();
}

bool Digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

Status Decode(std::string_view bytes, Message& out) {
  Reader r(bytes);
  out.tag = r.Byte();
  if (!r.ok()) return Status::Corruption("pgoutput: empty message");
  switch (out.tag) {
    case 'B':
      out.kind = Kind::kBegin;
      out.lsn = PgLsn{r.Int<uint64_t>()};
      out.commit_time_us = ToUnixMicros(r.Int<int64_t>());
      out.xid = r.Int<uint32_t>();
      break;
    case 'C':
      out.kind = Kind::kCommit;
      (void)r.Byte();  // flags
      out.lsn = PgLsn{r.Int<uint64_t>()};
      out.end_lsn = PgLsn{r.Int<uint64_t>()};
      out.commit_time_us = ToUnixMicros(r.Int<int64_t>());
      break;
    case 'R': {
      out.kind = Kind::kRelation;
      Relation& rel = out.relation;
      rel.id = r.Int<uint32_t>();
      rel.ns = std::string(r.String());
      rel.name = std::string(r.String());
      (void)r.Byte();  // replica identity
      auto n = r.Int<int16_t>();
      if (!r.ok() || n < 0) return Status::Corruption("pgoutput: relation message truncated");
      rel.columns.clear();
      for (int i = 0; i < n && r.ok(); ++i) {
        Column c;
        c.key = (r.Byte() & 1) != 0;
        c.name = std::string(r.String());
        c.type_oid = r.Int<uint32_t>();
        (void)r.Int<int32_t>();  // type modifier
        rel.columns.push_back(std::move(c));
      }
      break;
    }
    case 'I': {
      out.kind = Kind::kInsert;
      out.relation_id = r.Int<uint32_t>();
      if (r.Byte() != 'N') return Status::Corruption("pgoutput: insert without new tuple");
      RTPIPE_RETURN_IF_ERROR(ReadTuple(r, out.tuple));
      break;
    }
    case 'U': {
      out.kind = Kind::kUpdate;
      out.relation_id = r.Int<uint32_t>();
      char part = r.Byte();
      if (part == 'K' || part == 'O') {
        RTPIPE_RETURN_IF_ERROR(ReadTuple(r, out.tuple));  // old values: read past them
        part = r.Byte();
      }
      if (part != 'N') return Status::Corruption("pgoutput: update without new tuple");
      RTPIPE_RETURN_IF_ERROR(ReadTuple(r, out.tuple));
      break;
    }
    case 'D': {
      out.kind = Kind::kDelete;
      out.relation_id = r.Int<uint32_t>();
      char part = r.Byte();
      if (part != 'K' && part != 'O') return Status::Corruption("pgoutput: delete without key");
      RTPIPE_RETURN_IF_ERROR(ReadTuple(r, out.tuple));
      break;
    }
    case 'O':
    case 'Y':
    case 'T':
    case 'M':
      out.kind = Kind::kSkipped;
      return Status::OK();
    default:
      return Status::Corruption("pgoutput: unknown message type 0x{:02x}", static_cast<uint8_t>(out.tag));
  }
  if (!r.ok()) return Status::Corruption("pgoutput: '{}' message truncated", out.tag);
  return Status::OK();
}

Result<int64_t> ParseTimestampMicros(std::string_view s) {
  // YYYY-MM-DD HH:MM:SS[.ffffff](+|-)HH[:MM[:SS]]
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  auto bad = [&] { return Status::Corruption("\"{}\" is not a PostgreSQL timestamptz", s); };
  if (s.size() < 22 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != ' ' && s[10] != 'T') || !Digits(s, 11, 2, h) || s[13] != ':' ||
      !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, se)) {
    return bad();
  }
  size_t at = 19;
  int64_t micros = 0;
  if (at < s.size() && s[at] == '.') {
    int digits = 0;
    for (++at; at < s.size() && s[at] >= '0' && s[at] <= '9'; ++at, ++digits) {
      if (digits < 6) micros = micros * 10 + (s[at] - '0');
    }
    if (digits == 0) return bad();
    for (int i = digits; i < 6; ++i) micros *= 10;
  }
  if (at >= s.size() || (s[at] != '+' && s[at] != '-')) return bad();
  int sign = s[at] == '-' ? -1 : 1;
  int oh = 0, om = 0, os = 0;
  if (!Digits(s, at + 1, 2, oh)) return bad();
  at += 3;
  if (at < s.size()) {
    if (s[at] != ':' || !Digits(s, at + 1, 2, om)) return bad();
    at += 3;
    if (at < s.size()) {
      if (s[at] != ':' || !Digits(s, at + 1, 2, os)) return bad();
      at += 3;
    }
  }
  if (at != s.size()) return bad();
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return bad();
  int64_t days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t seconds = days * 86400 + h * 3600 + mi * 60 + se - sign * (oh * 3600 + om * 60 + os);
  return seconds * 1'000'000 + micros;
}

}  // namespace rtpipe::pgoutput
