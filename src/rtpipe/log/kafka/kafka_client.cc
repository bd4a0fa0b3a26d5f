#include "rtpipe/log/kafka/kafka_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

#include "rtpipe/base/logging.h"
#include "rtpipe/config/url.h"

namespace rtpipe::kafka {
namespace {

using Clock = std::chrono::steady_clock;

// librdkafka reports a broker that is away once per reconnect attempt; one warning per facility
// (or error code) every kQuietPeriod is enough, the rest goes to debug.
constexpr auto kQuietPeriod = std::chrono::seconds(10);

class RateLimiter {
 public:
  bool Allow(const std::string& what) {
    std::lock_guard lock(mu_);
    auto now = Clock::now();
    auto [it, inserted] = last_.try_emplace(what, now);
    if (inserted) return true;
    if (now - it->second < kQuietPeriod) return false;
    it->second = now;
    return true;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Clock::time_point> last_;  // guarded by mu_
};

RateLimiter& Limiter() {
  static RateLimiter* limiter = new RateLimiter();  // never destroyed: librdkafka threads may log late
  return *limiter;
}

void LogCallback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  static const auto logger = GetLogger("kafka");
  const char* name = rk != nullptr ? rd_kafka_name(rk) : "rdkafka";
  if (level <= 4 && Limiter().Allow(facility)) {
    logger->warn("{} {}: {}", name, facility, message);
  } else {
    logger->debug("{} {}: {}", name, facility, message);
  }
}

void ErrorCallback(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
  static const auto logger = GetLogger("kafka");
  auto code = static_cast<rd_kafka_resp_err_t>(err);
  if (code == RD_KAFKA_RESP_ERR__FATAL) {
    char detail[512];
    rd_kafka_resp_err_t fatal = rd_kafka_fatal_error(rk, detail, sizeof(detail));
    logger->error("{}: fatal error {}: {}", rd_kafka_name(rk), rd_kafka_err2name(fatal), detail);
    return;
  }
  // A failed connection is also reported through the log callback (facility FAIL): once is enough.
  if (code != RD_KAFKA_RESP_ERR__TRANSPORT && Limiter().Allow(rd_kafka_err2name(code))) {
    logger->warn("{}: {} (librdkafka retries by itself)", rd_kafka_name(rk), reason);
  } else {
    logger->debug("{}: {}", rd_kafka_name(rk), reason);
  }
}

Status Set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    return Status::InvalidArgument("librdkafka property {}={}: {}", key, value, err);
  }
  return Status::OK();
}

const char* CodecName(Compression c) {
  switch (c) {
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
    case Compression::kNone:
      break;
  }
  return "none";
}

}  // namespace

void Handle::Reset() {
  if (rk_ != nullptr) rd_kafka_destroy(std::exchange(rk_, nullptr));
}

Result<ClientSettings> ParseClientSettings(const LogConfig& config) {
  auto url = ParseUrl(config.url);
  if (!url.ok()) return Status::InvalidArgument("log.url = \"{}\": {}", config.url, url.status().message());
  if (url->scheme != "kafka" || url->hosts.empty() || url->hosts.front().host.empty()) {
    return Status::InvalidArgument("log.url = \"{}\": expected kafka://HOST:PORT[,HOST:PORT...]", config.url);
  }
  if (!url->user.empty() || !url->password.empty()) {
    return Status::InvalidArgument(
        "log.url = \"{}\": credentials in a kafka:// URL are not supported (set sasl.* properties as query "
        "parameters)",
        MaskUrlPassword(config.url));
  }
  ClientSettings s;
  s.bootstrap = url->HostList(kDefaultPort);
  for (auto& [key, value] : url->query) {
    if (key.starts_with("producer.")) {
      s.producer.emplace_back(key.substr(9), value);
    } else if (key.starts_with("consumer.")) {
      s.consumer.emplace_back(key.substr(9), value);
    } else {
      s.common.emplace_back(key, value);
    }
  }
  s.compression = config.compression;
  s.replication_factor = config.replication_factor;
  s.request_timeout = config.request_timeout;
  s.connect_timeout = config.connect_timeout;
  // Every property must be one librdkafka knows, with a valid value: check them now, once.
  for (ClientRole role : {ClientRole::kAdmin, ClientRole::kProducer, ClientRole::kConsumer}) {
    auto conf = MakeConf(s, role);
    if (!conf.ok()) return Status::InvalidArgument("log.url = \"{}\": {}", config.url, conf.status().message());
  }
  return s;
}

