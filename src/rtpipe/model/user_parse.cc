// ParseUser and ParseResponse: the randomuser.me v1.4 JSON read with simdjson's On-Demand API.
//
// Each object is read by iterating its fields in whatever order they come (the API's order is the
// fast path but not assumed). Known fields are type-checked strictly; unknown fields are skipped.
// Errors name the field path, and their code is the dead-letter reason: InvalidArgument for a wrong
// type ("dob.date: expected a string, got number"), NotFound for a missing required field
// ("login.uuid: missing"), Corruption when the bytes are not a JSON object ("malformed JSON: ...").

#include <fmt/format.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>

#include "rtpipe/model/json_input.h"
#include "rtpipe/model/user.h"

namespace rtpipe {
namespace {

namespace od = simdjson::ondemand;
using model_internal::JsonTypeName;
using simdjson::error_code;

// Whether `s` holds a backslash, eight bytes at a time (values are short: a call to memchr costs
// more than the scan).
bool HasBackslash(std::string_view s) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  constexpr uint64_t kBackslashes = kOnes * '\\';
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, s.data() + i, 8);
    const uint64_t x = word ^ kBackslashes;  // a zero byte where the input has '\\'
    if (((x - kOnes) & ~x & kHighs) != 0) return true;
  }
  for (; i < s.size(); ++i) {
    if (s[i] == '\\') return true;
  }
  return false;
}

// Whether the raw (unescaped-as-written) key at `raw` is `name`: its bytes, then the closing quote.
// Keys and names are short: an inline loop beats a call to memcmp. The input is padded, so reading
// name.size() + 1 bytes is always allowed.
bool RawKeyIs(const char* raw, std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (raw[i] != name[i]) return false;
  }
  return raw[name.size()] == '"';
}

// The outcome of reading part of a record: on failure `error` says why.
struct Reader {
  Status error;

  bool Malformed(error_code e) {
    error = Status::Corruption("malformed JSON: {}", simdjson::error_message(e));
    return false;
  }
  bool WrongType(std::string_view path, std::string_view expected, od::json_type got) {
    error = Status::InvalidArgument("{}: expected {}, got {}", path, expected, JsonTypeName(got));
    return false;
  }
  bool Missing(std::string_view path) {
    error = Status::NotFound("{}: missing", path);
    return false;
  }

  bool Type(od::value& v, od::json_type& t) {
    if (auto e = v.type().get(t)) return Malformed(e);
    return true;
  }

  bool String(od::value& v, std::string_view path, std::string& out) {
    // Fast path: a string without escapes is copied straight from the input (stage 1 has already
    // validated its UTF-8 and rejected raw control characters); only escaped ones are unescaped.
    std::string_view token = model_internal::TrimJsonSpace(v.raw_json_token());
    if (token.empty() || token[0] != '"') {
      od::json_type t;
      if (!Type(v, t)) return false;
      return WrongType(path, "a string", t);
    }
    if (token.size() >= 2 && !HasBackslash(token.substr(1, token.size() - 2))) {
      od::raw_json_string consumed;
      if (auto e = v.get_raw_json_string().get(consumed)) return Malformed(e);
      out.append(token.data() + 1, token.size() - 2);  // `out` is empty: append is the cheapest copy
      return true;
    }
    std::string_view s;
    if (auto e = v.get_string().get(s)) return Malformed(e);
    out.assign(s.data(), s.size());
    return true;
  }

  bool Int(od::value& v, std::string_view path, int64_t min, int64_t max, int64_t& out) {
    int64_t value = 0;
    if (v.get_int64().get(value) != simdjson::SUCCESS) {
      od::json_type t;
      if (!Type(v, t)) return false;
      if (t != od::json_type::number) return WrongType(path, "an integer", t);
      std::string_view token = model_internal::TrimJsonSpace(v.raw_json_token());
      if (!model_internal::IsJsonNumber(token)) {
        error = Status::Corruption("malformed JSON: invalid number at {}: {}", path, token);
      } else {
        error = Status::InvalidArgument("{}: expected an integer, got {}", path, token);
      }
      return false;
    }
    if (value < min || value > max) {
      error = Status::InvalidArgument("{}: expected an integer in [{}, {}], got {}", path, min, max, value);
      return false;
    }
    out = value;
    return true;
  }

