// OpenLandingStore: the landing store named by `landing.url`.

#include "rtpipe/config/url.h"
#include "rtpipe/landing/landing_store.h"
#include "rtpipe/landing/postgres_landing_store.h"
#include "rtpipe/landing/sqlite_landing_store.h"

namespace rtpipe {

Result<std::unique_ptr<LandingStore>> OpenLandingStore(const Config& config, CaptureRuns capture) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(config.landing.url));
  if (url.scheme == "sqlite") {
    const auto durability = capture == CaptureRuns::kInThisProcess ? SqliteLandingStore::Durability::kBeforeCapture
                                                                   : SqliteLandingStore::Durability::kAtCommit;
    RTPIPE_ASSIGN_OR_RETURN(auto store,
                            SqliteLandingStore::Open(url.path, config.log.topic, config.log.dlq_topic, durability));
    return std::unique_ptr<LandingStore>(std::move(store));
  }
  if (url.scheme == "postgresql" || url.scheme == "postgres") {
    RTPIPE_ASSIGN_OR_RETURN(auto store, PostgresLandingStore::Open(PostgresLandingStore::OptionsFrom(config)));
    return std::unique_ptr<LandingStore>(std::move(store));
  }
  return Status::InvalidArgument("landing.url: unsupported scheme \"{}:\"", url.scheme);
}

}  // namespace rtpipe