Result<ConfPtr> MakeConf(const ClientSettings& settings, ClientRole role, const Properties& extra) {
  ConfPtr conf(rd_kafka_conf_new());
  Properties props = {
      {"bootstrap.servers", settings.bootstrap},
      {"client.id", "rtpipe"},
      // Topics exist because rtpipe created them with the partitions it wants, never by accident.
      {"allow.auto.create.topics", "false"},
      {"log.connection.close", "false"},
      // Come back quickly after a broker restart (librdkafka's default backs off up to 10 s).
      {"reconnect.backoff.max.ms", "1000"},
  };
  switch (role) {
    case ClientRole::kProducer: {
      auto timeout = std::to_string(settings.request_timeout.count());
      props.insert(props.end(), {
                                    {"enable.idempotence", "true"},  // implies acks=all, in-flight <= 5
                                    {"acks", "all"},
                                    {"compression.codec", CodecName(settings.compression)},
                                    {"linger.ms", "5"},
                                    {"batch.size", "1000000"},
                                    {"batch.num.messages", "100000"},
                                    {"queue.buffering.max.messages", "1000000"},
                                    {"queue.buffering.max.kbytes", "1048576"},
                                    // delivery.timeout.ms: how long a record is retried before its
                                    // delivery report says it failed.
                                    {"message.timeout.ms", timeout},
                                    // Keyed records land where Java's partitioner puts them (PartitionFor).
                                    {"partitioner", "murmur2_random"},
                                });
      break;
    }
    case ClientRole::kConsumer:
      props.insert(props.end(), {
                                    {"enable.auto.commit", "false"},
                                    {"enable.auto.offset.store", "false"},
                                    {"enable.partition.eof", "false"},
                                    // An offset below the start (retention) reads from the start.
                                    {"auto.offset.reset", "earliest"},
                                    {"queued.max.messages.kbytes", "65536"},
                                });
      break;
    case ClientRole::kAdmin:
      break;
  }
  props.insert(props.end(), settings.common.begin(), settings.common.end());
  if (role == ClientRole::kProducer) props.insert(props.end(), settings.producer.begin(), settings.producer.end());
  if (role == ClientRole::kConsumer) props.insert(props.end(), settings.consumer.begin(), settings.consumer.end());
  props.insert(props.end(), extra.begin(), extra.end());
  for (const auto& [key, value] : props) RTPIPE_RETURN_IF_ERROR(Set(conf.get(), key, value));
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  rd_kafka_conf_set_error_cb(conf.get(), ErrorCallback);
  return conf;
}

Result<Handle> NewClient(ConfPtr conf, rd_kafka_type_t type, const ClientSettings& settings) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof(err));
  if (rk == nullptr) return Status::InvalidArgument("creating a Kafka client for {}: {}", settings.bootstrap, err);
  (void)conf.release();  // rd_kafka_new took it
  return Handle(rk);
}

bool IsTransient(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__RESOLVE:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
    case RD_KAFKA_RESP_ERR__NODE_UPDATE:
    case RD_KAFKA_RESP_ERR__QUEUE_FULL:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NETWORK_EXCEPTION:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_NOT_CONTROLLER:
    case RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR:
    case RD_KAFKA_RESP_ERR_FENCED_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_UNKNOWN_LEADER_EPOCH:
    case RD_KAFKA_RESP_ERR_OFFSET_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return true;
    default:
      return false;
  }
}

