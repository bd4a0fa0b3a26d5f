#include "rtpipe/config/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "rtpipe/config/url.h"
#include "rtpipe/config/values.h"

namespace rtpipe {
namespace {

template <typename T>
using Field = T& (*)(Config&);

template <typename Int>
ConfigKey IntKey(std::string name, int64_t def, int64_t lo, int64_t hi, std::string doc, Field<Int> field) {
  return {std::move(name),
          std::to_string(def),
          fmt::format("an integer between {} and {}", lo, hi),
          std::move(doc),
          false,
          [lo, hi, field](std::string_view text, Config& c) -> Status {
            RTPIPE_ASSIGN_OR_RETURN(int64_t v, ParseInt(text, lo, hi));
            field(c) = static_cast<Int>(v);
            return Status::OK();
          }};
}

ConfigKey RealKey(std::string name, double def, double lo, double hi, std::string doc, Field<double> field) {
  return {std::move(name),
          fmt::format("{}", def),
          fmt::format("a number between {} and {}", lo, hi),
          std::move(doc),
          false,
          [lo, hi, field](std::string_view text, Config& c) -> Status {
            RTPIPE_ASSIGN_OR_RETURN(field(c), ParseDouble(text, lo, hi));
            return Status::OK();
          }};
}

ConfigKey DurationKey(std::string name, std::string def, std::chrono::milliseconds min, std::string doc,
                      Field<std::chrono::milliseconds> field) {
  std::string allowed = min.count() > 0
                            ? fmt::format("a duration of at least {} (250ms, 5s, 2m, 1h, 7d)", DurationText(min))
                            : "a duration (0, 250ms, 5s, 2m, 1h, 7d)";
  return {std::move(name),
          std::move(def),
          allowed,
          std::move(doc),
          false,
          [min, allowed, field](std::string_view text, Config& c) -> Status {
            auto d = ParseDuration(text);
            if (!d.ok() || *d < min) return Status::InvalidArgument("expected {}", allowed);
            field(c) = *d;
            return Status::OK();
          }};
}

ConfigKey SizeKey(std::string name, std::string def, int64_t min, std::string doc, Field<int64_t> field) {
  std::string allowed =
      fmt::format("a size of at least {} (64KiB, 128MiB, 1GiB) or -1 for unlimited", ByteSizeText(min));
  return {std::move(name),
          std::move(def),
          allowed,
          std::move(doc),
          false,
          [min, allowed, field](std::string_view text, Config& c) -> Status {
            auto v = ParseByteSize(text);
            if (!v.ok() || (*v != -1 && *v < min)) return Status::InvalidArgument("expected {}", allowed);
            field(c) = *v;
            return Status::OK();
          }};
}

// A string key; `check` (may be null) rejects bad values with the reason.
ConfigKey StringKey(std::string name, std::string def, std::string allowed, std::string doc, Field<std::string> field,
                    Status (*check)(std::string_view) = nullptr, bool secret = false) {
  return {std::move(name),
          std::move(def),
          std::move(allowed),
          std::move(doc),
          secret,
          [field, check](std::string_view text, Config& c) -> Status {
            if (check != nullptr) RTPIPE_RETURN_IF_ERROR(check(text));
            field(c) = std::string(text);
            return Status::OK();
          }};
}

template <typename E>
ConfigKey EnumKey(std::string name, std::string def, std::vector<std::pair<std::string, E>> values, std::string doc,
                  Field<E> field) {
  std::string allowed;
  for (size_t i = 0; i < values.size(); ++i) {
    allowed += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i].first;
  }
  return {std::move(name),
          std::move(def),
          fmt::format("one of {}", allowed),
          std::move(doc),
          false,
          [values, allowed, field](std::string_view text, Config& c) -> Status {
            for (const auto& [label, value] : values) {
              if (label == text) {
                field(c) = value;
                return Status::OK();
              }
            }
            return Status::InvalidArgument("expected one of {}", allowed);
          }};
}

Status CheckUrlScheme(std::string_view text, std::initializer_list<std::string_view> schemes) {
  auto url = ParseUrl(text);
  if (!url.ok()) return url.status();
  if (std::find(schemes.begin(), schemes.end(), url->scheme) == schemes.end()) {
    std::string list;
    for (auto s : schemes) list += (list.empty() ? "" : ", ") + std::string(s) + ":";
    return Status::InvalidArgument("unsupported scheme \"{}:\" (supported: {})", url->scheme, list);
  }
  if ((url->scheme == "sqlite" || url->scheme == "file") && url->path.empty()) {
    return Status::InvalidArgument("expected a path after \"{}:\"", url->scheme);
  }
  return Status::OK();
}

Status CheckSourceUrl(std::string_view text) {
  if (text == "generator") return Status::OK();
  RTPIPE_RETURN_IF_ERROR(CheckUrlScheme(text, {"http", "https", "file"}));
  auto url = ParseUrl(text);
  if (url->scheme != "file" && url->hosts.empty()) return Status::InvalidArgument("expected a host in the URL");
  return Status::OK();
}
Status CheckLandingUrl(std::string_view text) {
  RTPIPE_RETURN_IF_ERROR(CheckUrlScheme(text, {"sqlite", "postgresql", "postgres"}));
  auto url = ParseUrl(text);
  if (url->scheme != "sqlite" && (url->hosts.empty() || url->hosts.front().host.empty())) {
    return Status::InvalidArgument("expected postgresql://USER:PASSWORD@HOST[:PORT]/DATABASE");
  }
  return Status::OK();
}
// A PostgreSQL replication slot or publication name: lower-case letters, digits and '_'.
Status CheckPgName(std::string_view text) {
  auto allowed = [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  };
  if (text.empty() || text.size() > 63 || !std::all_of(text.begin(), text.end(), allowed)) {
    return Status::InvalidArgument("expected 1 to 63 lower-case letters, digits or '_'");
  }
  return Status::OK();
}
Status CheckLogUrl(std::string_view text) {
  RTPIPE_RETURN_IF_ERROR(CheckUrlScheme(text, {"file", "kafka"}));
  auto url = ParseUrl(text);
  if (url->scheme == "kafka" && (url->hosts.empty() || url->hosts.front().host.empty())) {
    return Status::InvalidArgument("expected kafka://HOST:PORT[,HOST:PORT...] (the bootstrap servers)");
  }
  return Status::OK();
}
// sqlite:PATH, or cassandra://host[:port][,host[:port]...][/keyspace][?client options]. The client
// options (docs/cassandra.md) are checked when the store is opened; the keyspace in the path, if
// any, must agree with sink.keyspace (checked there too, naming both keys).
Status CheckSinkUrl(std::string_view text) {
  RTPIPE_RETURN_IF_ERROR(CheckUrlScheme(text, {"sqlite", "cassandra"}));
  Url url = *ParseUrl(text);
  if (url.scheme != "cassandra") return Status::OK();
  if (url.hosts.empty()) return Status::InvalidArgument("expected at least one host after \"cassandra://\"");
  for (const auto& h : url.hosts) {
    if (h.host.empty()) return Status::InvalidArgument("expected a host name in every host[:port] of the list");
  }
  std::string_view keyspace = url.path;
  if (!keyspace.empty() && keyspace.front() == '/') keyspace.remove_prefix(1);
  if (!keyspace.empty()) {
    if (keyspace.size() > 48 || std::isdigit(static_cast<unsigned char>(keyspace[0])) ||
        !std::all_of(keyspace.begin(), keyspace.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; })) {
      return Status::InvalidArgument("the keyspace \"{}\" in the path is not an identifier", keyspace);
    }
  }
  return Status::OK();
}

