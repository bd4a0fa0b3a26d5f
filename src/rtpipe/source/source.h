#pragma once
// The Source seam: where users come from. Three implementations: the offline generator
// (GeneratorSource), the randomuser.me API or anything speaking it (HttpSource), and its responses
// saved as files (FileSource).
//
// Position: the API pages a seed (`seed`, `page`, `results`); a position is "page `page` of `seed`
// after its first `skip` users", so a consumer that takes fewer users than a page holds resumes
// exactly where it stopped. The page size is source.results.

#include <chrono>
#include <cstdint>
#include <memory>
#include <stop_token>
#include <string>
#include <vector>

#include "rtpipe/base/metrics.h"
#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/config.h"
#include "rtpipe/model/user.h"

namespace rtpipe {

/// Next users to take: page `page` of `seed`, after its first `skip` users.
/// seed "" = unpaged (a random sample per request).
struct SourcePosition {
  std::string seed;
  int64_t page = 1;
  int skip = 0;
  friend bool operator==(const SourcePosition&, const SourcePosition&) = default;
};

struct SourceBatch {
  std::vector<SourceRecord> records;             // from model/user.h
  SourcePosition position;                       // where these came from (for an unpaged request: the seed the
                                                 // API used, so the records can be fetched again)
  SourcePosition next;                           // where to continue
  Timestamp first_event_time;                    // event time of records[0] (whole milliseconds)
  std::chrono::microseconds event_time_step{0};  // records[i] = first_event_time + i*step
  int attempts = 1;                              // requests it took
  /// Addition to the contract: the sub-millisecond part of records[0]'s exact event time
  /// (0 <= phase < 1ms), so EventTime(i) is exact whatever `skip` the batch started at.
  std::chrono::microseconds event_time_phase{0};

  /// first_event_time + phase + i*step, truncated to whole milliseconds.
  Timestamp EventTime(size_t i) const;
  /// "seed=rtpipe page=12 index=34": where records[i] came from (index within the page), as
  /// dead letters record it.
  std::string RecordSource(size_t i) const;
};

/// Counters of one source; all thread-safe.
struct SourceMetrics {
  Counter requests;        // requests made (every attempt)
  Counter retries;         // attempts after a failed one
  Counter records;         // records delivered in batches
  Counter bytes;           // response body bytes received
  Counter rate_limited;    // HTTP 429
  Counter server_errors;   // HTTP 5xx
  Counter timeouts;        // connect or request timeouts
  Counter empty_results;   // 200 with an empty (or too short) `results`
  Counter error_bodies;    // 200 with the API's {"error": ...} body, or a body that is not a response
  Counter connect_errors;  // addition to the contract: the server could not be reached at all
};

class Source {  // one thread uses a Source
 public:
  virtual ~Source() = default;
  /// Fetches up to `max_users` users from `position`: page `position.page` with `results` =
  /// source.results, users [skip, skip+max_users). Retries faults (429 honouring Retry-After, 5xx,
  /// timeouts, empty `results`, the API's error body, unparseable body) with exponential backoff +
  /// jitter (base/backoff.h), counting each in metrics; gives up after source.max_attempts (0 =
  /// never) with the last error; returns Status::Cancelled promptly once `stop` is requested (never
  /// blocks shutdown, including mid-request). A record's `parsed` user, if set, is the source's:
  /// valid until its next Fetch.
  virtual Result<SourceBatch> Fetch(const SourcePosition& position, int max_users, std::stop_token stop) = 0;
  virtual const SourceMetrics& metrics() const = 0;
};

/// "generator" → GeneratorSource, http(s):// → HttpSource, file: → FileSource.
Result<std::unique_ptr<Source>> MakeSource(const SourceConfig& config, const Clock& clock);

/// The API serves pages 1..10000 of a seed (it answers page 1 beyond that).
inline constexpr int64_t kMaxApiPage = 10'000;

/// The position after taking `taken` users at `at` from pages of `results` users. Unpaged
/// positions stay as they are.
SourcePosition Advance(const SourcePosition& at, int taken, int results);

/// `at` made valid for pages of `results` users: page >= 1, 0 <= skip < results (a skip past the
/// page moves to the start of the next page).
SourcePosition Normalize(const SourcePosition& at, int results);

}  // namespace rtpipe
