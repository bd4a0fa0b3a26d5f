// OpenSink: the analytics store named by `sink.url`.

#include "rtpipe/config/url.h"
#include "rtpipe/sink/aggregate_tables.h"
#include "rtpipe/sink/cassandra/cassandra_sink.h"
#include "rtpipe/sink/sink.h"
#include "rtpipe/sink/sqlite_sink.h"

namespace rtpipe {

Result<std::unique_ptr<Sink>> OpenSink(const Config& config) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(config.sink.url));
  if (url.scheme == "sqlite") {
    RTPIPE_ASSIGN_OR_RETURN(auto sink,
                            SqliteSink::Open(url.path, config.sink.table, AggregateDefinitions(config.process.window)));
    return std::unique_ptr<Sink>(std::move(sink));
  }
  if (url.scheme == "cassandra") {
    RTPIPE_ASSIGN_OR_RETURN(CassandraSinkSettings settings, CassandraSettings(config.sink));
    RTPIPE_ASSIGN_OR_RETURN(auto sink, CassandraSink::Open(settings, AggregateDefinitions(config.process.window)));
    return std::unique_ptr<Sink>(std::move(sink));
  }
  return Status::InvalidArgument("sink.url: unsupported scheme \"{}:\"", url.scheme);
}

}  // namespace rtpipe
