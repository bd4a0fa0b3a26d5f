#include "rtpipe/sink/cassandra/rows.h"

#include <fmt/format.h>

#include "rtpipe/sink/cassandra/value.h"

namespace rtpipe::cql {
namespace {

constexpr int32_t kGlobalTablesSpec = 0x0001;
constexpr int32_t kHasMorePages = 0x0002;
constexpr int32_t kNoMetadata = 0x0004;

}  // namespace

Result<std::vector<ColumnSpec>> ReadColumnSpecs(CqlReader& r, int32_t count, bool global) {
  std::string ks, table;
  if (global) {
    RTPIPE_ASSIGN_OR_RETURN(auto k, r.String());
    RTPIPE_ASSIGN_OR_RETURN(auto t, r.String());
    ks = std::string(k);
    table = std::string(t);
  }
  // A column spec takes at least 4 bytes (name [string] + type [short]).
  if (count < 0 || static_cast<uint64_t>(count) * 4 > r.remaining()) {
    return Status::Corruption("result metadata claims {} columns in {} bytes", count, r.remaining());
  }
  std::vector<ColumnSpec> columns;
  columns.reserve(static_cast<size_t>(count));
  for (int32_t i = 0; i < count; ++i) {
    ColumnSpec c;
    if (global) {
      c.keyspace = ks;
      c.table = table;
    } else {
      RTPIPE_ASSIGN_OR_RETURN(auto k, r.String());
      RTPIPE_ASSIGN_OR_RETURN(auto t, r.String());
      c.keyspace = std::string(k);
      c.table = std::string(t);
    }
    RTPIPE_ASSIGN_OR_RETURN(auto name, r.String());
    c.name = std::string(name);
    RTPIPE_ASSIGN_OR_RETURN(c.type, ReadType(r));
    columns.push_back(std::move(c));
  }
  return columns;
}

Result<ResultMetadata> ReadResultMetadata(CqlReader& r) {
  ResultMetadata m;
  RTPIPE_ASSIGN_OR_RETURN(int32_t flags, r.Int());
  RTPIPE_ASSIGN_OR_RETURN(m.column_count, r.Int());
  if (m.column_count < 0) return Status::Corruption("result metadata with {} columns", m.column_count);
  m.has_more_pages = (flags & kHasMorePages) != 0;
  m.no_metadata = (flags & kNoMetadata) != 0;
  if (m.has_more_pages) {
    bool null = false;
    RTPIPE_ASSIGN_OR_RETURN(auto state, r.Bytes(&null));
    m.paging_state = std::string(state);
  }
  if (!m.no_metadata) {
    RTPIPE_ASSIGN_OR_RETURN(m.columns, ReadColumnSpecs(r, m.column_count, (flags & kGlobalTablesSpec) != 0));
  }
  return m;
}

Result<CqlRows> CqlRows::Decode(std::string body, size_t offset) {
  if (offset > body.size()) return Status::Corruption("rows offset {} past a {} byte body", offset, body.size());
  if (body.size() > 0xFFFFFFFFu) return Status::Corruption("rows body too large");
  CqlRows rows;
  rows.body_ = std::move(body);
  // Parse on a view of the (now owned, never again resized) body: offsets stay valid after moves.
  std::string_view all(rows.body_);
  CqlReader r(all.substr(offset));
  RTPIPE_ASSIGN_OR_RETURN(rows.metadata_, ReadResultMetadata(r));
  RTPIPE_ASSIGN_OR_RETURN(int32_t count, r.Int());
  if (count < 0) return Status::Corruption("Rows result with {} rows", count);
  const auto columns = static_cast<uint64_t>(rows.metadata_.column_count);
  // Each cell takes at least its 4-byte length: refuse impossible counts before allocating.
  if (static_cast<uint64_t>(count) * columns * 4 > r.remaining()) {
    return Status::Corruption("Rows result claims {} rows × {} columns in {} bytes", count, columns, r.remaining());
  }
  rows.row_count_ = static_cast<size_t>(count);
  rows.cells_.reserve(rows.row_count_ * columns);
  const size_t base = offset;
  for (uint64_t i = 0; i < static_cast<uint64_t>(count) * columns; ++i) {
    bool null = false;
    size_t before = r.position();
    RTPIPE_ASSIGN_OR_RETURN(auto cell, r.Bytes(&null));
    Cell c;
    c.offset = static_cast<uint32_t>(base + before + 4);
    c.length = null ? -1 : static_cast<int32_t>(cell.size());
    rows.cells_.push_back(c);
  }
  return rows;
}

Result<size_t> CqlRows::ColumnIndex(std::string_view name) const {
  std::string known;
  for (size_t i = 0; i < metadata_.columns.size(); ++i) {
    if (metadata_.columns[i].name == name) return i;
    known += (i ? ", " : "") + metadata_.columns[i].name;
  }
  return Status::NotFound("no column \"{}\" in the result (columns: {})", name, known);
}

CqlRow CqlRows::row(size_t i) const {
  RTPIPE_ASSERT(i < row_count_, "row {} of {}", i, row_count_);
  return CqlRow(*this, i);
}

const CqlRows::Cell& CqlRows::CellAt(size_t row, size_t column) const {
  RTPIPE_ASSERT(row < row_count_ && column < column_count(), "cell ({}, {}) of {} × {}", row, column, row_count_,
                column_count());
  return cells_[row * column_count() + column];
}

const CqlType* CqlRows::TypeOf(size_t column) const {
  return column < metadata_.columns.size() ? &metadata_.columns[column].type : nullptr;
}

std::string_view CqlRows::ColumnName(size_t column) const {
  return column < metadata_.columns.size() ? std::string_view(metadata_.columns[column].name) : std::string_view("?");
}

bool CqlRow::IsNull(size_t column) const { return rows_->CellAt(index_, column).length < 0; }

std::string_view CqlRow::Raw(size_t column) const {
  const auto& c = rows_->CellAt(index_, column);
  if (c.length < 0) return {};
  return std::string_view(rows_->body_).substr(c.offset, static_cast<size_t>(c.length));
}

std::string CqlRow::Format(size_t column) const {
  const CqlType* type = rows_->TypeOf(column);
  if (type == nullptr) return IsNull(column) ? "null" : "<no metadata>";
  return FormatCell(*type, Raw(column), IsNull(column));
}

namespace {

template <typename T>
Result<T> DecodeAs(const CqlType& type, std::string_view cell);
template <>
Result<std::string> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeText(type, cell);
}
template <>
Result<int32_t> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeInt(type, cell);
}
template <>
Result<int64_t> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeBigint(type, cell);
}
template <>
Result<double> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeDouble(type, cell);
}
template <>
Result<bool> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeBoolean(type, cell);
}
template <>
Result<Uuid> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeUuid(type, cell);
}
template <>
Result<Timestamp> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeTimestamp(type, cell);
}
template <>
Result<CqlDate> DecodeAs(const CqlType& type, std::string_view cell) {
  return DecodeDate(type, cell);
}

}  // namespace