  bool Object(od::value& v, std::string_view path, od::object& out) {
    od::json_type t;
    if (!Type(v, t)) return false;
    if (t != od::json_type::object) return WrongType(path, "an object", t);
    if (auto e = v.get_object().get(out)) return Malformed(e);
    return true;
  }

  // Iterates the fields of `obj`. A field named names[i] calls on_field(i, value); other fields are
  // skipped. The next name in the API's order is tried first with a raw comparison (the fast path);
  // otherwise the key, unescaped if need be, is looked up among all names. Bit i of `seen` is set
  // for each name found. Stops at the first failure.
  template <size_t N, typename OnField>
  bool Fields(od::object& obj, const std::string_view (&names)[N], unsigned& seen, OnField&& on_field) {
    size_t next = 0;
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field)) return Malformed(e);
      size_t i = N;
      if (next < N && RawKeyIs(field.key().raw(), names[next])) {
        i = next;
      } else {
        const char* begin = field.key().raw();
        const char* end = begin;
        while (*end != '"' && *end != '\\') ++end;
        std::string_view key(begin, static_cast<size_t>(end - begin));
        if (*end == '\\') {
          if (auto e = field.unescaped_key().get(key)) return Malformed(e);
        }
        for (i = 0; i < N && key != names[i]; ++i) {
        }
      }
      if (i == N) continue;  // not a field of the API: skipped
      next = i + 1;
      seen |= 1u << i;
      if (!on_field(i, field.value())) return false;
    }
    return true;
  }

  // Every name must have been seen (bit i of `seen` for names[i]).
  template <size_t N>
  bool Require(unsigned seen, std::string_view parent, const std::string_view (&names)[N]) {
    for (size_t i = 0; i < N; ++i) {
      if ((seen & (1u << i)) == 0) {
        error = Status::NotFound("{}.{}: missing", parent, names[i]);
        return false;
      }
    }
    return true;
  }

  // An object whose fields are all strings, read into `targets` (same order as `names`).
  template <size_t N>
  bool StringObject(od::value& v, std::string_view path, const std::string_view (&names)[N],
                    const std::string_view (&paths)[N], std::string* const (&targets)[N]) {
    od::object obj;
    if (!Object(v, path, obj)) return false;
    unsigned seen = 0;
    return Fields(obj, names, seen, [&](size_t i, od::value& value) { return String(value, paths[i], *targets[i]); }) &&
           Require(seen, path, names);
  }

  bool Name(od::value& v, User::Name& n) {
    static constexpr std::string_view kNames[] = {"title", "first", "last"};
    static constexpr std::string_view kPaths[] = {"name.title", "name.first", "name.last"};
    return StringObject(v, "name", kNames, kPaths, {&n.title, &n.first, &n.last});
  }

  bool Street(od::value& v, User::Location& l) {
    static constexpr std::string_view kNames[] = {"number", "name"};
    od::object obj;
    if (!Object(v, "location.street", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kNames, seen,
                  [&](size_t i, od::value& value) {
                    return i == 0 ? Int(value, "location.street.number", std::numeric_limits<int64_t>::min(),
                                        std::numeric_limits<int64_t>::max(), l.street_number)
                                  : String(value, "location.street.name", l.street_name);
                  }) &&
           Require(seen, "location.street", kNames);
  }

  bool Postcode(od::value& v, User::Location& l) {
    std::string_view token = model_internal::TrimJsonSpace(v.raw_json_token());
    if (!token.empty() && token[0] == '"') {
      l.postcode_is_number = false;
      return String(v, "location.postcode", l.postcode);
    }
    od::json_type t;
    if (!Type(v, t)) return false;
    if (t != od::json_type::number) return WrongType("location.postcode", "a string or a number", t);
    if (!model_internal::IsJsonNumber(token)) {
      error = Status::Corruption("malformed JSON: invalid number at location.postcode: {}", token);
      return false;
    }
    l.postcode.assign(token.data(), token.size());
    l.postcode_is_number = true;
    return true;
  }

  bool Location(od::value& v, User::Location& l) {
    static constexpr std::string_view kNames[] = {"street",   "city",        "state",   "country",
                                                  "postcode", "coordinates", "timezone"};
    static constexpr std::string_view kCoordinates[] = {"latitude", "longitude"};
    static constexpr std::string_view kCoordinatePaths[] = {"location.coordinates.latitude",
                                                            "location.coordinates.longitude"};
    static constexpr std::string_view kTimezone[] = {"offset", "description"};
    static constexpr std::string_view kTimezonePaths[] = {"location.timezone.offset", "location.timezone.description"};
    od::object obj;
    if (!Object(v, "location", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kNames, seen,
                  [&](size_t i, od::value& value) {
                    switch (i) {
                      case 0:
                        return Street(value, l);
                      case 1:
                        return String(value, "location.city", l.city);
                      case 2:
                        return String(value, "location.state", l.state);
                      case 3:
                        return String(value, "location.country", l.country);
                      case 4:
                        return Postcode(value, l);
                      case 5:
                        return StringObject(value, "location.coordinates", kCoordinates, kCoordinatePaths,
                                            {&l.latitude, &l.longitude});
                      default:
                        return StringObject(value, "location.timezone", kTimezone, kTimezonePaths,
                                            {&l.timezone_offset, &l.timezone_description});
                    }
                  }) &&
           Require(seen, "location", kNames);
  }

  bool Login(od::value& v, User::Login& l) {
    static constexpr std::string_view kNames[] = {"uuid", "username", "password", "salt", "md5", "sha1", "sha256"};
    static constexpr std::string_view kPaths[] = {"login.uuid", "login.username", "login.password", "login.salt",
                                                  "login.md5",  "login.sha1",     "login.sha256"};
    return StringObject(v, "login", kNames, kPaths,
                        {&l.uuid, &l.username, &l.password, &l.salt, &l.md5, &l.sha1, &l.sha256});
  }

  bool Dated(od::value& v, bool is_dob, User::Dated& d) {
    static constexpr std::string_view kNames[] = {"date", "age"};
    const std::string_view path = is_dob ? "dob" : "registered";
    od::object obj;
    if (!Object(v, path, obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kNames, seen,
                  [&](size_t i, od::value& value) {
                    if (i == 0) return String(value, is_dob ? "dob.date" : "registered.date", d.date);
                    int64_t age = 0;
                    if (!Int(value, is_dob ? "dob.age" : "registered.age", std::numeric_limits<int>::min(),
                             std::numeric_limits<int>::max(), age)) {
                      return false;
                    }
                    d.age = static_cast<int>(age);
                    return true;
                  }) &&
           Require(seen, path, kNames);
  }

  bool Id(od::value& v, User::NationalId& id) {
    static constexpr std::string_view kNames[] = {"name", "value"};
    od::object obj;
    if (!Object(v, "id", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kNames, seen,
                  [&](size_t i, od::value& value) {
                    if (i == 0) return String(value, "id.name", id.name);
                    od::json_type t;
                    if (!Type(value, t)) return false;
                    if (t == od::json_type::null) {
                      bool is_null = false;
                      if (auto e = value.is_null().get(is_null)) return Malformed(e);
                      if (!is_null) return Malformed(simdjson::N_ATOM_ERROR);
                      id.value.reset();
                      return true;
                    }
                    if (t != od::json_type::string) return WrongType("id.value", "a string or null", t);
                    id.value.emplace();
                    return String(value, "id.value", *id.value);
                  }) &&
           Require(seen, "id", kNames);
  }

  bool Picture(od::value& v, User::Picture& p) {
    static constexpr std::string_view kNames[] = {"large", "medium", "thumbnail"};
    static constexpr std::string_view kPaths[] = {"picture.large", "picture.medium", "picture.thumbnail"};
    return StringObject(v, "picture", kNames, kPaths, {&p.large, &p.medium, &p.thumbnail});
  }

  // The user object: its top-level fields in the order the API writes them.
  bool TopLevel(od::object& obj, User& u) {
    static constexpr std::string_view kNames[] = {"gender",     "name",  "location", "email", "login",   "dob",
                                                  "registered", "phone", "cell",     "id",    "picture", "nat"};
    static constexpr UserField kFields[] = {UserField::kGender,     UserField::kName,    UserField::kLocation,
                                            UserField::kEmail,      UserField::kLogin,   UserField::kDob,
                                            UserField::kRegistered, UserField::kPhone,   UserField::kCell,
                                            UserField::kId,         UserField::kPicture, UserField::kNat};
    unsigned seen = 0;
    bool ok = Fields(obj, kNames, seen, [&](size_t i, od::value& value) {
      switch (i) {
        case 0:
          return String(value, "gender", u.gender);
        case 1:
          return Name(value, u.name);
        case 2:
          return Location(value, u.location);
        case 3:
          return String(value, "email", u.email);
        case 4:
          return Login(value, u.login);
        case 5:
          return Dated(value, true, u.dob);
        case 6:
          return Dated(value, false, u.registered);
        case 7:
          return String(value, "phone", u.phone);
        case 8:
          return String(value, "cell", u.cell);
        case 9:
          return Id(value, u.id);
        case 10:
          return Picture(value, u.picture);
        default:
          return String(value, "nat", u.nat);
      }
    });
    u.present = 0;
    for (size_t i = 0; i < std::size(kFields); ++i) {
      if (seen & (1u << i)) u.present |= static_cast<uint16_t>(kFields[i]);
    }
    return ok;
  }
};

// Converts to a default User. Result<User>(EmptyUser{}) builds the User inside the Result (the
// conversion's result is elided into place), where Result<User>(User{}) would move ~40 strings.
struct EmptyUser {
  operator User() const { return User{}; }  // NOLINT(google-explicit-constructor)
};

// After the root value was read completely, nothing but whitespace may follow.
bool AtEnd(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

thread_local od::parser tls_user_parser;
thread_local od::parser tls_response_parser;
thread_local model_internal::PaddedScratch tls_user_scratch;
thread_local model_internal::PaddedScratch tls_response_scratch;

// Parses the user at [data, data+len) into `result`, which holds a default User on entry; the
// bytes up to data+capacity are readable padding. Filling in place saves moving ~40 strings.
void ParseUserInto(od::parser& parser, const char* data, size_t len, size_t capacity, Result<User>& result) {
  Reader r;
  od::document doc;
  if (auto e = parser.iterate(data, len, capacity).get(doc)) {
    r.Malformed(e);
    result = std::move(r.error);
    return;
  }
  od::json_type t;
  if (auto e = doc.type().get(t)) {
    r.Malformed(e);
    result = std::move(r.error);
    return;
  }
  if (t != od::json_type::object) {
    result = Status::Corruption("expected a JSON object, got {}", JsonTypeName(t));
    return;
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    r.Malformed(e);
    result = std::move(r.error);
    return;
  }
  User& user = *result;
  if (!r.TopLevel(obj, user)) {
    result = std::move(r.error);
  } else if (!AtEnd(doc)) {
    result = Status::Corruption("malformed JSON: content after the user object");
  } else if (!user.Has(UserField::kLogin)) {
    result = Status::NotFound("login.uuid: missing (no login)");
  }
}

bool ReadInfo(Reader& r, od::value& v, ResponseInfo& info) {
  static constexpr std::string_view kNames[] = {"seed", "results", "page", "version"};
  od::object obj;
  if (!r.Object(v, "info", obj)) return false;
  unsigned seen = 0;
  return r.Fields(obj, kNames, seen, [&](size_t i, od::value& value) {
    int64_t n = 0;
    switch (i) {
      case 0:
        return r.String(value, "info.seed", info.seed);
      case 1:
        if (!r.Int(value, "info.results", 0, std::numeric_limits<int>::max(), n)) return false;
        info.results = static_cast<int>(n);
        return true;
      case 2:
        if (!r.Int(value, "info.page", std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), n)) {
          return false;
        }
        info.page = static_cast<int>(n);
        return true;
      default:
        return r.String(value, "info.version", info.version);
    }
  });
}

// The end of the object or array starting at `p` (one past its closing bracket), or `limit` if it
// does not close. Strings are skipped, escapes included. Only used for records that failed to parse.
const char* ContainerEnd(const char* p, const char* limit) {
  int depth = 0;
  for (; p < limit; ++p) {
    switch (*p) {
      case '"':
        for (++p; p < limit && *p != '"'; ++p) {
          if (*p == '\\') ++p;
        }
        break;
      case '{':
      case '[':
        ++depth;
        break;
      case '}':
      case ']':
        if (--depth == 0) return p + 1;
        break;
      default:
        break;
    }
  }
  return limit;
}

// Reads one element of `results` in place (no second parse): the user, and its exact bytes.
bool ReadRecord(Reader& r, od::document& doc, od::value& element, const char* body_end, SourceRecord& record) {
  const char* start = element.raw_json_token().data();
  od::json_type t;
  if (!r.Type(element, t)) return false;
  std::string_view raw;
  if (t == od::json_type::object) {
    od::object obj;
    if (auto e = element.get_object().get(obj)) return r.Malformed(e);
    Reader user_reader;  // the record's own error, not the response's
    User& user = *record.user;
    if (user_reader.TopLevel(obj, user)) {
      // Read to its closing brace: the next token follows the object.
      const char* next = nullptr;
      if (auto e = doc.current_location().get(next)) return r.Malformed(e);
      raw = model_internal::TrimJsonSpace(std::string_view(start, static_cast<size_t>(next - start)));
      if (!user.Has(UserField::kLogin)) record.user = Status::NotFound("login.uuid: missing (no login)");
    } else {
      raw = std::string_view(start, static_cast<size_t>(ContainerEnd(start, body_end) - start));
      record.user = std::move(user_reader.error);  // the array iteration skips the rest of the object
    }
  } else {
    if (t == od::json_type::array) {
      od::array arr;
      error_code e = element.get_array().get(arr);
      if (!e) e = arr.raw_json().get(raw);
      if (e) return r.Malformed(e);
    } else {
      raw = element.raw_json_token();
    }
    raw = model_internal::TrimJsonSpace(raw);
    record.user = Status::Corruption("expected a JSON object, got {}", JsonTypeName(t));
  }
  record.raw.assign(raw.data(), raw.size());
  return true;
}

}  // namespace

Result<User> ParseUser(std::string_view json) {
  std::string_view copy = tls_user_scratch.Fill(json);
  Result<User> result(EmptyUser{});
  ParseUserInto(tls_user_parser, copy.data(), copy.size(), tls_user_scratch.capacity(), result);
  return result;
}

Result<Response> ParseResponse(std::string_view body) {
  auto not_response = [](const Status& why) {
    return Status::InvalidArgument("not a randomuser.me response: {}", why.message());
  };
  std::string_view copy = tls_response_scratch.Fill(body);
  const char* body_end = copy.data() + copy.size();
  Reader r;
  od::document doc;
  if (auto e = tls_response_parser.iterate(copy.data(), copy.size(), tls_response_scratch.capacity()).get(doc)) {
    r.Malformed(e);
    return not_response(r.error);
  }
  od::json_type t;
  if (auto e = doc.type().get(t)) {
    r.Malformed(e);
    return not_response(r.error);
  }
  if (t != od::json_type::object) {
    return not_response(Status::InvalidArgument("expected a JSON object, got {}", JsonTypeName(t)));
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) {
    r.Malformed(e);
    return not_response(r.error);
  }
  static constexpr std::string_view kNames[] = {"results", "info", "error"};
  Response response;
  response.records.reserve(body.size() / 900 + 1);  // users are ~1 KB: rarely a reallocation (a move of each)
  std::optional<std::string> api_error;
  unsigned seen = 0;
  bool ok = r.Fields(obj, kNames, seen, [&](size_t i, od::value& value) {
    if (i == 0) {
      od::array results;
      od::json_type rt;
      if (!r.Type(value, rt)) return false;
      if (rt != od::json_type::array) return r.WrongType("results", "an array", rt);
      if (auto e = value.get_array().get(results)) return r.Malformed(e);
      for (auto element_result : results) {
        od::value element;
        if (auto e = std::move(element_result).get(element)) return r.Malformed(e);
        SourceRecord& record = response.records.emplace_back();
        if (!ReadRecord(r, doc, element, body_end, record)) return false;
      }
      return true;
    }
    if (i == 1) {
      ResponseInfo info;
      if (!ReadInfo(r, value, info)) return false;
      response.info = std::move(info);
      return true;
    }
    od::json_type et;
    if (!r.Type(value, et)) return false;
    std::string text;
    if (et == od::json_type::string) {
      if (!r.String(value, "error", text)) return false;
    } else {
      text.assign(model_internal::TrimJsonSpace(value.raw_json_token()));
    }
    api_error = std::move(text);
    return true;
  });
  const bool saw_results = (seen & 1) != 0;
  if (!ok) return not_response(r.error);
  if (!AtEnd(doc)) return not_response(Status::InvalidArgument("malformed JSON: content after the response object"));
  if (api_error) return Status::Unavailable("the API answered with an error: {}", *api_error);
  if (!saw_results) return not_response(Status::InvalidArgument("no \"results\" array"));
  return response;
}

}  // namespace rtpipe
