#pragma once
// Helpers of the Kafka integration tests (fixture "kafka": scripts/engines/kafka/start runs one
// KRaft node on 127.0.0.1, its address in RTPIPE_TEST_KAFKA).

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "../testing/test_env.h"
#include "rtpipe/config/config.h"
#include "rtpipe/config/loader.h"
#include "rtpipe/log/log.h"
#include "rtpipe/log/log_factory.h"

namespace rtpipe {
// How GoogleTest prints an Offset or a PartitionId in a failed expectation.
template <typename Tag, typename Rep>
void PrintTo(const StrongId<Tag, Rep>& id, std::ostream* os) {
  *os << id.value();
}
inline void PrintTo(const TopicPartition& tp, std::ostream* os) { *os << tp.topic << "-" << tp.partition.value(); }
}  // namespace rtpipe

namespace rtpipe::testing {

/// host:port of the test broker.
inline std::string KafkaBootstrap() { return RequiredEnv("RTPIPE_TEST_KAFKA"); }

/// A log config for the test broker; `query` (e.g. "?consumer.session.timeout.ms=6000") is
/// appended to the URL.
inline LogConfig KafkaConfig(const std::string& query = "") {
  LogConfig c;
  c.url = "kafka://" + KafkaBootstrap() + query;
  c.connect_timeout = std::chrono::seconds(10);
  c.request_timeout = std::chrono::seconds(120);
  return c;
}

inline std::unique_ptr<Log> OpenKafkaOrDie(const LogConfig& config) {
  auto log = OpenLog(config, LogAccess::kReadWrite);
  if (!log.ok()) {
    ADD_FAILURE() << "cannot open " << config.url << ": " << log.status();
    return nullptr;
  }
  return std::move(*log);
}

/// A topic or group name no other test (or earlier run on the same broker) uses.
inline std::string UniqueName(std::string_view prefix) {
  static std::mt19937_64 rng(std::random_device{}());
  return std::string(prefix) + "-" + std::to_string(rng() % 1'000'000'000);
}

inline std::string KafkaScript(const char* name) {
  return RequiredEnv("RTPIPE_SOURCE_DIR") + "/scripts/engines/kafka/" + name;
}
inline std::string KafkaStateDir() { return RequiredEnv("RTPIPE_ENGINE_STATE") + "/kafka"; }

/// Writes `yaml` as rtpipe.yaml in `dir` and loads it as `rtpipe` started there would (without
/// the environment), with the SQLite stores' paths made absolute for the test process.
inline Config PipelineConfig(const std::string& dir, const std::string& yaml) {
  std::ofstream(dir + "/rtpipe.yaml") << yaml;
  ConfigInputs inputs;
  inputs.file_path = dir + "/rtpipe.yaml";
  inputs.getenv = [](const char*) -> const char* { return nullptr; };
  auto loaded = LoadConfig(inputs);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  if (!loaded.ok()) return Config{};
  Config config = loaded->config;
  for (std::string* url : {&config.sink.url, &config.landing.url}) *url = "sqlite:" + dir + "/" + url->substr(7);
  return config;
}

}  // namespace rtpipe::testing
