#include "rtpipe/base/sqlite_key_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace rtpipe {
namespace {

// The filter of keys has room for at least this many, and twice as many as there are.
constexpr size_t kMinFilterKeys = size_t{1} << 20;

// A canonical UUID's 16 bytes, as the index table holds them.
std::array<char, 16> BlobKey(std::string_view bytes) {
  std::array<char, 16> key;
  std::memcpy(key.data(), bytes.data(), key.size());
  return key;
}

}  // namespace

struct SqliteKeyIndex::Statements {
  SqliteStatement insert_key;   // a key
  SqliteStatement insert_keys;  // kRowsPerInsert keys
  SqliteStatement find;         // a key's row
  SqliteStatement all_keys;
  SqliteStatement index_all;  // the rows from indexed_below on
  SqliteStatement set_indexed_below;
  std::string table;
  std::string keys;
};

std::string SqliteKeyIndex::CreateTablesSql(std::string_view keys, std::string_view key) {
  return fmt::format(R"sql(
CREATE TABLE IF NOT EXISTS {0} ({1} BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID;
-- The rows from indexed_below on may have keys {0} does not hold yet (base/sqlite_key_index.h).
CREATE TABLE IF NOT EXISTS {0}_state (indexed_below INTEGER NOT NULL);
INSERT INTO {0}_state (indexed_below) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM {0}_state);
)sql",
                     keys, key);
}

std::string SqliteKeyIndex::CreateViewSql(std::string_view table, std::string_view keys, std::string_view key) {
  return fmt::format(R"sql(
-- Every row's key, once: WHERE rowid IN (SELECT row FROM {1}_all WHERE {2} = uuid_key('<uuid>')).
CREATE VIEW IF NOT EXISTS {1}_all AS
  SELECT {2}, row FROM {1}
  UNION ALL SELECT {2}, rowid AS row FROM {0} t WHERE rowid >= (SELECT indexed_below FROM {1}_state)
    AND NOT EXISTS (SELECT 1 FROM {1} k WHERE k.{2} = t.{2});
)sql",
                     table, keys, key);
}

Result<SqliteKeyIndex> SqliteKeyIndex::Open(SqliteDb& db, std::string_view table, std::string_view keys,
                                            std::string_view key) {
  // OR IGNORE: a key met again (after a failed transaction, IndexAll indexes the rows of keys that
  // may be in already) keeps its row. And a statement of many rows that could stop halfway (ABORT,
  // the default, on a key conflict) makes SQLite keep a statement journal, a copy of every page it
  // changes.
  auto insert_keys_sql = [&](int rows) {
    return fmt::format("INSERT OR IGNORE INTO {} ({}, row) VALUES {}", keys, key, SqlValueRows(rows, 2));
  };
  RTPIPE_ASSIGN_OR_RETURN(auto insert_key, db.Prepare(insert_keys_sql(1)));
  RTPIPE_ASSIGN_OR_RETURN(auto insert_keys, db.Prepare(insert_keys_sql(static_cast<int>(kRowsPerInsert))));
  RTPIPE_ASSIGN_OR_RETURN(auto find, db.Prepare(fmt::format("SELECT row FROM {} WHERE {} = ?1", keys, key)));
  RTPIPE_ASSIGN_OR_RETURN(auto all_keys, db.Prepare(fmt::format("SELECT {} FROM {}", key, keys)));
  RTPIPE_ASSIGN_OR_RETURN(
      auto index_all, db.Prepare(fmt::format("INSERT OR IGNORE INTO {1} ({2}, row) SELECT {2}, rowid FROM {0} WHERE "
                                             "rowid >= (SELECT indexed_below FROM {1}_state) ORDER BY {2}",
                                             table, keys, key)));
  RTPIPE_ASSIGN_OR_RETURN(auto set_indexed_below,
                          db.Prepare(fmt::format("UPDATE {}_state SET indexed_below = ?1", keys)));
  auto statements = std::make_unique<Statements>(
      Statements{std::move(insert_key), std::move(insert_keys), std::move(find), std::move(all_keys),
                 std::move(index_all), std::move(set_indexed_below), std::string(table), std::string(keys)});
  SqliteKeyIndex index(db, std::move(statements));
  // Indexed, counted and filtered now, not at the first write: at 2M keys, that takes about a
  // second, which the first records would wait for.
  RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db));
  RTPIPE_RETURN_IF_ERROR(index.Prepare(0));
  RTPIPE_RETURN_IF_ERROR(tx.Commit());
  index.Committed();
  return index;
}

