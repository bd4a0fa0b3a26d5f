#pragma once
// The offline generator: randomuser.me v1.4 responses, byte-compatible with the real API, made
// without a network.
//
// Determinism: user `index` of page `page` of seed `seed` is a pure function of (seed, page,
// index) (and of the `nat` filter and, without a seed, `gender`). So `results=3` gives the first
// 3 users of the page that `results=5` gives, and two pages never share users. Ages are computed
// at the generator's reference date, 2026-01-01T00:00:00Z, so they do not drift with the clock.
//
// Bad records: at `bad_rate`, a record (chosen deterministically per seed/page/index) is corrupted
// in one of four ways (BadRecordKind). A `malformed` record is not JSON, so it cannot sit inside a
// response body: per-record texts (Records(), used by the embedded source) include malformed
// records; whole responses (Response(), used by the mock API and `rtpipe fetch`) corrupt those
// records in one of the other three ways instead.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/time.h"
#include "rtpipe/model/user.h"

namespace rtpipe {

enum class BadRecordKind : uint8_t {
  kNone,
  kMalformed,     // the record's text is not valid JSON (truncated, or a missing comma)
  kMissing,       // a required field is absent: login.uuid, email or name
  kInvalidEmail,  // email without '@', without a domain, with a space, or with "@@"
  kWrongType,     // dob.date a number, name a string, or location.street.number a string
};
std::string_view BadRecordKindName(BadRecordKind kind);

/// The users of one request, as the API's query parameters describe them.
struct GeneratorRequest {
  std::string seed;                  // "" = draw a random 16-hex seed (echoed in `info`)
  int64_t page = 1;                  // >= 1
  int results = 1;                   // users on the page (1..5000 through the API)
  std::vector<std::string> nats;     // upper-case v1.4 codes; empty = any nationality
  std::string gender;                // "male", "female", or "" (both); ignored with a seed
  uint16_t fields = kAllUserFields;  // from inc/exc
  bool noinfo = false;               // omit the `info` block
};

/// Builds a request from the API's query parameters, with the API's leniency: `results` outside
/// 1..5000 or not an integer gives 1; `page` below 1, above 10000 or not an integer gives 1;
/// `nat` (alias `nationality`) is a case-insensitive comma list and any unknown code makes it
/// "any"; `inc`/`exc` are comma lists of field names (unknown names ignored); `noinfo` present
/// omits `info`. `get(name)` returns the parameter's value, or nullopt when absent.
GeneratorRequest RequestFromQuery(const std::function<std::optional<std::string>(std::string_view)>& get);

/// One record's text, as the embedded source receives it.
struct GeneratedRecord {
  std::string text;
  BadRecordKind bad = BadRecordKind::kNone;
};

/// The reference date of generated ages and dates: 2026-01-01T00:00:00Z.
Timestamp GeneratorEpoch();

/// Stateless apart from its settings; thread-safe.
class Generator {
 public:
  /// `bad_rate` in [0, 1]: the fraction of records corrupted on purpose.
  explicit Generator(double bad_rate = 0.0) : bad_rate_(bad_rate) {}

  /// The clean user `index` (0-based) of page `page` of `seed`. `nats` restricts the nationality
  /// (empty = any); `gender` "male"/"female" fixes it ("" = either).
  User MakeUser(std::string_view seed, int64_t page, int64_t index, std::span<const std::string> nats = {},
                std::string_view gender = "") const;

  /// How record (seed, page, index) is corrupted, if at all. Without `allow_malformed` a record
  /// that would be malformed is corrupted in another way (same rate).
  BadRecordKind BadKindOf(std::string_view seed, int64_t page, int64_t index, bool allow_malformed) const;

  /// Users [first, first + count) of the request's page as separate texts (malformed possible).
  /// The request's seed must be set.
  std::vector<GeneratedRecord> Records(const GeneratorRequest& request, int first, int count) const;

  /// The whole response body, byte-compatible with the API:
  /// {"results":[...],"info":{"seed":"…","results":N,"page":P,"version":"1.4"}}.
  /// An empty seed is replaced by a random one, which `info` echoes.
  std::string Response(const GeneratorRequest& request) const;

  /// A fresh random seed as the API makes them: 16 characters of [a-f1-90].
  static std::string RandomSeed();

 private:
  void AppendRecord(const GeneratorRequest& request, std::string_view gender, int64_t index, bool allow_malformed,
                    std::string& out, BadRecordKind* kind) const;

  double bad_rate_;
};

}  // namespace rtpipe
