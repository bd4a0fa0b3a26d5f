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
  milliseconds interval{100};     // pause between requests: the ingest pace
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
  int max_outbox_backlog = 200'000;  // ingest waits while more outbox entries await capture
};

struct CaptureConfig {
  int batch_size = 5000;           // outbox entries appended to the log per round
  milliseconds poll_interval{20};  // pause when the outbox is empty
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
};

struct ProcessConfig {
  std::string group = "rtpipe-processor";
  int batch_size = 5000;  // records per sink transaction (at most)
};

struct SinkConfig {
  std::string url = "sqlite:data/analytics.db";
  std::string keyspace = "spark_streams";
  std::string table = "created_users";
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
