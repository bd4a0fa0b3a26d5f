#include "rtpipe/sink/cassandra/cassandra_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "rtpipe/config/url.h"

namespace rtpipe {
namespace {

using cql::CqlValue;
using Kind = CqlColumn::Kind;

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool HasQueryKey(const Url& url, std::string_view key) {
  return std::any_of(url.query.begin(), url.query.end(), [&](const auto& kv) { return kv.first == key; });
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::kPartitionKey:
      return "partition_key";
    case Kind::kClustering:
      return "clustering";
    case Kind::kRegular:
      return "regular";
  }
  return "regular";
}

std::string KeyText(const std::vector<std::pair<std::string, std::string>>& key) {
  std::string out;
  for (const auto& [name, type] : key) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", name, type);
  return "(" + out + ")";
}

}  // namespace

Result<CassandraSinkSettings> CassandraSettings(const SinkConfig& config) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(config.url));
  auto client = cql::CqlOptions::FromUrl(config.url);
  if (!client.ok()) {
    return Status::InvalidArgument("config key sink.url = \"{}\": {}", MaskUrlPassword(config.url),
                                   client.status().message());
  }
  CassandraSinkSettings s;
  s.client = std::move(*client);
  s.keyspace = Lower(config.keyspace);
  if (std::string in_url = Lower(s.client.keyspace); !in_url.empty() && in_url != s.keyspace) {
    return Status::InvalidArgument(
        "config keys sink.url = \"{}\" and sink.keyspace = \"{}\" disagree: the URL names keyspace \"{}\". The "
        "keyspace is sink.keyspace (env CASSANDRA_KEYSPACE); a keyspace in the URL may only repeat it. Drop it "
        "from the URL or set sink.keyspace: {}",
        MaskUrlPassword(config.url), config.keyspace, in_url, in_url);
  }
  s.client.keyspace.clear();  // the sink names its keyspace in every statement
  auto level = cql::ParseConsistency(config.consistency);
  if (!level.ok()) return level.status().WithContext("config key sink.consistency");
  if (HasQueryKey(url, "consistency") && s.client.consistency != *level) {
    return Status::InvalidArgument(
        "config keys sink.url = \"{}\" and sink.consistency = \"{}\" disagree: the URL asks for consistency {}. "
        "Set the level with sink.consistency only (or make them equal)",
        MaskUrlPassword(config.url), config.consistency, cql::ConsistencyName(s.client.consistency));
  }
  s.client.consistency = *level;
  if (!HasQueryKey(url, "retry_window_ms")) s.client.retry_window = kSinkRetryWindow;
  s.table = Lower(config.table);
  s.replication = config.replication;
  return s;
}

CqlTableSpec UsersTableSpec(const std::string& table) {
  CqlTableSpec t{table, {{"id", "uuid", Kind::kPartitionKey}}};
  for (const char* name : {"first_name", "last_name", "gender", "address", "post_code", "email", "username",
                           "registered_date", "phone", "picture", "dob"}) {
    t.columns.push_back({name, "text", Kind::kRegular});
  }
  t.columns.push_back({"age", "int", Kind::kRegular});
  t.columns.push_back({"age_band", "text", Kind::kRegular});
  t.columns.push_back({"email_domain", "text", Kind::kRegular});
  t.columns.push_back({"country", "text", Kind::kRegular});
  t.columns.push_back({"nat", "text", Kind::kRegular});
  t.columns.push_back({"tenure_days", "bigint", Kind::kRegular});
  t.columns.push_back({"event_time", "timestamp", Kind::kRegular});
  return t;
}

CqlTableSpec AggregateTableSpec(const AggregateDefinition& definition) {
  CqlTableSpec t{definition.table, {{"window_start", "timestamp", Kind::kPartitionKey}}};
  for (const auto& d : definition.dimensions) t.columns.push_back({d, "text", Kind::kClustering});
  t.columns.push_back({"window_end", "timestamp", Kind::kRegular});
  t.columns.push_back({"users", "bigint", Kind::kRegular});
  if (definition.age_stats) {
    t.columns.push_back({"avg_age", "double", Kind::kRegular});
    t.columns.push_back({"min_age", "int", Kind::kRegular});
    t.columns.push_back({"max_age", "int", Kind::kRegular});
  }
  t.columns.push_back({"final", "boolean", Kind::kRegular});
  return t;
}

