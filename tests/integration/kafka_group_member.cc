// kafka_group_member: one member of a Kafka consumer group for kafka_group_test, run as its own
// process so the test can SIGKILL it. It plays the stream processor's part the way rtpipe does it
// (Spark-checkpoint style): every polled batch is applied to a SQLite store in one transaction
// together with the partitions' next offsets, and the group's offsets in Kafka are only a mirror.
//
//   kafka_group_member BOOTSTRAP GROUP TOPIC DB NAME
//
// Store tables: applied(partition, offset, member) — one row per application, so a double
// application shows as a duplicate; offsets(partition PRIMARY KEY, next); owners(partition
// PRIMARY KEY, member) — who may apply a partition now; events(member, what, partitions).
// OnAssigned takes ownership and starts at the stored offsets; OnRevoked gives it up. A record of
// a partition the member does not own is a protocol violation: it exits with code 3.
// SIGTERM/SIGINT: Close (leave the group) and exit 0.

#include <fmt/format.h>

#include <csignal>
#include <cstdio>
#include <string>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/sqlite.h"
#include "rtpipe/log/log_factory.h"

namespace {

using namespace rtpipe;

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

[[noreturn]] void Die(const std::string& what, const Status& s) {
  std::fprintf(stderr, "kafka_group_member: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

class StoreMember : public RebalanceListener {
 public:
  StoreMember(SqliteDb& db, std::string name) : db_(db), name_(std::move(name)) {}
  void set_consumer(GroupConsumer* consumer) { consumer_ = consumer; }

  Result<std::map<TopicPartition, Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) override {
    std::map<TopicPartition, Offset> starts;
    RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_));
    RTPIPE_ASSIGN_OR_RETURN(auto own, db_.Prepare("INSERT OR REPLACE INTO owners(partition, member) VALUES (?, ?)"));
    RTPIPE_ASSIGN_OR_RETURN(auto next, db_.Prepare("SELECT next FROM offsets WHERE partition = ?"));
    for (const auto& tp : partitions) {
      own.BindInt(1, tp.partition.value());
      own.BindText(2, name_);
      RTPIPE_RETURN_IF_ERROR(own.Run());
      next.BindInt(1, tp.partition.value());
      RTPIPE_ASSIGN_OR_RETURN(bool row, next.Step());
      if (row) starts[tp] = Offset(next.ColumnInt(0));
      next.Reset();
    }
    RTPIPE_RETURN_IF_ERROR(Event("assigned", partitions));
    RTPIPE_RETURN_IF_ERROR(tx.Commit());
    return starts;
  }

  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override {
    // Batches are applied before the next Poll: nothing is pending here. Give up ownership, then
    // mirror the positions to the group.
    auto tx = SqliteTransaction::Begin(db_);
    if (!tx.ok()) Die("revoking", tx.status());
    auto drop = db_.Prepare("DELETE FROM owners WHERE partition = ? AND member = ?");
    if (!drop.ok()) Die("revoking", drop.status());
    std::map<TopicPartition, Offset> mine;
    auto positions = consumer_->Positions();
    for (const auto& tp : partitions) {
      drop->BindInt(1, tp.partition.value());
      drop->BindText(2, name_);
      if (Status s = drop->Run(); !s.ok()) Die("revoking", s);
      if (auto it = positions.find(tp); it != positions.end()) mine[tp] = it->second;
    }
    if (Status s = Event(lost ? "lost" : "revoked", partitions); !s.ok()) Die("revoking", s);
    if (Status s = tx->Commit(); !s.ok()) Die("revoking", s);
    if (!lost) {
      if (Status s = consumer_->Commit(mine); !s.ok())
        std::fprintf(stderr, "commit on revoke: %s\n", s.ToString().c_str());
    }
  }

