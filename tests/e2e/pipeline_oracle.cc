#include "pipeline_oracle.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <variant>

#include "rtpipe/base/sqlite.h"
#include "rtpipe/config/url.h"
#include "rtpipe/log/log_factory.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/message.h"
#include "rtpipe/process/user_rules.h"
#include "rtpipe/sink/cassandra/cassandra_schema.h"
#include "rtpipe/sink/cassandra/session.h"
#include "rtpipe/source/source.h"

namespace rtpipe::testing {
namespace {

std::string Base64Decode(std::string_view in) {
  std::string out;
  int value = 0, bits = -8;
  for (char c : in) {
    int d = std::isupper(static_cast<unsigned char>(c))   ? c - 'A'
            : std::islower(static_cast<unsigned char>(c)) ? c - 'a' + 26
            : std::isdigit(static_cast<unsigned char>(c)) ? c - '0' + 52
            : c == '+'                                    ? 62
            : c == '/'                                    ? 63
                                                          : -1;
    if (d < 0) break;
    value = (value << 6) + d;
    bits += 6;
    if (bits >= 0) {
      out.push_back(static_cast<char>((value >> bits) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

}  // namespace

PipelineOutcome ExpectedOutcome(const Config& config, int64_t records) {
  PipelineOutcome out;
  auto source = MakeSource(config.source, Clock::System());
  EXPECT_TRUE(source.ok()) << source.status();
  if (!source.ok()) return out;
  SourcePosition position{config.source.seed, 1, 0};
  std::stop_source stop;
  int64_t taken = 0;
  while (taken < records) {
    int want = static_cast<int>(std::min<int64_t>(config.source.results, records - taken));
    auto batch = (*source)->Fetch(position, want, stop.get_token());
    EXPECT_TRUE(batch.ok()) << batch.status();
    if (!batch.ok()) return out;
    for (size_t i = 0; i < batch->records.size(); ++i) {
      const SourceRecord& r = batch->records[i];
      auto user = ParseUser(r.raw);
      if (!user.ok()) {
        out.dead_letters.push_back({std::string(ClassifyUserError(user.status())), "ingest", r.raw});
        continue;
      }
      std::string message = MessageJson(ToMessage(*user));
      auto outcome = ProcessMessage(message, batch->EventTime(i));
      if (auto* row = std::get_if<CreatedUser>(&outcome)) {
        out.rows[row->id] = *row;
      } else {
        out.dead_letters.push_back({std::string(std::get<Rejection>(outcome).reason), "process", message});
      }
    }
    taken += static_cast<int64_t>(batch->records.size());
    position = batch->next;
  }
  out.row_count = static_cast<int64_t>(out.rows.size());
  std::sort(out.dead_letters.begin(), out.dead_letters.end());
  return out;
}

namespace {

// The rows of a SQLite store.
void ReadSqliteRows(const Config& config, PipelineOutcome& out) {
  auto url = ParseUrl(config.sink.url);
  auto db = SqliteDb::Open(url->path, SqliteDb::Mode::kReadOnly);
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return;
  auto query = (*db)->Prepare(
      "SELECT id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, "
      "picture, age, age_band, email_domain, country, nat, tenure_days, event_time FROM " +
      config.sink.table);
  EXPECT_TRUE(query.ok()) << query.status();
  while (query.ok() && query->Step().ValueOr(false)) {
    CreatedUser u;
    int c = 0;
    for (std::string* field : {&u.id, &u.first_name, &u.last_name, &u.gender, &u.address, &u.post_code, &u.email,
                               &u.username, &u.dob, &u.registered_date, &u.phone, &u.picture}) {
      *field = std::string(query->ColumnText(c++));
    }
    u.age = static_cast<int>(query->ColumnInt(c++));
    u.age_band = std::string(query->ColumnText(c++));
    u.email_domain = std::string(query->ColumnText(c++));
    u.country = std::string(query->ColumnText(c++));
    u.nat = std::string(query->ColumnText(c++));
    u.tenure_days = query->ColumnInt(c++);
    u.event_time = *ParseIso8601(query->ColumnText(c++));
    out.rows[u.id] = u;
    ++out.row_count;
  }
}

// The rows of a Cassandra store (sink.url cassandra://...), read at sink.consistency.
void ReadCassandraRows(const Config& config, PipelineOutcome& out) {
  auto settings = CassandraSettings(config.sink);
  EXPECT_TRUE(settings.ok()) << settings.status();
  if (!settings.ok()) return;
  auto session = cql::CqlSession::Connect(settings->client);
  EXPECT_TRUE(session.ok()) << session.status();
  if (!session.ok()) return;
  auto pager = (*session)->Pages(
      "SELECT id, first_name, last_name, gender, address, post_code, email, username, dob, registered_date, phone, "
      "picture, age, age_band, email_domain, country, nat, tenure_days, event_time FROM " +
          settings->keyspace + "." + settings->table,
      {}, 5000);
  for (;;) {
    auto page = pager.Next();
    EXPECT_TRUE(page.ok()) << page.status();
    if (!page.ok() || !page->has_value()) break;
    for (size_t i = 0; i < (*page)->size(); ++i) {
      auto row = (*page)->row(i);
      CreatedUser u;
      u.id = row.Format(0);
      size_t c = 1;
      for (std::string* field : {&u.first_name, &u.last_name, &u.gender, &u.address, &u.post_code, &u.email,
                                 &u.username, &u.dob, &u.registered_date, &u.phone, &u.picture}) {
        *field = row.Get<std::string>(c++).ValueOr("<null>");
      }
      u.age = row.Get<int32_t>(c++).ValueOr(-1);
      for (std::string* field : {&u.age_band, &u.email_domain, &u.country, &u.nat}) {
        *field = row.Get<std::string>(c++).ValueOr("<null>");
      }
      u.tenure_days = row.Get<int64_t>(c++).ValueOr(-1);
      u.event_time = row.Get<Timestamp>(c++).ValueOr(Timestamp{});
      out.rows[u.id] = u;
      ++out.row_count;
    }
  }
  (*session)->Close();
}

}  // namespace

PipelineOutcome ActualOutcome(const Config& config) {
  PipelineOutcome out;
  auto url = ParseUrl(config.sink.url);
  if (url.ok() && url->scheme == "cassandra") {
    ReadCassandraRows(config, out);
  } else {
    ReadSqliteRows(config, out);
  }

  auto log = OpenLog(config.log, LogAccess::kReadOnly);
  EXPECT_TRUE(log.ok()) << log.status();
  if (!log.ok()) return out;
  auto info = (*log)->DescribeTopic(config.log.dlq_topic);
  if (!info.ok()) return out;  // no dead-letter topic: no dead letters
  std::map<TopicPartition, Offset> from;
  int64_t total = 0;
  for (const auto& p : info->partitions) {
    from[{config.log.dlq_topic, p.partition}] = p.start_offset;
    total += p.end_offset - p.start_offset;
  }
  auto consumer = (*log)->NewConsumer();
  EXPECT_TRUE((*consumer)->Assign(from).ok());
  std::stop_source stop;
  // A partition's first fetch may take a while (a broker that just restarted): poll until the
  // topic's end or a deadline, not until the first empty poll.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (static_cast<int64_t>(out.dead_letters.size()) < total && std::chrono::steady_clock::now() < deadline) {
    auto records = (*consumer)->Poll(10'000, std::chrono::milliseconds(1000), stop.get_token());
    EXPECT_TRUE(records.ok()) << records.status();
    if (!records.ok()) break;
    for (const auto& r : *records) {
      auto j = nlohmann::json::parse(r.value.value_or(""), nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "dead letter is not JSON: " << r.value.value_or("");
      if (j.is_discarded()) continue;
      std::string original =
          j.contains("original") ? j["original"].get<std::string>() : Base64Decode(j.value("original_base64", ""));
      out.dead_letters.push_back({j.value("reason", ""), j.value("stage", ""), original});
      EXPECT_FALSE(j.value("detail", "").empty()) << "a dead letter must say why: " << *r.value;
      EXPECT_FALSE(j.value("source", "").empty()) << "a dead letter must say where from: " << *r.value;
    }
  }
  EXPECT_EQ(static_cast<int64_t>(out.dead_letters.size()), total) << "dead letters in the topic not read back";
  std::sort(out.dead_letters.begin(), out.dead_letters.end());
  return out;
}

void ExpectSameOutcome(const PipelineOutcome& expected, const PipelineOutcome& actual) {
  EXPECT_EQ(actual.row_count, static_cast<int64_t>(actual.rows.size())) << "duplicate ids in created_users";
  ASSERT_EQ(actual.rows.size(), expected.rows.size());
  size_t mismatches = 0;
  for (const auto& [id, row] : expected.rows) {
    auto it = actual.rows.find(id);
    if (it == actual.rows.end() || !(it->second == row)) {
      if (++mismatches <= 3) ADD_FAILURE() << "row " << id << (it == actual.rows.end() ? " missing" : " differs");
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_EQ(actual.dead_letters.size(), expected.dead_letters.size());
  EXPECT_TRUE(actual.dead_letters == expected.dead_letters) << "dead letters differ from the injected bad records";
}

}  // namespace rtpipe::testing
