#pragma once
// The effective configuration of rtpipe, one struct per stage. Every field has the default that
// docs/configuration.md documents; config/schema.cc is the single place that names keys,
// defaults and allowed values.

#include <chrono>
#include <cstdint>
#include <string>

namespace rtpipe {

using std::chrono::milliseconds;

struct SourceConfig {
  std::string url = "generator";  // "generator" (offline, built in) or the API's base URL
  int results = 500;              // users per request, 1..5000
  milliseconds interval{100};     // from one request's start to the next's: the ingest pace
  std::string seed = "rtpipe";    // page through this seed; "" = a random sample per request
  std::string nat;                // comma list of nationalities, "" = all
  milliseconds connect_timeout{5000};
  milliseconds request_timeout{30000};
  int max_attempts = 0;  // attempts per request before the source fails; 0 = forever
  milliseconds backoff_initial{200};
  milliseconds backoff_max{30000};
  double bad_rate = 0.0;  // generator only: fraction of deliberately bad records
};

struct LandingConfig {
  std::string url = "sqlite:data/landing.db";
  int max_outbox_backlog = 200'000;   // ingest waits while more landed changes await capture
  milliseconds retry_window{60'000};  // PostgreSQL: how long to retry an unreachable server
};

struct CaptureConfig {
  int batch_size = 5000;                     // changes appended to the log per round (whole outbox rows)
  milliseconds poll_interval{20};            // pause when the outbox is empty
  std::string slot = "rtpipe";               // PostgreSQL: logical replication slot
  std::string publication = "rtpipe_users";  // PostgreSQL: publication of the landing tables
  int64_t max_slot_lag = int64_t{1} << 30;   // PostgreSQL: alarm above this much retained WAL (-1: none)
  milliseconds max_slot_lag_time{300'000};   // PostgreSQL: alarm when capture is this far behind (0: none)
};

enum class FsyncPolicy { kAlways, kInterval, kNever };
enum class Compression { kNone, kLz4, kZstd };

struct LogConfig {
  std::string url = "file:data/log";
  std::string topic = "users_created";
  std::string dlq_topic = "users_created.dlq";
  int partitions = 4;
  FsyncPolicy fsync = FsyncPolicy::kAlways;
  milliseconds fsync_interval{1000};
  int64_t segment_bytes = int64_t{128} << 20;
  milliseconds segment_age{7LL * 24 * 3600 * 1000};
  int64_t retention_bytes = -1;
  milliseconds retention{7LL * 24 * 3600 * 1000};
  Compression compression = Compression::kNone;
  // Kafka (kafka:// URLs, log/kafka/):
  int replication_factor = -1;           // of topics rtpipe creates; -1 = the broker's default.replication.factor
  milliseconds request_timeout{120000};  // how long a call waits out an unreachable broker before failing
  milliseconds connect_timeout{10000};   // how long opening the log waits for the first broker answer
};

struct WindowConfig {
  bool enabled = true;                        // false: no aggregates are computed or stored
  milliseconds size{60'000};                  // window length
  milliseconds slide{60'000};                 // window start spacing; == size: tumbling, < size: hopping
  milliseconds lateness{10'000};              // watermark = max event time - lateness
  milliseconds idle_timeout{5000};            // a caught-up partition this long stops holding the watermark
  bool early_updates = true;                  // upsert open windows' current values with every batch
  std::string dimensions = "country,gender";  // keys of the users_by_<dimensions> aggregate
};

struct ProcessConfig {
  std::string group = "rtpipe-processor";
  int batch_size = 5000;  // records per sink transaction (at most)
  WindowConfig window;
};

struct SinkConfig {
  std::string url = "sqlite:data/analytics.db";
  std::string keyspace = "spark_streams";
  std::string table = "created_users";
  // Cassandra only (see docs/cassandra.md).
  std::string consistency = "LOCAL_QUORUM";  // of every read and write; never lowered
  std::string replication = "{'class': 'SimpleStrategy', 'replication_factor': 1}";  // CREATE KEYSPACE
};

struct RunConfig {
  milliseconds status_interval{1000};
  std::string log_level = "info";
};

struct Config {
  SourceConfig source;
  LandingConfig landing;
  CaptureConfig capture;
  LogConfig log;
  ProcessConfig process;
  SinkConfig sink;
  RunConfig run;
};

}  // namespace rtpipe
