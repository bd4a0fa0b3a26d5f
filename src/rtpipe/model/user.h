#pragma once
// The randomuser.me v1.4 user, every field, and the response that carries users.
//
// Real quirks honoured (see docs/formats/randomuser.md):
//  - `location.postcode` is a JSON number for most nationalities and a string for others (CA, GB,
//    NL, NO...); it is kept as text here, with `postcode_is_number` remembering the JSON type.
//  - `id.value` is null for IR, NZ, TR, UA (and `id.name` is then "").
//  - `location.coordinates.*` and `timezone.*` are strings; `street.number` and the ages are numbers.
//  - Fields excluded with `inc`/`exc` are absent from the JSON (not null): `present` says which
//    top-level fields the record carried.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/result.h"

namespace rtpipe {

/// The API's top-level user fields, as named by its `inc`/`exc` parameters.
enum class UserField : uint16_t {
  kGender = 1 << 0,
  kName = 1 << 1,
  kLocation = 1 << 2,
  kEmail = 1 << 3,
  kLogin = 1 << 4,
  kRegistered = 1 << 5,
  kDob = 1 << 6,
  kPhone = 1 << 7,
  kCell = 1 << 8,
  kId = 1 << 9,
  kPicture = 1 << 10,
  kNat = 1 << 11,
};
inline constexpr uint16_t kAllUserFields = (1 << 12) - 1;

/// "gender", "name", ... for a field; nullopt-equivalent "" for an unknown bit.
std::string_view UserFieldName(UserField field);
/// The field named `name` (as in `inc=`), or an error naming the allowed names.
Result<UserField> ParseUserField(std::string_view name);

struct User {
  uint16_t present = kAllUserFields;  // bit set of UserField the record carried
  bool Has(UserField f) const { return (present & static_cast<uint16_t>(f)) != 0; }

  std::string gender;
  struct Name {
    std::string title, first, last;
    friend bool operator==(const Name&, const Name&) = default;
  } name;
  struct Location {
    int64_t street_number = 0;
    std::string street_name;
    std::string city, state, country;
    std::string postcode;
    bool postcode_is_number = false;
    std::string latitude, longitude;  // strings in the API
    std::string timezone_offset, timezone_description;
    friend bool operator==(const Location&, const Location&) = default;
  } location;
  std::string email;
  struct Login {
    std::string uuid, username, password, salt, md5, sha1, sha256;
    friend bool operator==(const Login&, const Login&) = default;
  } login;
  struct Dated {
    std::string date;  // ISO-8601, e.g. "1992-03-08T15:13:16.688Z"
    int age = 0;
    friend bool operator==(const Dated&, const Dated&) = default;
  };
  Dated dob, registered;
  std::string phone, cell;
  struct NationalId {
    std::string name;
    std::optional<std::string> value;  // null for IR, NZ, TR, UA
    friend bool operator==(const NationalId&, const NationalId&) = default;
  } id;
  struct Picture {
    std::string large, medium, thumbnail;
    friend bool operator==(const Picture&, const Picture&) = default;
  } picture;
  std::string nat;

  friend bool operator==(const User&, const User&) = default;
};

/// The response's `info` block.
struct ResponseInfo {
  std::string seed;
  int results = 0;
  int page = 0;
  std::string version;
  friend bool operator==(const ResponseInfo&, const ResponseInfo&) = default;
};

/// One element of `results`: its exact bytes, and the user in them when the response parse read it
/// on the way. Otherwise whoever uses the user parses it (ParseUser), where it is used: the ingest
/// stage parses a page's records one after another into one reused User, instead of holding a User
/// per record.
struct SourceRecord {
  std::string raw;               // the element's JSON text, byte for byte as received
  const User* parsed = nullptr;  // what ParseUser(raw) gives, if the response parse read it; owned by
                                 // whoever parsed the response (ParsePaddedResponse with users)
};

struct Response {
  std::vector<SourceRecord> records;
  std::optional<ResponseInfo> info;  // absent with `noinfo`
};

/// Parses one user object (simdjson). Types are checked strictly for the fields present
/// ("dob.date: expected a string, got number"); absent top-level fields are recorded in `present`.
/// `login.uuid` is required: without it a record cannot be keyed. The status code tells the
/// dead-letter reason: Corruption when the bytes are not a JSON object (malformed), InvalidArgument
/// for a wrong type, NotFound for a missing required field.
Result<User> ParseUser(std::string_view json);
/// As above, into `user`: its strings are overwritten in place, so a User reused for record after
/// record allocates nothing once its strings have grown. On failure `user` holds part of the
/// record and the status says why.
Status ParseUser(std::string_view json, User& user);

/// How many readable bytes (of any value) must follow JSON text for it to be parsed where it is.
inline constexpr size_t kJsonPadding = 64;
/// As ParseUser(json, user), for text followed by kJsonPadding readable bytes: it is parsed where
/// it is, not copied first.
Status ParsePaddedUser(std::string_view json, User& user);

/// Parses an API response body. Fails (retryably: Unavailable) when the body is the API's error
/// object (`{"error": "..."}`), and with InvalidArgument when it is not a response at all. An empty
/// `results` is returned as such (the caller decides to retry). Each element of `results` is
/// returned as its bytes, whatever they hold: one bad user does not fail the response, and
/// ParseUser says what is wrong with it.
Result<Response> ParseResponse(std::string_view body);
/// As ParseResponse, for a body followed by kJsonPadding readable bytes: it is parsed where it is,
/// not copied first (a response is megabytes).
Result<Response> ParsePaddedResponse(std::string_view body);
/// As ParsePaddedResponse(body), reading on the way each user in the API's exact order and types
/// (every real and generated one) into `users` (users[i] for records[i], overwritten in place, so
/// reused vectors allocate nothing), and pointing its record's `parsed` there: the user is then read
/// once, not split out and parsed again. A record that is not (another order, an unknown field, a
/// wrong type, malformed) keeps `parsed` null, for ParseUser to say what is wrong with it. The
/// records' `parsed` stay valid while `users` is neither changed nor destroyed.
Result<Response> ParsePaddedResponse(std::string_view body, std::vector<User>& users);

/// The dead-letter reason (dlq_reason::kMalformedJson, kWrongType or kMissingField) of a failure
/// returned by ParseUser.
std::string_view ClassifyUserError(const Status& status);

/// Serialises a user exactly as the API does (compact JSON, the API's key order and types).
/// A `postcode_is_number` postcode that is not a JSON number is written as a string.
void AppendUserJson(const User& user, std::string& out);
std::string UserJson(const User& user);

}  // namespace rtpipe
