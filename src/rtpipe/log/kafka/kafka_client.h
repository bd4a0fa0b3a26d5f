#pragma once
// What the Kafka backend's producer, consumers and admin calls share: the client settings taken
// from `log.url` and the config, RAII owners of librdkafka objects, the mapping of librdkafka
// errors to Status, and retrying a call until `log.request_timeout` while the broker is away.
//
// URL: kafka://HOST:PORT[,HOST:PORT...][?PROPERTY=VALUE&...]. Query parameters are librdkafka
// configuration properties; `producer.X=V` applies only to producers, `consumer.X=V` only to
// consumers, anything else to every client (after rtpipe's own settings, so it wins).

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"

namespace rtpipe::kafka {

/// Default port of a bootstrap server given without one.
inline constexpr int kDefaultPort = 9092;
/// The longest single request of a retried call (each retry gets a fresh one, up to the deadline).
inline constexpr std::chrono::milliseconds kMetadataAttempt{5000};

using Properties = std::vector<std::pair<std::string, std::string>>;

struct ClientSettings {
  std::string bootstrap;  // "h1:9092,h2:9092"
  Properties common;      // from the URL query, for every client
  Properties producer;    // `producer.` query parameters
  Properties consumer;    // `consumer.` query parameters
  Compression compression = Compression::kNone;
  int replication_factor = -1;
  std::chrono::milliseconds request_timeout{120'000};
  std::chrono::milliseconds connect_timeout{10'000};
};

/// Parses `config.url` (a kafka:// URL) and the Kafka keys of `config`. InvalidArgument names
/// `log.url` when the URL is not a usable kafka:// URL.
Result<ClientSettings> ParseClientSettings(const LogConfig& config);

enum class ClientRole { kAdmin, kProducer, kConsumer };

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_event_t* event) const { rd_kafka_event_destroy(event); }
  void operator()(rd_kafka_topic_t* topic) const { rd_kafka_topic_destroy(topic); }
  void operator()(const rd_kafka_metadata_t* md) const { rd_kafka_metadata_destroy(md); }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_AdminOptions_t* options) const { rd_kafka_AdminOptions_destroy(options); }
  void operator()(rd_kafka_error_t* error) const { rd_kafka_error_destroy(error); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, KafkaDeleter>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, KafkaDeleter>;
using MetadataPtr = std::unique_ptr<const rd_kafka_metadata_t, KafkaDeleter>;
using MessagePtr = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;
using AdminOptionsPtr = std::unique_ptr<rd_kafka_AdminOptions_t, KafkaDeleter>;
using ErrorPtr = std::unique_ptr<rd_kafka_error_t, KafkaDeleter>;

/// Owns an rd_kafka_t (rd_kafka_destroy on a consumer also closes it: it leaves its group).
class Handle {
 public:
  Handle() = default;
  explicit Handle(rd_kafka_t* rk) : rk_(rk) {}
  ~Handle() { Reset(); }
  Handle(Handle&& other) noexcept : rk_(std::exchange(other.rk_, nullptr)) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      Reset();
      rk_ = std::exchange(other.rk_, nullptr);
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;

  rd_kafka_t* get() const { return rk_; }
  void Reset();

 private:
  rd_kafka_t* rk_ = nullptr;
};

/// A configuration with rtpipe's settings for `role`, then the URL's properties, and the log and
/// error callbacks (which report through the "kafka" logger). `extra` is applied last.
Result<ConfPtr> MakeConf(const ClientSettings& settings, ClientRole role, const Properties& extra = {});

/// Creates a client from `conf` (taking it).
Result<Handle> NewClient(ConfPtr conf, rd_kafka_type_t type, const ClientSettings& settings);

/// True for errors that go away by themselves (broker down, leader moving, coordinator loading).
bool IsTransient(rd_kafka_resp_err_t err);

/// A Status for `err` while doing `what`: Unavailable (naming the bootstrap servers) for transient
/// errors, NotFound for unknown topics/partitions, PermissionDenied, InvalidArgument, Internal...
Status KafkaStatus(rd_kafka_resp_err_t err, std::string_view what, const ClientSettings& settings,
                   std::string_view detail = {});

/// Runs `attempt` until it succeeds, fails with a non-retryable Status, or `timeout` passes (then
/// Unavailable with the last failure). Waits 50 ms..1 s between attempts.
Status RetryUntil(std::chrono::milliseconds timeout,
                  const std::function<Status(std::chrono::milliseconds left)>& attempt);

/// Milliseconds left until `deadline` (at least 1) as librdkafka's int timeouts want them.
int TimeoutMs(std::chrono::steady_clock::time_point deadline);

/// The metadata of one topic: NotFound when the broker does not know it, Unavailable while it has
/// no leader for some partition (just created, broker restarting).
Result<MetadataPtr> TopicMetadata(rd_kafka_t* rk, const std::string& topic, const ClientSettings& settings,
                                  std::chrono::milliseconds timeout);

/// The partition count of `topic` (retried until `settings.request_timeout`).
Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, const ClientSettings& settings);

/// Kafka's ListOffsets for `partitions` of `topic`: with `timestamp` >= 0 the first offset whose
/// record timestamp is >= it (-1 when there is none); kEarliest / kLatest for the start / end.
/// One attempt (no retry).
inline constexpr int64_t kLatest = -1;
inline constexpr int64_t kEarliest = -2;
Result<std::vector<int64_t>> ListOffsets(rd_kafka_t* rk, const std::string& topic,
                                         const std::vector<int32_t>& partitions, int64_t timestamp,
                                         const ClientSettings& settings, std::chrono::milliseconds timeout);

}  // namespace rtpipe::kafka
