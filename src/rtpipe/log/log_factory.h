#pragma once
// Opens the log named by `log.url`: `file:DIR` is the embedded segment log (log/embedded/),
// `kafka://host:port[,host:port]` is Apache Kafka through librdkafka (log/kafka/).

#include <memory>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"
#include "rtpipe/log/log.h"

namespace rtpipe {

enum class LogAccess {
  kReadWrite,  // the one writer process of a log directory (takes its lock, recovers after a crash)
  kReadOnly,   // any number of other processes: read, and commit consumer-group offsets
};

/// Opens the log at `config.url`. InvalidArgument naming `log.url` for a scheme rtpipe cannot
/// open; FailedPrecondition (naming the holder's PID) when another process writes the embedded
/// log; NotFound for a read-only open of a log that does not exist yet.
Result<std::unique_ptr<Log>> OpenLog(const LogConfig& config, LogAccess access);

}  // namespace rtpipe