// A cassandra:// sink.url may repeat the keyspace (its path) or the consistency (its ?consistency=
// parameter, `query_key`) of another sink key, case aside; a different value is an error naming both.
Status CheckSinkUrlAgrees(const std::string& sink_url, std::string_view what, std::string_view query_key,
                          std::string_view value) {
  auto url = ParseUrl(sink_url);
  if (!url.ok() || url->scheme != "cassandra") return Status::OK();
  std::string in_url = url->path;
  if (!query_key.empty()) {
    in_url.clear();
    for (const auto& [k, v] : url->query) {
      if (k == query_key) in_url = v;
    }
  }
  if (!in_url.empty() && in_url.front() == '/') in_url.erase(0, 1);
  auto lower = [](std::string_view t) {
    std::string out(t);
    for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  if (in_url.empty() || lower(in_url) == lower(value)) return Status::OK();
  return Status::InvalidArgument(
      "sink.url = \"{}\" names {} \"{}\": the URL may only repeat sink.{}; drop it from the URL or make them "
      "equal",
      MaskUrlPassword(sink_url), what, in_url, what);
}

Status CheckConsistency(std::string_view text) {
  static constexpr std::string_view kLevels[] = {"ONE",          "TWO",         "THREE",     "QUORUM",
                                                 "LOCAL_QUORUM", "EACH_QUORUM", "LOCAL_ONE", "ALL"};
  if (std::find(std::begin(kLevels), std::end(kLevels), text) == std::end(kLevels)) {
    return Status::InvalidArgument(
        "expected one of ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE, ALL");
  }
  return Status::OK();
}

Status CheckReplication(std::string_view text) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}' || text.find("'class'") == std::string_view::npos ||
      text.find(';') != std::string_view::npos) {
    return Status::InvalidArgument(
        "expected a CQL replication map such as {{'class': 'SimpleStrategy', 'replication_factor': 1}} or "
        "{{'class': 'NetworkTopologyStrategy', 'dc1': 3}}");
  }
  return Status::OK();
}

