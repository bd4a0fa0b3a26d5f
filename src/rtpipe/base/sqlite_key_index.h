#pragma once
// SqliteKeyIndex: the rows of a table found by key through an index table of their own, written a
// slice of the key space at a time, so that what a commit rewrites stays small as the table grows.
// The landing store and the analytics store upsert their people by it.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtpipe/base/bloom_filter.h"
#include "rtpipe/base/prefetch.h"
#include "rtpipe/base/sqlite.h"

namespace rtpipe {

/// The keys (uuid_key: the 16 bytes of a UUID, SqliteStatement::BindUuidKey) of a table whose rows
/// are only appended, or updated by rowid, and which has no key index itself.
///
/// A commit of random keys rewrites every page of a key index it touches, which is most of an
/// index of a few thousand pages: 50 MB per commit at 2M keys, in 32 KiB pages. So the keys of the
/// rows added lately are kept in memory, and each commit moves those of a slice of the key space
/// into the index table (MergeSlice): it rewrites that slice's pages only. A Bloom filter of every
/// key means that a new key, as most are, is looked up nowhere.
///
/// The index table `<keys>` is (<key> BLOB PRIMARY KEY, row INTEGER NOT NULL) WITHOUT ROWID. The
/// rows whose keys it may lack yet are those from `<keys>_state.indexed_below` on (a few commits'
/// worth): Open indexes them. The view `<keys>_all` (<key>, row) holds every row's key, so that
/// `WHERE rowid IN (SELECT row FROM <keys>_all WHERE <key> = uuid_key('<uuid>'))` finds a row by
/// the index, and a search of those rows (CreateViewSql).
class SqliteKeyIndex {
 public:
  /// New rows are inserted this many at a time, by one statement of that many rows: a statement
  /// costs SQLite a run of its own (step, halt, reset) beside its rows' work.
  static constexpr size_t kRowsPerInsert = 50;

  /// The statements that create the tables of an index by the column `key`: `keys` and `<keys>_state`.
  static std::string CreateTablesSql(std::string_view keys, std::string_view key);
  /// ... and the view `<keys>_all` over them and `table`, which names the table: a migration that
  /// renames `table` makes it before this.
  static std::string CreateViewSql(std::string_view table, std::string_view keys, std::string_view key);
  /// The index of `db`'s `table`, made by CreateTablesSql and CreateViewSql; first indexes, in a
  /// transaction of its own, the rows not indexed yet. One writer: the store's connection.
  static Result<SqliteKeyIndex> Open(SqliteDb& db, std::string_view table, std::string_view keys, std::string_view key);
  SqliteKeyIndex(SqliteKeyIndex&&) noexcept;
  SqliteKeyIndex& operator=(SqliteKeyIndex&&) noexcept;
  ~SqliteKeyIndex();

  /// Upserts items[i] by keys[i], in the open transaction, in key order (KeyOrder):
  /// - insert(rows) inserts items[rows[0]], items[rows[1]], ... into the table by one statement
  ///   (kRowsPerInsert of them, or 1), so that they get consecutive rowids; their keys are indexed.
  /// - update(i, row) writes items[i] into the row whose rowid is `row`, for an item whose key the
  ///   index holds. Updates come after the inserts, in item order: of items with the same key, the
  ///   first is inserted if new, and the last wins.
  /// Items are visited as VisitInOrder visits them, `prefetch` fetching what each points to ahead:
  /// key order is not their order in memory.
  template <typename T, typename Prefetch, typename Insert, typename Update>
  Status Upsert(std::span<const T> items, std::span<const UuidKey> keys, Prefetch prefetch, Insert insert,
                Update update);

  /// To call once the transaction of the last Upsert has committed. Until then, the keys in memory
  /// may name rows that a failed transaction took back: the next Upsert indexes from the table anew.
  void Committed() { committed_ = true; }

 private:
  struct Statements;
  SqliteKeyIndex(SqliteDb& db, std::unique_ptr<Statements> statements);