SqliteKeyIndex::SqliteKeyIndex(SqliteDb& db, std::unique_ptr<Statements> statements)
    : db_(&db), statements_(std::move(statements)) {}
SqliteKeyIndex::SqliteKeyIndex(SqliteKeyIndex&&) noexcept = default;
SqliteKeyIndex& SqliteKeyIndex::operator=(SqliteKeyIndex&&) noexcept = default;
SqliteKeyIndex::~SqliteKeyIndex() = default;

Status SqliteKeyIndex::Prepare(size_t more) {
  if (!committed_) RTPIPE_RETURN_IF_ERROR(IndexAll());
  const size_t wanted = static_cast<size_t>(all_keys_) + more;
  if (wanted <= filter_.capacity()) return Status::OK();
  filter_ = BloomFilter(std::max(kMinFilterKeys, 2 * wanted));
  SqliteStatement& keys = statements_->all_keys;
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(bool row, keys.Step());
    if (!row) break;
    filter_.Add(keys.ColumnBlob(0));
  }
  keys.Reset();
  return Status::OK();
}

Status SqliteKeyIndex::IndexAll() {
  RTPIPE_RETURN_IF_ERROR(statements_->index_all.Run());
  RTPIPE_ASSIGN_OR_RETURN(auto next_row,
                          db_->QueryInt(fmt::format("SELECT COALESCE(MAX(rowid), 0) + 1 FROM {}", statements_->table)));
  next_row_ = next_row.value_or(1);
  statements_->set_indexed_below.BindInt(1, next_row_);
  RTPIPE_RETURN_IF_ERROR(statements_->set_indexed_below.Run());
  RTPIPE_ASSIGN_OR_RETURN(auto counted, db_->QueryInt(fmt::format("SELECT COUNT(*) FROM {}", statements_->keys)));
  all_keys_ = counted.value_or(0);
  recent_.clear();
  added_.clear();
  added_in_order_ = true;
  recent_texts_.clear();
  next_slice_ = 0;
  return Status::OK();
}

Result<std::optional<int64_t>> SqliteKeyIndex::Find(const UuidKey& key) {
  if (!filter_.MayContain(key.bytes())) return std::nullopt;
  if (key.is_text()) {
    if (auto it = recent_texts_.find(key.bytes()); it != recent_texts_.end()) return it->second;
  } else {
    SortAdded();
    const RecentKey wanted{BlobKey(key.bytes()), 0};
    for (const std::vector<RecentKey>* keys : {&recent_, &added_}) {
      auto it = std::lower_bound(keys->begin(), keys->end(), wanted);
      if (it != keys->end() && it->key == wanted.key) return it->row;
    }
  }
  SqliteStatement& s = statements_->find;
  s.BindUuidKey(1, key);
  auto found = s.Step();
  std::optional<int64_t> row;
  if (found.ok() && *found) row = s.ColumnInt(0);
  s.Reset();
  if (!found.ok()) return found.status();
  return row;
}