Status CheckName(std::string_view text) {
  if (text.empty() || text.size() > 200) return Status::InvalidArgument("expected a name of 1 to 200 characters");
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return Status::InvalidArgument("expected letters, digits, '_', '-' and '.' only");
    }
  }
  return Status::OK();
}

Status CheckIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 48 || std::isdigit(static_cast<unsigned char>(text[0]))) {
    return Status::InvalidArgument("expected an identifier: a letter or '_' then letters, digits or '_' (at most 48)");
  }
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
      return Status::InvalidArgument(
          "expected an identifier: a letter or '_' then letters, digits or '_' (at most 48)");
    }
  }
  return Status::OK();
}

Status CheckNatList(std::string_view text) {
  static constexpr std::string_view kNats[] = {"AU", "BR", "CA", "CH", "DE", "DK", "ES", "FI", "FR", "GB", "IE",
                                               "IN", "IR", "MX", "NL", "NO", "NZ", "RS", "TR", "UA", "US"};
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string code(text.substr(0, comma));
    for (char& ch : code) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (std::find(std::begin(kNats), std::end(kNats), code) == std::end(kNats)) {
      return Status::InvalidArgument(
          "unknown nationality \"{}\" (v1.4 has AU, BR, CA, CH, DE, DK, ES, FI, FR, GB, "
          "IE, IN, IR, MX, NL, NO, NZ, RS, TR, UA, US)",
          code);
    }
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return Status::OK();
}

Status CheckDimensions(std::string_view text) {
  static constexpr std::string_view kAllowed[] = {"country", "gender", "nat", "age_band", "email_domain"};
  std::vector<std::string_view> seen;
  while (true) {
    size_t comma = text.find(',');
    std::string_view dim = text.substr(0, comma);
    if (std::find(std::begin(kAllowed), std::end(kAllowed), dim) == std::end(kAllowed) ||
        std::find(seen.begin(), seen.end(), dim) != seen.end()) {
      return Status::InvalidArgument(
          "expected a comma list of distinct dimensions among country, gender, nat, age_band, email_domain");
    }
    seen.push_back(dim);
    if (comma == std::string_view::npos) break;
    text = text.substr(comma + 1);
  }
  return Status::OK();
}