Status KafkaStatus(rd_kafka_resp_err_t err, std::string_view what, const ClientSettings& settings,
                   std::string_view detail) {
  std::string text = detail.empty() ? rd_kafka_err2str(err) : std::string(detail);
  std::string message = fmt::format("{}: {} ({})", what, text, rd_kafka_err2name(err));
  if (IsTransient(err)) {
    return Status::Unavailable("Kafka at {} (log.url): {}", settings.bootstrap, message);
  }
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return Status::NotFound("{}", message);
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return Status::AlreadyExists("{}", message);
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
      return Status::PermissionDenied("{}", message);
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
      return Status::InvalidArgument("{}", message);
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR__FATAL:
      return Status::FailedPrecondition("{}", message);
    case RD_KAFKA_RESP_ERR__DESTROY:
      return Status::Cancelled("{}", message);
    default:
      return Status::Internal("{}", message);
  }
}

Status RetryUntil(std::chrono::milliseconds timeout,
                  const std::function<Status(std::chrono::milliseconds left)>& attempt) {
  auto deadline = Clock::now() + timeout;
  auto delay = std::chrono::milliseconds(50);
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    Status s = attempt(std::max(left, std::chrono::milliseconds(1)));
    if (s.ok() || !s.IsRetryable()) return s;
    if (Clock::now() + delay >= deadline) {
      return Status::Unavailable("{} (gave up after {} ms, log.request_timeout)", s.message(), timeout.count());
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(1000));
  }
}

int TimeoutMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(left, 1, 1'000'000'000));
}

Result<MetadataPtr> TopicMetadata(rd_kafka_t* rk, const std::string& topic, const ClientSettings& settings,
                                  std::chrono::milliseconds timeout) {
  TopicPtr rkt(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
  if (!rkt) return KafkaStatus(rd_kafka_last_error(), "topic " + topic, settings);
  const rd_kafka_metadata_t* raw = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk, 0, rkt.get(), &raw, static_cast<int>(std::max<int64_t>(timeout.count(), 1)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "metadata of topic " + topic, settings);
  MetadataPtr md(raw);
  if (md->topic_cnt != 1) return Status::Internal("metadata of topic {}: {} topics returned", topic, md->topic_cnt);
  const rd_kafka_metadata_topic_t& t = md->topics[0];
  if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return Status::NotFound("topic {} does not exist", topic);
    return KafkaStatus(t.err, "metadata of topic " + topic, settings);
  }
  if (t.partition_cnt <= 0) return Status::Unavailable("topic {} has no partitions yet", topic);
  for (int i = 0; i < t.partition_cnt; ++i) {
    if (t.partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR || t.partitions[i].leader < 0) {
      return KafkaStatus(t.partitions[i].err != RD_KAFKA_RESP_ERR_NO_ERROR ? t.partitions[i].err
                                                                           : RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE,
                         fmt::format("metadata of {}-{}", topic, t.partitions[i].id), settings);
    }
  }
  return md;
}

Result<int> PartitionCount(rd_kafka_t* rk, const std::string& topic, const ClientSettings& settings) {
  int count = 0;
  RTPIPE_RETURN_IF_ERROR(RetryUntil(settings.request_timeout, [&](std::chrono::milliseconds left) -> Status {
    RTPIPE_ASSIGN_OR_RETURN(MetadataPtr md, TopicMetadata(rk, topic, settings, std::min(left, kMetadataAttempt)));
    count = md->topics[0].partition_cnt;
    return Status::OK();
  }));
  return count;
}

Result<std::vector<int64_t>> ListOffsets(rd_kafka_t* rk, const std::string& topic,
                                         const std::vector<int32_t>& partitions, int64_t timestamp,
                                         const ClientSettings& settings, std::chrono::milliseconds timeout) {
  PartitionListPtr list(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (int32_t p : partitions) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = timestamp;
  rd_kafka_resp_err_t err =
      rd_kafka_offsets_for_times(rk, list.get(), static_cast<int>(std::max<int64_t>(timeout.count(), 1)));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "listing offsets of topic " + topic, settings);
  std::vector<int64_t> out(partitions.size(), -1);
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list->elems[i];
    if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(tp.err, fmt::format("listing offsets of {}-{}", topic, tp.partition), settings);
    }
    auto it = std::find(partitions.begin(), partitions.end(), tp.partition);
    if (it != partitions.end()) out[static_cast<size_t>(it - partitions.begin())] = tp.offset;
  }
  return out;
}

}  // namespace rtpipe::kafka