Status SqliteKeyIndex::AddKeys(std::span<const uint32_t> items, std::span<const UuidKey> keys) {
  // An insert that left a row out would be a bug: it fails the write.
  const auto n = static_cast<int64_t>(items.size());
  if (const int64_t inserted = db_->Changes(); inserted != n) {
    return Status::Internal("an insert of {} new rows into {} took {}", n, statements_->table, inserted);
  }
  const int64_t first_row = sqlite3_last_insert_rowid(db_->handle()) - n + 1;
  for (size_t k = 0; k < items.size(); ++k) {
    const UuidKey& key = keys[items[k]];
    const int64_t row = first_row + static_cast<int64_t>(k);
    if (key.is_text()) {
      recent_texts_.emplace(key.bytes(), row);
    } else {
      const RecentKey added{BlobKey(key.bytes()), row};
      added_in_order_ = added_in_order_ && (added_.empty() || added_.back() < added);
      added_.push_back(added);
    }
  }
  next_row_ = std::max(next_row_, first_row + n);
  all_keys_ += n;
  return Status::OK();
}

void SqliteKeyIndex::SortAdded() {
  if (!added_in_order_) std::sort(added_.begin(), added_.end());
  added_in_order_ = true;
}

Status SqliteKeyIndex::InsertKeys(std::span<const Entry> entries) {
  for (size_t from = 0; from < entries.size();) {
    const size_t n = entries.size() - from >= kRowsPerInsert ? kRowsPerInsert : 1;
    SqliteStatement& s = n == kRowsPerInsert ? statements_->insert_keys : statements_->insert_key;
    for (size_t k = 0; k < n; ++k) {
      const Entry& e = entries[from + k];
      if (e.is_text) {
        s.BindText(static_cast<int>(k) * 2 + 1, e.key);
      } else {
        s.BindBlob(static_cast<int>(k) * 2 + 1, e.key);
      }
      s.BindInt(static_cast<int>(k) * 2 + 2, e.row);
    }
    RTPIPE_RETURN_IF_ERROR(s.Run());
    from += n;
  }
  return Status::OK();
}

Status SqliteKeyIndex::MergeSlice(size_t added) {
  if (added == 0) return Status::OK();
  constexpr double kKeySpace = 18446744073709551616.0;  // 2^64
  const double fraction = std::sqrt(static_cast<double>(added) / static_cast<double>(std::max<int64_t>(all_keys_, 1)));
  const double end = static_cast<double>(next_slice_) + fraction * kKeySpace;
  const bool last = end >= kKeySpace;
  // The slice's keys, in key order: TEXT ones first (SQLite orders them before BLOBs), in the
  // first slice.
  std::vector<Entry> entries;
  if (next_slice_ == 0) {
    for (const auto& [text, row] : recent_texts_) entries.push_back({text, true, row});
  }
  SortAdded();
  const size_t before = recent_.size();
  recent_.insert(recent_.end(), added_.begin(), added_.end());
  std::inplace_merge(recent_.begin(), recent_.begin() + static_cast<std::ptrdiff_t>(before), recent_.end());
  added_.clear();
  auto below = [](uint64_t bound) {
    return [bound](const RecentKey& k) { return sqlite_internal::KeyPrefix(k.bytes()) < bound; };
  };
  const auto first = std::partition_point(recent_.begin(), recent_.end(), below(next_slice_));
  const auto stop =
      last ? recent_.end() : std::partition_point(first, recent_.end(), below(static_cast<uint64_t>(end)));
  for (auto it = first; it != stop; ++it) entries.push_back({it->bytes(), false, it->row});
  RTPIPE_RETURN_IF_ERROR(InsertKeys(entries));
  if (next_slice_ == 0) recent_texts_.clear();
  recent_.erase(first, stop);
  next_slice_ = last ? 0 : static_cast<uint64_t>(end);
  // Every row before the first one whose key is still in memory has its key in the index table.
  int64_t indexed_below = next_row_;
  for (const RecentKey& recent : recent_) indexed_below = std::min(indexed_below, recent.row);
  for (const auto& [key, row] : recent_texts_) indexed_below = std::min(indexed_below, row);
  statements_->set_indexed_below.BindInt(1, indexed_below);
  return statements_->set_indexed_below.Run();
}

}  // namespace rtpipe
