// ParseUser and ParseResponse: the randomuser.me v1.4 JSON read with simdjson's On-Demand API.
//
// A user is read in one of two ways. The fast way looks its fields up by name in the API's order
// (`find_field`, forward only): one pass that parses only the values it returns and skips unknown
// fields unparsed. It applies when every field of the API is there, in the API's order, which is
// what the API sends. Otherwise (a field missing, excluded with `exc`, out of order, or its key
// written with escapes) the document is iterated afresh and read the general way: each object's
// fields in whatever order they come, every key unescaped if need be and matched against the
// names. Neither way reads a value or unescapes a key twice in one pass: simdjson's string buffer
// holds one copy of each, and `find_field_unordered`, which looks back, assumes a valid object
// (on malformed input it reaches undefined behaviour, as libFuzzer found).
//
// A response is split with On-Demand, which finds each element of `results` and its exact bytes
// without reading it; each element is then parsed as a user where it lies. So one bad record does
// not fail the response.
//
// Known fields are type-checked strictly; unknown fields are skipped. Errors name the field path,
// and their code is the dead-letter reason: InvalidArgument for a wrong type ("dob.date: expected a
// string, got number"), NotFound for a missing required field ("login.uuid: missing"), Corruption
// when the bytes are not a JSON object ("malformed JSON: ...").

#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <utility>

#include "rtpipe/model/json_input.h"
#include "rtpipe/model/user.h"

namespace rtpipe {
namespace {

namespace od = simdjson::ondemand;
using model_internal::JsonTypeName;
using simdjson::error_code;

// Whether the raw (unescaped-as-written) key at `raw` is `name`: its bytes, then the closing quote.
// Keys and names are short: an inline loop beats a call to memcmp. The input is padded, so reading
// name.size() + 1 bytes is always allowed.
bool RawKeyIs(const char* raw, std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (raw[i] != name[i]) return false;
  }
  return raw[name.size()] == '"';
}

Status MalformedStatus(error_code e) { return Status::Corruption("malformed JSON: {}", simdjson::error_message(e)); }

// The outcome of reading part of a record: on failure `error` says why.
struct Reader {
  Status error;
  // The fast way (see the top of the file) while true; it gives up, setting `not_in_api_order`,
  // at the first field of the API it does not find next.
  bool fast = true;
  bool not_in_api_order = false;

  bool Malformed(error_code e) {
    error = MalformedStatus(e);
    return false;
  }
  bool WrongType(std::string_view path, std::string_view expected, od::json_type got) {
    error = Status::InvalidArgument("{}: expected {}, got {}", path, expected, JsonTypeName(got));
    return false;
  }

  bool Type(od::value& v, od::json_type& t) {
    if (auto e = v.type().get(t)) return Malformed(e);
    return true;
  }

