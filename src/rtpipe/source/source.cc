#include "rtpipe/source/source.h"

#include <fmt/format.h>

#include <algorithm>

#include "rtpipe/source/file_source.h"
#include "rtpipe/source/generator_source.h"
#include "rtpipe/source/http_source.h"

namespace rtpipe {

Timestamp SourceBatch::EventTime(size_t i) const {
  auto offset = event_time_phase + event_time_step * static_cast<int64_t>(i);
  return first_event_time + std::chrono::duration_cast<std::chrono::milliseconds>(offset);
}

std::string SourceBatch::RecordSource(size_t i) const {
  return fmt::format("seed={} page={} index={}", position.seed, position.page,
                     static_cast<int64_t>(position.skip) + static_cast<int64_t>(i));
}

SourcePosition Normalize(const SourcePosition& at, int results) {
  SourcePosition p = at;
  if (p.seed.empty()) return {"", 1, 0};
  if (p.page < 1) p.page = 1;
  if (p.skip < 0) p.skip = 0;
  if (results > 0 && p.skip >= results) {
    p.page += p.skip / results;
    p.skip = 0;  // a skip past the page (the page size shrank): start the next page
  }
  return p;
}

SourcePosition Advance(const SourcePosition& at, int taken, int results) {
  if (at.seed.empty()) return at;
  SourcePosition next = Normalize(at, results);
  next.skip += std::max(taken, 0);
  if (next.skip >= results) {
    next.page += 1;
    next.skip = 0;
  }
  return next;
}

Result<std::unique_ptr<Source>> MakeSource(const SourceConfig& config, const Clock& clock) {
  if (config.url == "generator") return std::unique_ptr<Source>(std::make_unique<GeneratorSource>(config, clock));
  if (config.url.starts_with("http://") || config.url.starts_with("https://")) {
    RTPIPE_ASSIGN_OR_RETURN(auto http, HttpSource::Create(config, clock));
    return std::unique_ptr<Source>(std::move(http));
  }
  if (config.url.starts_with("file:")) {
    RTPIPE_ASSIGN_OR_RETURN(auto file, FileSource::Create(config, clock));
    return std::unique_ptr<Source>(std::move(file));
  }
  return Status::InvalidArgument("source.url = \"{}\": expected generator, an http(s):// URL or file:DIRECTORY",
                                 config.url);
}

}  // namespace rtpipe