CqlTableSpec PartialsTableSpec() {
  return {"rtpipe_window_partials",
          {{"aggregate", "text", Kind::kPartitionKey},
           {"window_start", "timestamp", Kind::kPartitionKey},
           {"dimensions", "text", Kind::kClustering},
           {"partition", "int", Kind::kClustering},
           {"window_end", "timestamp", Kind::kRegular},
           {"users", "bigint", Kind::kRegular},
           {"sum_age", "bigint", Kind::kRegular},
           {"min_age", "int", Kind::kRegular},
           {"max_age", "int", Kind::kRegular},
           {"final", "boolean", Kind::kRegular}}};
}

CqlTableSpec CheckpointsTableSpec() {
  return {"rtpipe_partition_checkpoints",
          {{"consumer_group", "text", Kind::kPartitionKey},
           {"topic", "text", Kind::kClustering},
           {"partition", "int", Kind::kClustering},
           {"next_offset", "bigint", Kind::kRegular},
           {"records", "bigint", Kind::kRegular},
           {"dlq_ends", "text", Kind::kRegular},
           {"state", "blob", Kind::kRegular}}};
}

std::string CreateKeyspaceCql(const std::string& keyspace, const std::string& replication) {
  return fmt::format("CREATE KEYSPACE IF NOT EXISTS {} WITH replication = {}", keyspace, replication);
}

std::string CreateTableCql(const std::string& keyspace, const CqlTableSpec& table) {
  std::string columns, partition, clustering;
  for (const auto& c : table.columns) {
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", c.name, c.type);
    if (c.kind == Kind::kPartitionKey) partition += (partition.empty() ? "" : ", ") + c.name;
    if (c.kind == Kind::kClustering) clustering += ", " + c.name;
  }
  return fmt::format("CREATE TABLE IF NOT EXISTS {}.{} ({}, PRIMARY KEY (({}){}))", keyspace, table.name, columns,
                     partition, clustering);
}

std::string InsertCql(const std::string& keyspace, const CqlTableSpec& table) {
  std::string names, markers;
  for (const auto& c : table.columns) {
    names += (names.empty() ? "" : ", ") + c.name;
    markers += markers.empty() ? "?" : ", ?";
  }
  return fmt::format("INSERT INTO {}.{} ({}) VALUES ({})", keyspace, table.name, names, markers);
}

Status EnsureTable(cql::CqlSession& session, const std::string& keyspace, const CqlTableSpec& table) {
  RTPIPE_RETURN_IF_ERROR(session.Execute(CreateTableCql(keyspace, table)).status());
  RTPIPE_ASSIGN_OR_RETURN(auto rows,
                          session.Execute("SELECT column_name, kind, position, type FROM system_schema.columns "
                                          "WHERE keyspace_name = ? AND table_name = ?",
                                          {CqlValue::Text(keyspace), CqlValue::Text(table.name)}));
  struct Existing {
    std::string kind, type;
    int position = 0;
  };
  std::map<std::string, Existing> existing;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto row = rows.row(i);
    RTPIPE_ASSIGN_OR_RETURN(std::string name, row.Get<std::string>(0));
    RTPIPE_ASSIGN_OR_RETURN(std::string kind, row.Get<std::string>(1));
    RTPIPE_ASSIGN_OR_RETURN(int32_t position, row.Get<int32_t>(2));
    RTPIPE_ASSIGN_OR_RETURN(std::string type, row.Get<std::string>(3));
    existing[name] = {kind, type, position};
  }
  if (existing.empty()) {
    return Status::Internal("table {}.{} does not show in system_schema.columns after CREATE TABLE", keyspace,
                            table.name);
  }
  // The primary key: same columns, kinds, order and types.
  std::vector<std::pair<std::string, std::string>> want_key, have_key;
  for (Kind kind : {Kind::kPartitionKey, Kind::kClustering}) {
    for (const auto& c : table.columns) {
      if (c.kind == kind) want_key.emplace_back(fmt::format("{}:{}", KindName(kind), c.name), c.type);
    }
    std::vector<std::pair<int, std::pair<std::string, std::string>>> ordered;
    for (const auto& [name, e] : existing) {
      if (e.kind == KindName(kind)) ordered.push_back({e.position, {fmt::format("{}:{}", e.kind, name), e.type}});
    }
    std::sort(ordered.begin(), ordered.end());
    for (auto& o : ordered) have_key.push_back(std::move(o.second));
  }
  if (want_key != have_key) {
    return Status::FailedPrecondition(
        "table {}.{} exists with primary key {}, but rtpipe writes it with primary key {}: drop the table or "
        "choose another sink.keyspace / sink.table",
        keyspace, table.name, KeyText(have_key), KeyText(want_key));
  }
  for (const auto& c : table.columns) {
    auto it = existing.find(c.name);
    if (it == existing.end()) {
      RTPIPE_RETURN_IF_ERROR(
          session.Execute(fmt::format("ALTER TABLE {}.{} ADD {} {}", keyspace, table.name, c.name, c.type)).status());
    } else if (it->second.type != c.type) {
      return Status::FailedPrecondition(
          "table {}.{} has column {} of type {}, but rtpipe writes it as {}: drop the table or choose another "
          "sink.keyspace / sink.table",
          keyspace, table.name, c.name, it->second.type, c.type);
    }
  }
  return Status::OK();
}