  bool String(od::value& v, std::string_view path, std::string& out) {
    std::string_view s;
    error_code e = v.get_string().get(s);
    if (e == simdjson::INCORRECT_TYPE) {
      od::json_type t;
      if (!Type(v, t)) return false;
      return WrongType(path, "a string", t);
    }
    if (e) return Malformed(e);
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

  // Reads the fields of `obj` named `names`: on_field(i, value) for names[i], setting bit i of
  // `seen`; other fields are skipped. Stops at the first failure.
  //  - The fast way: each name looked up in turn, forward only; a name not found next ends it.
  //  - The general way: the fields iterated in whatever order they come. The next name in the API's
  //    order is tried first with a raw comparison; otherwise the key, unescaped if need be, is
  //    looked up among all names.
  template <size_t N, typename OnField>
  bool Fields(od::object& obj, const std::string_view (&names)[N], unsigned& seen, OnField&& on_field) {
    if (fast) {
      for (size_t i = 0; i < N; ++i) {
        od::value value;
        error_code e = obj.find_field(names[i]).get(value);
        if (e == simdjson::NO_SUCH_FIELD) {
          not_in_api_order = true;
          return false;
        }
        if (e) return Malformed(e);
        seen |= 1u << i;
        if (!on_field(i, value)) return false;
      }
      return true;
    }
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

// Whether the user object closes, and nothing but whitespace follows it before `end`. After the
// general way, which iterated the object to its end, that is what AtEnd says. After the fast way,
// which read up to `nat`, the API's last field: the common case is seen at a glance, the next token
// being the root's closing brace and the last one. Otherwise the object is walked from its start to
// its end (skipping, not reading), which also finds one that does not close.
bool ClosesThere(od::document& doc, od::object& obj, const char* end, Reader& r) {
  const char* at = nullptr;
  if (r.fast) {
    if (doc.current_location().get(at) == simdjson::SUCCESS && *at == '}' &&
        model_internal::TrimJsonSpace(std::string_view(at + 1, static_cast<size_t>(end - at - 1))).empty()) {
      return true;
    }
    if (auto e = obj.reset().error()) return r.Malformed(e);
    for (auto field : obj) {
      if (auto e = field.error()) return r.Malformed(e);
    }
  }
  if (!AtEnd(doc)) {
    r.error = Status::Corruption("malformed JSON: content after the user object");
    return false;
  }
  return true;
}

thread_local od::parser tls_user_parser;
thread_local od::parser tls_response_parser;
thread_local model_internal::PaddedScratch tls_user_scratch;
thread_local model_internal::PaddedScratch tls_response_scratch;

// One reading of the user at [data, data+len) into `user`, the fast or the general way (`r.fast`).
// False with r.error set on failure, or with r.not_in_api_order when the fast way gave up.
bool ReadUser(const char* data, size_t len, size_t capacity, Reader& r, User& user) {
  od::document doc;
  od::json_type t;
  od::object obj;
  if (auto e = tls_user_parser.iterate(data, len, capacity).get(doc)) return r.Malformed(e);
  if (auto e = doc.type().get(t)) return r.Malformed(e);
  if (t != od::json_type::object) {
    r.error = Status::Corruption("expected a JSON object, got {}", JsonTypeName(t));
    return false;
  }
  if (auto e = doc.get_object().get(obj)) return r.Malformed(e);
  return r.TopLevel(obj, user) && ClosesThere(doc, obj, data + len, r);
}

// Parses the user at [data, data+len) into `result`, which holds a default User on entry; the
// bytes up to data+capacity are readable padding. Filling in place saves moving ~40 strings.
void ParseUserInto(const char* data, size_t len, size_t capacity, Result<User>& result) {
  Reader r;
  bool ok = ReadUser(data, len, capacity, r, *result);
  if (!ok && r.not_in_api_order) {
    *result = User{};
    r = Reader();
    r.fast = false;
    ok = ReadUser(data, len, capacity, r, *result);
  }
  if (!ok) {
    result = std::move(r.error);
  } else if (!result->Has(UserField::kLogin)) {
    result = Status::NotFound("login.uuid: missing (no login)");
  }
}

bool ReadInfo(od::value& v, ResponseInfo& info, Status& error) {
  static constexpr std::string_view kNames[] = {"seed", "results", "page", "version"};
  Reader r;
  r.fast = false;  // every field is optional
  od::object obj;
  unsigned seen = 0;
  bool ok = r.Object(v, "info", obj) && r.Fields(obj, kNames, seen, [&](size_t i, od::value& value) {
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
  if (!ok) error = std::move(r.error);
  return ok;
}

// The exact bytes of `value`, which is consumed if it is an object or an array (an On-Demand skip:
// its contents are not read).
error_code ValueBytes(od::value& value, std::string_view& out) {
  od::json_type t;
  if (auto e = value.type().get(t)) return e;
  if (t == od::json_type::object) {
    od::object obj;
    if (auto e = value.get_object().get(obj)) return e;
    if (auto e = obj.raw_json().get(out)) return e;
  } else if (t == od::json_type::array) {
    od::array arr;
    if (auto e = value.get_array().get(arr)) return e;
    if (auto e = arr.raw_json().get(out)) return e;
  } else {
    out = value.raw_json_token();
  }
  out = model_internal::TrimJsonSpace(out);
  return simdjson::SUCCESS;
}

// The response's top-level object, read into `response`; the API's error text, if it sent one,
// into `api_error`. Each element of `results` is parsed as a user where it lies in the padded body,
// whose readable bytes end at `readable_end`.
Status ReadResponse(od::object& obj, const char* readable_end, Response& response, bool& saw_results,
                    std::optional<std::string>& api_error) {
  for (auto field_result : obj) {
    od::field field;
    std::string_view key;
    od::json_type type;
    if (auto e = std::move(field_result).get(field)) return MalformedStatus(e);
    if (auto e = field.unescaped_key().get(key)) return MalformedStatus(e);
    od::value& value = field.value();
    if (auto e = value.type().get(type)) return MalformedStatus(e);
    if (key == "results") {
      if (type != od::json_type::array) {
        return Status::InvalidArgument("results: expected an array, got {}", JsonTypeName(type));
      }
      od::array results;
      if (auto e = value.get_array().get(results)) return MalformedStatus(e);
      saw_results = true;
      for (auto element_result : results) {
        od::value element;
        std::string_view raw;
        if (auto e = std::move(element_result).get(element)) return MalformedStatus(e);
        if (auto e = ValueBytes(element, raw)) return MalformedStatus(e);
        SourceRecord& record = response.records.emplace_back();
        record.raw.assign(raw.data(), raw.size());
        ParseUserInto(raw.data(), raw.size(), static_cast<size_t>(readable_end - raw.data()), record.user);
      }
    } else if (key == "info") {
      Status error;
      if (!ReadInfo(value, response.info.emplace(), error)) return error;
    } else if (key == "error") {
      std::string_view text;
      if (type == od::json_type::string) {
        if (auto e = value.get_string().get(text)) return MalformedStatus(e);
      } else {
        text = model_internal::TrimJsonSpace(value.raw_json_token());
      }
      api_error.emplace(text);
    }
  }
  return Status::OK();
}

}  // namespace

Result<User> ParseUser(std::string_view json) {
  std::string_view copy = tls_user_scratch.Fill(json);
  Result<User> result(EmptyUser{});
  ParseUserInto(copy.data(), copy.size(), tls_user_scratch.capacity(), result);
  return result;
}

Result<Response> ParseResponse(std::string_view body) {
  auto not_response = [](const Status& why) {
    return Status::InvalidArgument("not a randomuser.me response: {}", why.message());
  };
  std::string_view copy = tls_response_scratch.Fill(body);
  od::document doc;
  od::json_type t;
  od::object obj;
  if (auto e = tls_response_parser.iterate(copy.data(), copy.size(), tls_response_scratch.capacity()).get(doc)) {
    return not_response(MalformedStatus(e));
  }
  if (auto e = doc.type().get(t)) return not_response(MalformedStatus(e));
  if (t != od::json_type::object) {
    return not_response(Status::InvalidArgument("expected a JSON object, got {}", JsonTypeName(t)));
  }
  if (auto e = doc.get_object().get(obj)) return not_response(MalformedStatus(e));
  Response response;
  response.records.reserve(body.size() / 900 + 1);  // users are ~1 KB: rarely a reallocation (a move of each)
  bool saw_results = false;
  std::optional<std::string> api_error;
  const char* readable_end = copy.data() + tls_response_scratch.capacity();
  if (Status s = ReadResponse(obj, readable_end, response, saw_results, api_error); !s.ok()) return not_response(s);
  if (!AtEnd(doc)) return not_response(Status::InvalidArgument("malformed JSON: content after the response object"));
  if (api_error) return Status::Unavailable("the API answered with an error: {}", *api_error);
  if (!saw_results) return not_response(Status::InvalidArgument("no \"results\" array"));
  return response;
}

}  // namespace rtpipe