  Status Apply(const std::vector<ConsumedRecord>& records) {
    RTPIPE_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::Begin(db_));
    RTPIPE_ASSIGN_OR_RETURN(auto owner, db_.Prepare("SELECT member FROM owners WHERE partition = ?"));
    RTPIPE_ASSIGN_OR_RETURN(auto insert,
                            db_.Prepare("INSERT INTO applied(partition, offset, member) VALUES (?, ?, ?)"));
    RTPIPE_ASSIGN_OR_RETURN(auto next, db_.Prepare("INSERT OR REPLACE INTO offsets(partition, next) VALUES (?, ?)"));
    for (const auto& r : records) {
      owner.BindInt(1, r.partition.value());
      RTPIPE_ASSIGN_OR_RETURN(bool row, owner.Step());
      if (!row || owner.ColumnText(0) != name_) {
        std::fprintf(stderr, "kafka_group_member %s: VIOLATION: record %d@%lld of a partition owned by %s\n",
                     name_.c_str(), r.partition.value(), static_cast<long long>(r.offset.value()),
                     row ? std::string(owner.ColumnText(0)).c_str() : "nobody");
        std::fflush(stderr);
        std::_Exit(3);
      }
      owner.Reset();
      insert.BindInt(1, r.partition.value());
      insert.BindInt(2, r.offset.value());
      insert.BindText(3, name_);
      RTPIPE_RETURN_IF_ERROR(insert.Run());
      next.BindInt(1, r.partition.value());
      next.BindInt(2, r.offset.value() + 1);
      RTPIPE_RETURN_IF_ERROR(next.Run());
    }
    return tx.Commit();
  }

 private:
  Status Event(const char* what, const std::vector<TopicPartition>& partitions) {
    std::string list;
    for (const auto& tp : partitions) list += fmt::format("{}{}", list.empty() ? "" : ",", tp.partition);
    RTPIPE_ASSIGN_OR_RETURN(auto insert, db_.Prepare("INSERT INTO events(member, what, partitions) VALUES (?, ?, ?)"));
    insert.BindText(1, name_);
    insert.BindText(2, what);
    insert.BindText(3, list);
    return insert.Run();
  }

  SqliteDb& db_;
  const std::string name_;
  GroupConsumer* consumer_ = nullptr;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s BOOTSTRAP GROUP TOPIC DB NAME\n", argv[0]);
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  InitLogging(spdlog::level::info);
  std::string group = argv[2], topic = argv[3], name = argv[5];
  auto db = SqliteDb::Open(argv[4], SqliteDb::Mode::kReadWriteCreate, "NORMAL");
  if (!db.ok()) Die("opening the store", db.status());
  Status schema = (*db)->Exec(
      "CREATE TABLE IF NOT EXISTS applied(partition INTEGER, offset INTEGER, member TEXT);"
      "CREATE TABLE IF NOT EXISTS offsets(partition INTEGER PRIMARY KEY, next INTEGER);"
      "CREATE TABLE IF NOT EXISTS owners(partition INTEGER PRIMARY KEY, member TEXT);"
      "CREATE TABLE IF NOT EXISTS events(member TEXT, what TEXT, partitions TEXT);");
  if (!schema.ok()) Die("creating the store", schema);

  LogConfig config;
  // A killed member is noticed after 6 s; rebalances are seen within ~0.3 s.
  config.url = fmt::format("kafka://{}?consumer.session.timeout.ms=6000&consumer.heartbeat.interval.ms=300", argv[1]);
  auto log = OpenLog(config, LogAccess::kReadWrite);
  if (!log.ok()) Die("opening the log", log.status());
  StoreMember member(**db, name);
  auto consumer = (*log)->NewGroupConsumer(group, {topic}, member);
  if (!consumer.ok()) Die("joining the group", consumer.status());
  member.set_consumer(consumer->get());
  std::fprintf(stderr, "kafka_group_member %s: joined group %s\n", name.c_str(), group.c_str());
  std::stop_source never;
  auto last_mirror = std::chrono::steady_clock::now();
  while (g_stop == 0) {
    auto records = (*consumer)->Poll(500, std::chrono::milliseconds(100), never.get_token());
    if (!records.ok()) Die("polling", records.status());
    if (!records->empty()) {
      if (Status s = member.Apply(*records); !s.ok()) Die("applying", s);
    }
    if (std::chrono::steady_clock::now() - last_mirror > std::chrono::seconds(1)) {
      Status s = (*consumer)->Commit((*consumer)->Positions());
      if (!s.ok()) std::fprintf(stderr, "mirroring offsets: %s\n", s.ToString().c_str());
      last_mirror = std::chrono::steady_clock::now();
    }
  }
  if (Status s = (*consumer)->Close(); !s.ok()) Die("leaving the group", s);
  std::fprintf(stderr, "kafka_group_member %s: left the group\n", name.c_str());
  return 0;
}