template <typename T>
Result<T> CqlRow::Get(size_t column) const {
  const CqlType* type = rows_->TypeOf(column);
  if (type == nullptr) {
    return Status::FailedPrecondition("column {} has no metadata (the result was sent without it)", column);
  }
  if (IsNull(column)) return Status::NotFound("column {} of row {} is null", rows_->ColumnName(column), index_);
  auto value = DecodeAs<T>(*type, Raw(column));
  if (!value.ok()) return value.status().WithContext(fmt::format("column {}", rows_->ColumnName(column)));
  return value;
}

template <typename T>
Result<T> CqlRow::Get(std::string_view column_name) const {
  RTPIPE_ASSIGN_OR_RETURN(size_t column, rows_->ColumnIndex(column_name));
  return Get<T>(column);
}

#define RTPIPE_CQL_ROW_GET(T)                      \
  template Result<T> CqlRow::Get<T>(size_t) const; \
  template Result<T> CqlRow::Get<T>(std::string_view) const;
RTPIPE_CQL_ROW_GET(std::string)
RTPIPE_CQL_ROW_GET(int32_t)
RTPIPE_CQL_ROW_GET(int64_t)
RTPIPE_CQL_ROW_GET(double)
RTPIPE_CQL_ROW_GET(bool)
RTPIPE_CQL_ROW_GET(Uuid)
RTPIPE_CQL_ROW_GET(Timestamp)
RTPIPE_CQL_ROW_GET(CqlDate)
#undef RTPIPE_CQL_ROW_GET

}  // namespace rtpipe::cql