int64_t UserWriteMicros(const CreatedUser& user) { return ToMillis(user.event_time) * 1000; }

int64_t AggregateWriteMicros(const AggregateRow& row) {
  return ToMillis(row.window_start) * 1000 + 2 * row.users + (row.final ? 1 : 0);
}

int64_t CheckpointWriteMicros(Offset next_offset, uint32_t sequence) {
  return (next_offset.value() << 20) + (sequence & 0xFFFFF);
}

Result<std::vector<CqlValue>> UserValues(const CreatedUser& u) {
  auto id = cql::Uuid::Parse(u.id);
  if (!id.ok()) return Status::InvalidArgument("created_users: id \"{}\" is not a UUID", u.id);
  std::vector<CqlValue> v;
  v.reserve(19);
  v.push_back(CqlValue::FromUuid(*id));
  for (const std::string* text : {&u.first_name, &u.last_name, &u.gender, &u.address, &u.post_code, &u.email,
                                  &u.username, &u.registered_date, &u.phone, &u.picture, &u.dob}) {
    v.push_back(CqlValue::Text(*text));
  }
  v.push_back(CqlValue::Int(u.age));
  v.push_back(CqlValue::Text(u.age_band));
  v.push_back(CqlValue::Text(u.email_domain));
  v.push_back(CqlValue::Text(u.country));
  v.push_back(CqlValue::Text(u.nat));
  v.push_back(CqlValue::Bigint(u.tenure_days));
  v.push_back(CqlValue::FromTimestamp(u.event_time));
  return v;
}

std::vector<CqlValue> AggregateValues(const AggregateDefinition& definition, const AggregateRow& row) {
  std::vector<CqlValue> v;
  v.reserve(row.dimensions.size() + 7);
  v.push_back(CqlValue::FromTimestamp(row.window_start));
  for (const auto& d : row.dimensions) v.push_back(CqlValue::Text(d));
  v.push_back(CqlValue::FromTimestamp(row.window_end));
  v.push_back(CqlValue::Bigint(row.users));
  if (definition.age_stats) {
    v.push_back(CqlValue::Double(row.AverageAge()));
    v.push_back(CqlValue::Int(row.min_age));
    v.push_back(CqlValue::Int(row.max_age));
  }
  v.push_back(CqlValue::Boolean(row.final));
  return v;
}

std::vector<CqlValue> PartialValues(const AggregateDefinition& definition, const AggregateRow& row) {
  std::string dimensions;
  for (size_t i = 0; i < row.dimensions.size(); ++i) dimensions += (i > 0 ? "\x1f" : "") + row.dimensions[i];
  return {CqlValue::Text(definition.table),
          CqlValue::FromTimestamp(row.window_start),
          CqlValue::Text(dimensions),
          CqlValue::Int(row.partition),
          CqlValue::FromTimestamp(row.window_end),
          CqlValue::Bigint(row.users),
          CqlValue::Bigint(row.sum_age),
          CqlValue::Int(row.min_age),
          CqlValue::Int(row.max_age),
          CqlValue::Boolean(row.final)};
}

}  // namespace rtpipe
