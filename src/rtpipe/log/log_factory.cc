#include "rtpipe/log/log_factory.h"

#include "rtpipe/config/url.h"
#include "rtpipe/log/embedded/embedded_log.h"
#include "rtpipe/log/kafka/kafka_log.h"

namespace rtpipe {

Result<std::unique_ptr<Log>> OpenLog(const LogConfig& config, LogAccess access) {
  auto url = ParseUrl(config.url);
  if (!url.ok()) return Status::InvalidArgument("log.url = \"{}\": {}", config.url, url.status().message());
  if (url->scheme == "file") {
    // file:data/log, file:/abs/dir, and file:///abs/dir (whose authority is empty).
    std::string path = config.url.starts_with("file://") ? config.url.substr(7) : url->path;
    if (path.empty()) return Status::InvalidArgument("log.url = \"{}\": expected file:DIRECTORY", config.url);
    RTPIPE_ASSIGN_OR_RETURN(auto log, embedded::OpenEmbeddedLog(path, config, access));
    return std::unique_ptr<Log>(std::move(log));
  }
  if (url->scheme == "kafka") {
    // Any number of processes read and write a Kafka cluster: `access` changes nothing there.
    RTPIPE_ASSIGN_OR_RETURN(auto log, kafka::OpenKafkaLog(config));
    return std::unique_ptr<Log>(std::move(log));
  }
  return Status::InvalidArgument(
      "log.url = \"{}\": the scheme \"{}\" is not supported (expected file:DIRECTORY or kafka://HOST:PORT)", config.url,
      url->scheme);
}

}  // namespace rtpipe