Status CheckLogLevel(std::string_view text) {
  for (auto l : {"trace", "debug", "info", "warn", "error", "off"}) {
    if (text == l) return Status::OK();
  }
  return Status::InvalidArgument("expected one of trace, debug, info, warn, error, off");
}

std::vector<ConfigKey> BuildKeys() {
  using std::chrono::milliseconds;
  std::vector<ConfigKey> k;
  // source
  k.push_back(StringKey(
      "source.url", "generator",
      "generator, an http(s):// URL of the randomuser.me API, or file:DIRECTORY of saved responses",
      "Where users come from: the built-in offline generator, the API (https://randomuser.me/api/1.4/, or "
      "`rtpipe mock-api`), or its responses saved as DIRECTORY/page-<p>.json (`rtpipe fetch --out`) and "
      "replayed.",
      [](Config& c) -> std::string& { return c.source.url; }, CheckSourceUrl));
  k.push_back(IntKey<int>("source.results", 500, 1, 5000, "Users per request (the API's `results`).",
                          [](Config& c) -> int& { return c.source.results; }));
  k.push_back(DurationKey(
      "source.interval", "100ms", milliseconds(0),
      "From the start of one request to the start of the next: the ingest pace is `source.results` users "
      "every `source.interval` (0: back to back). A request that takes longer is followed at once. When paced "
      "(above 0), each response goes on to landing in chunks of up to 1,000 users, for lower latency; "
      "back to back, whole.",
      [](Config& c) -> milliseconds& { return c.source.interval; }));
  k.push_back(StringKey("source.seed", "rtpipe", "any string; empty for a fresh random sample per request",
                        "Seed to page through (same seed and page give the same users); the source remembers "
                        "its page and resumes there after a restart.",
                        [](Config& c) -> std::string& { return c.source.seed; }));
  k.push_back(StringKey(
      "source.nat", "", "a comma list of v1.4 nationalities (AU, BR, ..., US); empty for all",
      "Only users of these nationalities (the API's `nat`).", [](Config& c) -> std::string& { return c.source.nat; },
      CheckNatList));
  k.push_back(DurationKey("source.connect_timeout", "5s", milliseconds(1), "HTTP connect timeout.",
                          [](Config& c) -> milliseconds& { return c.source.connect_timeout; }));
  k.push_back(DurationKey("source.request_timeout", "30s", milliseconds(1), "HTTP timeout for a whole request.",
                          [](Config& c) -> milliseconds& { return c.source.request_timeout; }));
  k.push_back(IntKey<int>("source.max_attempts", 0, 0, 1'000'000,
                          "Attempts per request before the source gives up and stops the pipeline; 0 retries "
                          "for ever (with backoff).",
                          [](Config& c) -> int& { return c.source.max_attempts; }));
  k.push_back(DurationKey("source.backoff_initial", "200ms", milliseconds(1),
                          "First retry delay (doubles, with jitter).",
                          [](Config& c) -> milliseconds& { return c.source.backoff_initial; }));
  k.push_back(DurationKey("source.backoff_max", "30s", milliseconds(1), "Longest retry delay.",
                          [](Config& c) -> milliseconds& { return c.source.backoff_max; }));
  k.push_back(RealKey("source.bad_rate", 0.0, 0.0, 1.0,
                      "Generator only: fraction of deliberately bad records (malformed JSON, missing fields, "
                      "invalid e-mail, wrong types) to exercise the dead-letter path.",
                      [](Config& c) -> double& { return c.source.bad_rate; }));
  // landing
  k.push_back(StringKey(
      "landing.url", "sqlite:data/landing.db", "sqlite:PATH or postgresql://USER:PASSWORD@HOST:PORT/DB",
      "The operational (OLTP) store where users land (PostgreSQL: see docs/postgres.md).",
      [](Config& c) -> std::string& { return c.landing.url; }, CheckLandingUrl, true));
  k.push_back(IntKey<int>("landing.max_outbox_backlog", 200'000, 1000, 100'000'000,
                          "Ingest pauses while more landed changes than this wait for capture (backpressure).",
                          [](Config& c) -> int& { return c.landing.max_outbox_backlog; }));
  k.push_back(DurationKey("landing.retry_window", "60s", milliseconds(0),
                          "PostgreSQL: how long to keep retrying (with backoff, logged) a server that is down or "
                          "restarting, at start-up and for each batch, before giving up.",
                          [](Config& c) -> milliseconds& { return c.landing.retry_window; }));
  // capture
  k.push_back(IntKey<int>("capture.batch_size", 5000, 1, 1'000'000,
                          "Changes captured into the log per round (a round reads whole SQLite outbox rows, so it may "
                          "exceed this by part of one).",
                          [](Config& c) -> int& { return c.capture.batch_size; }));
  k.push_back(DurationKey("capture.poll_interval", "20ms", milliseconds(1),
                          "How long capture waits for new changes when there are none (a commit of the embedded "
                          "landing store in the same process ends the wait at once).",
                          [](Config& c) -> milliseconds& { return c.capture.poll_interval; }));
  k.push_back(StringKey(
      "capture.slot", "rtpipe", "lower-case letters, digits and '_'",
      "PostgreSQL: the logical replication slot (pgoutput) that capture reads; created when missing.",
      [](Config& c) -> std::string& { return c.capture.slot; }, CheckPgName));
  k.push_back(StringKey(
      "capture.publication", "rtpipe_users", "lower-case letters, digits and '_'",
      "PostgreSQL: the publication of the landing tables; created when missing.",
      [](Config& c) -> std::string& { return c.capture.publication; }, CheckPgName));
  k.push_back(SizeKey("capture.max_slot_lag", "1GiB", 64 * 1024,
                      "PostgreSQL: raise the slot-lag alarm (log and status line) when the replication slot "
                      "retains more WAL than this.",
                      [](Config& c) -> int64_t& { return c.capture.max_slot_lag; }));
  k.push_back(DurationKey("capture.max_slot_lag_time", "5m", milliseconds(0),
                          "PostgreSQL: raise the slot-lag alarm when landed changes have waited longer than this "
                          "for capture (0: no time limit).",
                          [](Config& c) -> milliseconds& { return c.capture.max_slot_lag_time; }));
  // log
  k.push_back(StringKey(
      "log.url", "file:data/log", "file:DIRECTORY, or kafka://HOST:PORT[,HOST:PORT...][?librdkafka properties]",
      "The partitioned log between capture and processing: the embedded log, or Apache Kafka (docs/kafka.md).",
      [](Config& c) -> std::string& { return c.log.url; }, CheckLogUrl));
  k.push_back(StringKey(
      "log.topic", "users_created", "a topic name (letters, digits, '_', '-', '.')",
      "Topic of the users_created messages.", [](Config& c) -> std::string& { return c.log.topic; }, CheckName));
  k.push_back(StringKey(
      "log.dlq_topic", "users_created.dlq", "a topic name (letters, digits, '_', '-', '.')",
      "Topic of rejected records (dead letters).", [](Config& c) -> std::string& { return c.log.dlq_topic; },
      CheckName));
  k.push_back(IntKey<int>("log.partitions", 4, 1, 1024, "Partitions of the topic when rtpipe creates it.",
                          [](Config& c) -> int& { return c.log.partitions; }));
  k.push_back(EnumKey<FsyncPolicy>(
      "log.fsync", "always",
      {{"always", FsyncPolicy::kAlways}, {"interval", FsyncPolicy::kInterval}, {"never", FsyncPolicy::kNever}},
      "Embedded log: acknowledge an append once fdatasync'ed (`always`, group commit), "
      "sync every `log.fsync_interval`, or leave it to the OS.",
      [](Config& c) -> FsyncPolicy& { return c.log.fsync; }));
  k.push_back(DurationKey("log.fsync_interval", "1s", milliseconds(1), "Sync period when `log.fsync` is `interval`.",
                          [](Config& c) -> milliseconds& { return c.log.fsync_interval; }));
  k.push_back(SizeKey("log.segment_bytes", "128MiB", 4096, "Embedded log: roll to a new segment file at this size.",
                      [](Config& c) -> int64_t& { return c.log.segment_bytes; }));
  k.push_back(DurationKey("log.segment_age", "7d", milliseconds(1000), "Embedded log: roll a segment this old.",
                          [](Config& c) -> milliseconds& { return c.log.segment_age; }));
  k.push_back(SizeKey("log.retention_bytes", "-1", 4096,
                      "Embedded log: delete the oldest segments of a partition beyond this size (-1: keep all).",
                      [](Config& c) -> int64_t& { return c.log.retention_bytes; }));
  k.push_back(DurationKey("log.retention", "7d", milliseconds(1000),
                          "Embedded log: delete segments whose newest record is older than this.",
                          [](Config& c) -> milliseconds& { return c.log.retention; }));
  k.push_back(EnumKey<Compression>(
      "log.compression", "none",
      {{"none", Compression::kNone}, {"lz4", Compression::kLz4}, {"zstd", Compression::kZstd}},
      "Compression of record batches.", [](Config& c) -> Compression& { return c.log.compression; }));
  k.push_back({"log.replication_factor", "-1", "-1, or an integer between 1 and 32767",
               "Kafka: replication factor of the topics rtpipe creates; -1 uses the broker's "
               "`default.replication.factor`.",
               false, [](std::string_view text, Config& c) -> Status {
                 auto v = ParseInt(text, -1, 32767);
                 if (!v.ok() || *v == 0)
                   return Status::InvalidArgument("expected -1, or an integer between 1 and 32767");
                 c.log.replication_factor = static_cast<int>(*v);
                 return Status::OK();
               }});
  k.push_back(DurationKey("log.request_timeout", "2m", milliseconds(100),
                          "Kafka: how long an append, a metadata/offset/admin request or a commit waits out an "
                          "unreachable broker (retrying) before it fails with Unavailable.",
                          [](Config& c) -> milliseconds& { return c.log.request_timeout; }));
  k.push_back(DurationKey("log.connect_timeout", "10s", milliseconds(100),
                          "Kafka: how long opening the log waits for a first answer from the bootstrap servers.",
                          [](Config& c) -> milliseconds& { return c.log.connect_timeout; }));
  // process
  k.push_back(StringKey(
      "process.group", "rtpipe-processor", "a group name (letters, digits, '_', '-', '.')",
      "Consumer group of the stream processor.", [](Config& c) -> std::string& { return c.process.group; }, CheckName));
  k.push_back(IntKey<int>("process.batch_size", 5000, 1, 1'000'000,
                          "Records per analytics-store transaction (at most).",
                          [](Config& c) -> int& { return c.process.batch_size; }));
  k.push_back({"process.window.enabled", "true", "true or false",
               "Compute the windowed aggregates (docs/windows.md); false skips them and their tables.", false,
               [](std::string_view text, Config& c) -> Status {
                 RTPIPE_ASSIGN_OR_RETURN(c.process.window.enabled, ParseBool(text));
                 return Status::OK();
               }});
  k.push_back(DurationKey("process.window.size", "1m", milliseconds(1000), "Length of the event-time windows.",
                          [](Config& c) -> milliseconds& { return c.process.window.size; }));
  k.push_back(DurationKey("process.window.slide", "1m", milliseconds(1000),
                          "Spacing of window starts: equal to the size for tumbling windows, a divisor of it for "
                          "hopping (sliding) windows.",
                          [](Config& c) -> milliseconds& { return c.process.window.slide; }));
  k.push_back(DurationKey("process.window.lateness", "10s", milliseconds(0),
                          "Allowed lateness: the watermark trails the newest event time by this much; records "
                          "behind the watermark are dead letters with reason `late`.",
                          [](Config& c) -> milliseconds& { return c.process.window.lateness; }));
  k.push_back(DurationKey("process.window.idle_timeout", "5s", milliseconds(100),
                          "A partition with nothing to read for this long no longer holds the watermark back.",
                          [](Config& c) -> milliseconds& { return c.process.window.idle_timeout; }));
  k.push_back({"process.window.early_updates", "true", "true or false",
               "Also upsert the current values of still-open windows with every batch (final values replace "
               "them when the window closes).",
               false, [](std::string_view text, Config& c) -> Status {
                 RTPIPE_ASSIGN_OR_RETURN(c.process.window.early_updates, ParseBool(text));
                 return Status::OK();
               }});
  k.push_back(StringKey(
      "process.window.dimensions", "country,gender", "a comma list of country, gender, nat, age_band, email_domain",
      "Keys of the users-per-window aggregate, whose table is users_by_ followed by the dimensions joined by _ "
      "(users_by_country_gender).",
      [](Config& c) -> std::string& { return c.process.window.dimensions; }, CheckDimensions));
  // sink
  k.push_back(StringKey(
      "sink.url", "sqlite:data/analytics.db", "sqlite:PATH or cassandra://HOST[:PORT][,HOST[:PORT]...][/KEYSPACE]",
      "The analytics store: a SQLite file, or Apache Cassandra / ScyllaDB (port 9042 by default; client options "
      "as URL parameters, see docs/cassandra.md). A keyspace in the URL must equal `sink.keyspace`.",
      [](Config& c) -> std::string& { return c.sink.url; }, CheckSinkUrl, true));
  // sink.keyspace and sink.consistency come after sink.url (keys apply in this order): a Cassandra URL
  // may repeat them, and a different value fails at start-up naming both keys.
  k.push_back({"sink.keyspace", "spark_streams", "an identifier",
               "Keyspace of the analytics tables (the attached database name with SQLite). A cassandra:// "
               "`sink.url` may repeat it in its path, not name another.",
               false, [](std::string_view text, Config& c) -> Status {
                 RTPIPE_RETURN_IF_ERROR(CheckIdentifier(text));
                 RTPIPE_RETURN_IF_ERROR(CheckSinkUrlAgrees(c.sink.url, "keyspace", "", text));
                 c.sink.keyspace = std::string(text);
                 return Status::OK();
               }});
  k.push_back(StringKey(
      "sink.table", "created_users", "an identifier", "Table of processed users.",
      [](Config& c) -> std::string& { return c.sink.table; }, CheckIdentifier));
  k.push_back({"sink.consistency", "LOCAL_QUORUM",
               "ONE, TWO, THREE, QUORUM, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE or ALL",
               "Cassandra: consistency level of every write and read of the sink. Never lowered by rtpipe; "
               "LOCAL_QUORUM works on a single node with replication factor 1.",
               false, [](std::string_view text, Config& c) -> Status {
                 RTPIPE_RETURN_IF_ERROR(CheckConsistency(text));
                 RTPIPE_RETURN_IF_ERROR(CheckSinkUrlAgrees(c.sink.url, "consistency", "consistency", text));
                 c.sink.consistency = std::string(text);
                 return Status::OK();
               }});
  k.push_back(StringKey(
      "sink.replication", "{'class': 'SimpleStrategy', 'replication_factor': 1}", "a CQL replication map",
      "Cassandra: replication of the keyspace when rtpipe creates it (an existing keyspace is left as it is).",
      [](Config& c) -> std::string& { return c.sink.replication; }, CheckReplication));
  // run
  k.push_back(DurationKey("run.status_interval", "1s", milliseconds(100), "How often the status line is refreshed.",
                          [](Config& c) -> milliseconds& { return c.run.status_interval; }));
  k.push_back(StringKey(
      "run.log_level", "info", "trace, debug, info, warn, error or off", "Log verbosity.",
      [](Config& c) -> std::string& { return c.run.log_level; }, CheckLogLevel));
  return k;
}

}  // namespace

const std::vector<ConfigKey>& ConfigKeys() {
  static const std::vector<ConfigKey> keys = BuildKeys();
  return keys;
}

const ConfigKey* FindConfigKey(std::string_view name) {
  for (const auto& key : ConfigKeys()) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

}  // namespace rtpipe
