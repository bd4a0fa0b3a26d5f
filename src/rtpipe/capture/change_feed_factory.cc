// OpenChangeFeed: the change feed of the landing store named by `landing.url`.

#include "rtpipe/capture/change_feed.h"
#include "rtpipe/capture/postgres_change_feed.h"
#include "rtpipe/capture/sqlite_outbox_feed.h"
#include "rtpipe/config/url.h"

namespace rtpipe {

Result<std::unique_ptr<ChangeFeed>> OpenChangeFeed(const Config& config) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(config.landing.url));
  if (url.scheme == "sqlite") {
    RTPIPE_ASSIGN_OR_RETURN(auto feed, SqliteOutboxFeed::Open(url.path));
    return std::unique_ptr<ChangeFeed>(std::move(feed));
  }
  if (url.scheme == "postgresql" || url.scheme == "postgres") {
    RTPIPE_ASSIGN_OR_RETURN(auto feed, PostgresChangeFeed::Open(PostgresChangeFeed::OptionsFrom(config)));
    return std::unique_ptr<ChangeFeed>(std::move(feed));
  }
  return Status::InvalidArgument("landing.url: no change capture for scheme \"{}:\"", url.scheme);
}

}  // namespace rtpipe