  // Before an Upsert of up to `more` new keys: indexes anew unless the last Upsert committed, and
  // makes the filter anew, with room for twice as many keys, unless it has room for `more`.
  Status Prepare(size_t more);
  // Indexes the rows from indexed_below on, forgets the keys in memory, and counts the keys.
  Status IndexAll();
  // The row of `key`, if indexed: looked up only if the filter may hold it.
  Result<std::optional<int64_t>> Find(const UuidKey& key);
  // Keeps in memory the keys of the rows the last insert of `items` wrote.
  Status AddKeys(std::span<const uint32_t> items, std::span<const UuidKey> keys);
  // Moves the keys in memory of the next slice of the key space into the index table, after a
  // commit's `added` new keys: a fraction f = sqrt(added / all keys) of it, the slices going round
  // the key space. Memory then holds about added / f keys (those of the last 1 / f commits), and a
  // commit rewrites f of the index's pages, those of f x all keys: that f makes the two equal,
  // sqrt(added x all keys). At 2M keys and commits of 5,000 new keys, f is 1/20: 100,000 keys in
  // memory (2.4 MB), and about 3 MB of the index written per commit, where all of it (50 MB)
  // would have been.
  Status MergeSlice(size_t added);
  // Inserts `entries` (key bytes, text or not, and row) into the index table, in their order.
  struct Entry {
    std::string_view key;
    bool is_text;
    int64_t row;
  };
  Status InsertKeys(std::span<const Entry> entries);

  SqliteDb* db_;
  std::unique_ptr<Statements> statements_;
  // Every key (and those of failed transactions, which it cannot take back).
  BloomFilter filter_;
  int64_t all_keys_ = 0;
  bool committed_ = false;  // until the first IndexAll
  // The keys not in the index table yet, and their rows: a canonical UUID's 16 bytes, in key order
  // (24 bytes each, where a map's node took about 64); those added since the last slice, to be
  // merged into them; and other keys by their text (in the first slice).
  struct RecentKey {
    std::array<char, 16> key;
    int64_t row;
    std::string_view bytes() const { return {key.data(), key.size()}; }
    bool operator<(const RecentKey& other) const { return std::memcmp(key.data(), other.key.data(), key.size()) < 0; }
  };
  // Sorts added_ unless its keys came in key order, as Upsert visits them.
  void SortAdded();
  std::vector<RecentKey> recent_;
  std::vector<RecentKey> added_;
  bool added_in_order_ = true;
  std::map<std::string, int64_t, std::less<>> recent_texts_;
  uint64_t next_slice_ = 0;  // where the next slice starts: the first 8 bytes of a key
  int64_t next_row_ = 1;     // the row after the last one added
};

template <typename T, typename Prefetch, typename Insert, typename Update>
Status SqliteKeyIndex::Upsert(std::span<const T> items, std::span<const UuidKey> keys, Prefetch prefetch, Insert insert,
                              Update update) {
  RTPIPE_RETURN_IF_ERROR(Prepare(keys.size()));
  committed_ = false;  // until Committed()
  // The new items met so far, inserted kRowsPerInsert at a time (what is left, one by one).
  std::vector<uint32_t> fresh;
  fresh.reserve(kRowsPerInsert);
  size_t added = 0;
  auto insert_fresh = [&]() -> Status {
    const size_t step = fresh.size() == kRowsPerInsert ? kRowsPerInsert : 1;
    for (size_t from = 0; from < fresh.size(); from += step) {
      const std::span<const uint32_t> rows(fresh.data() + from, step);
      RTPIPE_RETURN_IF_ERROR(insert(rows));
      RTPIPE_RETURN_IF_ERROR(AddKeys(rows, keys));
    }
    added += fresh.size();
    fresh.clear();
    return Status::OK();
  };
  std::vector<std::pair<uint32_t, int64_t>> known;  // items to update, and their rows
  std::vector<uint32_t> again;                      // items whose key came just before in key order
  const std::vector<uint32_t> order = KeyOrder(keys.size(), [&](uint32_t i) { return keys[i].text(); });
  std::optional<uint32_t> previous;
  RTPIPE_RETURN_IF_ERROR(VisitInOrder<T>(items, order, prefetch, [&](uint32_t i) -> Status {
    if (previous && keys[*previous] == keys[i]) {
      again.push_back(i);
      return Status::OK();
    }
    previous = i;
    RTPIPE_ASSIGN_OR_RETURN(std::optional<int64_t> row, Find(keys[i]));
    if (row) {
      known.emplace_back(i, *row);
      return Status::OK();
    }
    filter_.Add(keys[i].bytes());
    fresh.push_back(i);
    return fresh.size() == kRowsPerInsert ? insert_fresh() : Status::OK();
  }));
  RTPIPE_RETURN_IF_ERROR(insert_fresh());
  for (uint32_t i : again) {  // its key's row is in by now, inserted or known
    RTPIPE_ASSIGN_OR_RETURN(std::optional<int64_t> row, Find(keys[i]));
    if (!row) return Status::Internal("key {} is not indexed right after its insert", keys[i].text());
    known.emplace_back(i, *row);
  }
  std::sort(known.begin(), known.end());
  for (auto [i, row] : known) RTPIPE_RETURN_IF_ERROR(update(i, row));
  return MergeSlice(added);
}

}  // namespace rtpipe
