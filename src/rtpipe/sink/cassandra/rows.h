#pragma once
// Result metadata and rows (spec §4.2.5.2): what a SELECT returns, one page at a time.
//
//   <metadata>  <flags:int><columns_count:int>[<paging_state:bytes>][<global_table_spec>?<col_spec>...]
//               flags 0x1 Global_tables_spec, 0x2 Has_more_pages, 0x4 No_metadata
//   <rows>      <rows_count:int> then rows_count × columns_count [bytes] cells (negative length: null)
//
// CqlRows owns the frame body and indexes its cells without copying them. Immutable once built:
// safe to read from several threads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/sink/cassandra/types.h"
#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {

struct ColumnSpec {
  std::string keyspace;
  std::string table;
  std::string name;
  CqlType type;
};

struct ResultMetadata {
  bool has_more_pages = false;
  bool no_metadata = false;
  int32_t column_count = 0;
  std::string paging_state;         // set when has_more_pages
  std::vector<ColumnSpec> columns;  // empty when no_metadata
};

/// Reads a Rows <metadata> block (also the <result_metadata> of a Prepared result).
Result<ResultMetadata> ReadResultMetadata(CqlReader& r);

/// Reads `count` column specs; `global` (Global_tables_spec) means one keyspace/table pair first.
Result<std::vector<ColumnSpec>> ReadColumnSpecs(CqlReader& r, int32_t count, bool global);

class CqlRows;

/// One row of a CqlRows; valid while the CqlRows lives.
class CqlRow {
 public:
  CqlRow(const CqlRows& rows, size_t index) : rows_(&rows), index_(index) {}

  bool IsNull(size_t column) const;
  /// The cell's raw bytes (empty for null).
  std::string_view Raw(size_t column) const;

  /// Typed reads. T is one of: std::string (text, ascii), int32_t (int, smallint, tinyint),
  /// int64_t (bigint, counter, time, and the narrower integers), double (double, float), bool,
  /// Uuid (uuid, timeuuid), Timestamp, CqlDate. A null cell, a column of another type or a
  /// malformed cell is an error naming the column.
  template <typename T>
  Result<T> Get(size_t column) const;
  template <typename T>
  Result<T> Get(std::string_view column_name) const;

  /// A readable rendering of the cell (see FormatCell).
  std::string Format(size_t column) const;

 private:
  const CqlRows* rows_;
  size_t index_;
};

class CqlRows {
 public:
  CqlRows() = default;

  /// Decodes the Rows part of a RESULT body held in `body`, starting at `offset` (just after the
  /// kind). Takes ownership of the body; cells stay in it.
  static Result<CqlRows> Decode(std::string body, size_t offset);

  size_t size() const { return row_count_; }
  bool empty() const { return row_count_ == 0; }
  size_t column_count() const { return static_cast<size_t>(metadata_.column_count); }
  const std::vector<ColumnSpec>& columns() const { return metadata_.columns; }
  /// The index of a column by name, or NotFound listing the columns.
  Result<size_t> ColumnIndex(std::string_view name) const;

  CqlRow row(size_t i) const;
  CqlRow operator[](size_t i) const { return row(i); }

  bool has_more_pages() const { return metadata_.has_more_pages; }
  /// Pass as QueryOptions::paging_state to fetch the next page.
  const std::string& paging_state() const { return metadata_.paging_state; }

 private:
  friend class CqlRow;
  struct Cell {
    uint32_t offset = 0;
    int32_t length = -1;  // < 0: null
  };
  const Cell& CellAt(size_t row, size_t column) const;
  const CqlType* TypeOf(size_t column) const;
  std::string_view ColumnName(size_t column) const;

  std::string body_;
  ResultMetadata metadata_;
  size_t row_count_ = 0;
  std::vector<Cell> cells_;  // row-major, row_count_ × column_count
};

}  // namespace rtpipe::cql
