// ParseUser and ParseResponse: the randomuser.me v1.4 JSON read with simdjson.
//
// A user is parsed with simdjson's DOM parser, which validates the whole record first (so a
// malformed record is told apart from a wrongly typed one, and nothing is read from bytes that are
// not JSON), then its fields are copied out. A record in the API's exact order and types is read in
// one straight pass (InOrder); any other is read again by the Reader, which takes the fields in
// whatever order they come and names what is wrong. The User's strings are assigned in place, so a
// reused User allocates nothing.
//
// A response is split with On-Demand, which finds each element of `results` and its exact bytes
// without reading it (a malformed element ends the response only where On-Demand cannot find its
// end). The elements are not parsed here: the consumer parses each with ParseUser when it uses it,
// so one bad record does not fail the response. The sources' variant (ParsePaddedResponse with
// users) reads each element in the API's order and types on the way, with the same straight pass
// over On-Demand values (OnDemandUserInOrder), so that such a user is read once; any other element
// is left to ParseUser as before.
//
// Known fields are type-checked strictly; unknown fields are skipped. Errors name the field path,
// and their code is the dead-letter reason: InvalidArgument for a wrong type ("dob.date: expected a
// string, got number"), NotFound for a missing required field ("login.uuid: missing"), Corruption
// when the bytes are not a JSON object ("malformed JSON: ...").

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <limits>
#include <utility>

#include "rtpipe/base/words.h"
#include "rtpipe/model/json_input.h"
#include "rtpipe/model/user.h"

namespace rtpipe {
namespace {

namespace dom = simdjson::dom;
namespace od = simdjson::ondemand;
using model_internal::JsonTypeName;
using simdjson::error_code;
using namespace std::string_view_literals;

Status MalformedStatus(error_code e) { return Status::Corruption("malformed JSON: {}", simdjson::error_message(e)); }

std::string_view DomTypeName(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      return "array";
    case dom::element_type::OBJECT:
      return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      return "number";
    case dom::element_type::STRING:
      return "string";
    case dom::element_type::BOOL:
      return "boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

// A number's text into `out`: an integer's digits, a double's shortest form.
void NumberText(dom::element e, std::string& out) {
  if (int64_t i = 0; e.get_int64().get(i) == simdjson::SUCCESS) {
    fmt::format_int text(i);
    out.assign(text.data(), text.size());
  } else if (uint64_t u = 0; e.get_uint64().get(u) == simdjson::SUCCESS) {
    fmt::format_int text(u);
    out.assign(text.data(), text.size());
  } else {
    out = fmt::format("{}", e.get_double().value_unsafe());
  }
}

std::string NumberText(dom::element e) {
  std::string text;
  NumberText(e, text);
  return text;
}

// A field name of the API, kept as its first 16 bytes (zero-filled) to be compared with keys a word
// at a time. Every name of the API fits.
struct FieldName {
  std::string_view text;
  uint64_t prefix[2] = {0, 0};  // little-endian, as words::Load reads text

  template <size_t M>
  constexpr FieldName(const char (&name)[M]) : FieldName(std::string_view(name, M - 1)) {}  // NOLINT
  constexpr explicit FieldName(std::string_view name) : text(name) {
    for (size_t i = 0; i < name.size() && i < 16; ++i) {
      prefix[i / 8] |= static_cast<uint64_t>(static_cast<unsigned char>(name[i])) << (8 * (i % 8));
    }
  }
};

// Whether `key`, a key of a parsed document, is `name`. A key lies in simdjson's string buffer,
// which has SIMDJSON_PADDING readable bytes after its last string, so its first 16 bytes can be
// read whatever its length; the bytes past its end are masked off.
[[gnu::always_inline]] inline bool KeyIs(std::string_view key, const FieldName& name) {
  static_assert(simdjson::SIMDJSON_PADDING >= 16);
  const size_t n = key.size();
  if (n != name.text.size()) return false;
  if (n > 16) return key == name.text;
  const uint64_t low_mask = n >= 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
  if ((words::Load(key.data()) & low_mask) != name.prefix[0]) return false;
  if (n <= 8) return true;
  const uint64_t high_mask = n == 16 ? ~uint64_t{0} : (uint64_t{1} << (8 * (n - 8))) - 1;
  return (words::Load(key.data() + 8) & high_mask) == name.prefix[1];
}

// The fields of each object of a user, in the order the API writes them.
constexpr FieldName kUserFields[] = {"gender",     "name",  "location", "email", "login",   "dob",
                                     "registered", "phone", "cell",     "id",    "picture", "nat"};
constexpr FieldName kNameFields[] = {"title", "first", "last"};
constexpr FieldName kLocationFields[] = {"street", "city", "state", "country", "postcode", "coordinates", "timezone"};
constexpr FieldName kStreetFields[] = {"number", "name"};
constexpr FieldName kCoordinateFields[] = {"latitude", "longitude"};
constexpr FieldName kTimezoneFields[] = {"offset", "description"};
constexpr FieldName kLoginFields[] = {"uuid", "username", "password", "salt", "md5", "sha1", "sha256"};
constexpr FieldName kDatedFields[] = {"date", "age"};
constexpr FieldName kIdFields[] = {"name", "value"};
constexpr FieldName kPictureFields[] = {"large", "medium", "thumbnail"};

// Where the string fields of an object go, in the order of its names above.
std::array<std::string*, 3> NameTargets(User::Name& n) { return {&n.title, &n.first, &n.last}; }
std::array<std::string*, 2> CoordinateTargets(User::Location& l) { return {&l.latitude, &l.longitude}; }
std::array<std::string*, 2> TimezoneTargets(User::Location& l) { return {&l.timezone_offset, &l.timezone_description}; }
std::array<std::string*, 7> LoginTargets(User::Login& l) {
  return {&l.uuid, &l.username, &l.password, &l.salt, &l.md5, &l.sha1, &l.sha256};
}
std::array<std::string*, 3> PictureTargets(User::Picture& p) { return {&p.large, &p.medium, &p.thumbnail}; }

// A string value into `out`, overwritten in place (its capacity reused): clear then append, which
// is cheaper than assign (assign allows for overlapping text).
[[gnu::always_inline]] inline void CopyString(std::string_view s, std::string& out) {
  out.clear();
  out.append(s.data(), s.size());
}

// An integer that is an int64 and in [min, max].
bool SmallInt(dom::element v, int64_t min, int64_t max, int64_t& out) {
  if (v.type() != dom::element_type::INT64) return false;
  int64_t value = v.get_int64().value_unsafe();
  if (value < min || value > max) return false;
  out = value;
  return true;
}

// Reads an object whose fields come exactly in the API's order, with the API's types: a field
// missing, unknown, repeated, out of order or of another type makes it fail, and the record is then
// read by the Reader below, which accepts any order and names what is wrong. Real and generated
// records follow the order, so this straight pass is the common one.
class InOrder {
 public:
  explicit InOrder(dom::object obj) : it_(obj.begin()), end_(obj.end()) {}

  // The next field's value, if its name is `name`.
  bool Next(const FieldName& name, dom::element& value) {
    if (it_ == end_ || !KeyIs(it_.key(), name)) return false;
    value = it_.value();
    ++it_;
    return true;
  }
  bool String(const FieldName& name, std::string& out) {
    dom::element v;
    std::string_view s;
    if (!Next(name, v) || v.get_string().get(s) != simdjson::SUCCESS) return false;
    CopyString(s, out);
    return true;
  }
  bool Object(const FieldName& name, dom::object& out) {
    dom::element v;
    return Next(name, v) && v.get_object().get(out) == simdjson::SUCCESS;
  }
  bool Done() const { return it_ == end_; }

  // An object of strings only, read in full.
  template <size_t N>
  bool Strings(const FieldName& name, const FieldName (&names)[N], const std::array<std::string*, N>& targets) {
    dom::object obj;
    if (!Object(name, obj)) return false;
    InOrder fields(obj);
    for (size_t i = 0; i < N; ++i) {
      if (!fields.String(names[i], *targets[i])) return false;
    }
    return fields.Done();
  }

 private:
  dom::object::iterator it_, end_;
};

bool DatedInOrder(InOrder& user, const FieldName& name, User::Dated& d) {
  dom::object obj;
  dom::element age;
  int64_t years = 0;
  if (!user.Object(name, obj)) return false;
  InOrder fields(obj);
  if (!fields.String(kDatedFields[0], d.date) || !fields.Next(kDatedFields[1], age) ||
      !SmallInt(age, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), years) || !fields.Done()) {
    return false;
  }
  d.age = static_cast<int>(years);
  return true;
}

bool LocationInOrder(InOrder& user, User::Location& l) {
  dom::object obj, street_obj;
  dom::element number, postcode;
  if (!user.Object(kUserFields[2], obj)) return false;
  InOrder location(obj);
  if (!location.Object(kLocationFields[0], street_obj)) return false;
  InOrder street(street_obj);
  if (!street.Next(kStreetFields[0], number) ||
      !SmallInt(number, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), l.street_number) ||
      !street.String(kStreetFields[1], l.street_name) || !street.Done() ||
      !location.String(kLocationFields[1], l.city) || !location.String(kLocationFields[2], l.state) ||
      !location.String(kLocationFields[3], l.country) || !location.Next(kLocationFields[4], postcode)) {
    return false;
  }
  if (std::string_view text; postcode.get_string().get(text) == simdjson::SUCCESS) {
    CopyString(text, l.postcode);
    l.postcode_is_number = false;
  } else if (postcode.type() == dom::element_type::INT64) {
    NumberText(postcode, l.postcode);
    l.postcode_is_number = true;
  } else {
    return false;
  }
  return location.Strings(kLocationFields[5], kCoordinateFields, CoordinateTargets(l)) &&
         location.Strings(kLocationFields[6], kTimezoneFields, TimezoneTargets(l)) && location.Done();
}

bool IdInOrder(InOrder& user, User::NationalId& id) {
  dom::object obj;
  dom::element value;
  if (!user.Object(kUserFields[9], obj)) return false;
  InOrder fields(obj);
  if (!fields.String(kIdFields[0], id.name) || !fields.Next(kIdFields[1], value) || !fields.Done()) return false;
  if (value.is_null()) {
    id.value.reset();
    return true;
  }
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) return false;
  if (!id.value) id.value.emplace();
  CopyString(text, *id.value);
  return true;
}

// The whole user in the API's order; false when it is not (then `u` holds part of it). Flattened:
// g++ does not inline simdjson's DOM accessors (after_element, get_string) into a function this
// big by itself, and a whole parse then takes a third more time (ParseUserReused 42% of the
// ceiling instead of 57%, `build/bench/source_bench --benchmark_filter=NONE`).
[[gnu::flatten]] bool UserInOrder(dom::object obj, User& u) {
  InOrder user(obj);
  if (!user.String(kUserFields[0], u.gender) || !user.Strings(kUserFields[1], kNameFields, NameTargets(u.name)) ||
      !LocationInOrder(user, u.location) || !user.String(kUserFields[3], u.email) ||
      !user.Strings(kUserFields[4], kLoginFields, LoginTargets(u.login)) ||
      !DatedInOrder(user, kUserFields[5], u.dob) || !DatedInOrder(user, kUserFields[6], u.registered) ||
      !user.String(kUserFields[7], u.phone) || !user.String(kUserFields[8], u.cell) || !IdInOrder(user, u.id) ||
      !user.Strings(kUserFields[10], kPictureFields, PictureTargets(u.picture)) ||
      !user.String(kUserFields[11], u.nat) || !user.Done()) {
    return false;
  }
  u.present = kAllUserFields;
  return true;
}

// The same straight pass over a user of a response being split with On-Demand, where it lies in
// the body: a record in the API's order and types is then read without a DOM parse of its own.
// Every value of such a record is read, each checked as UserInOrder checks it, so what it accepts
// ParseUser accepts alike. A record it does not read is told apart by why (OnDemandRead):
// kNotInOrder when it is merely not in the API's shape (a name or type that differs, checked before
// anything is read), kBroken when On-Demand reported an error, which it may keep for the rest of
// the document.
enum class OnDemandRead { kInOrder, kNotInOrder, kBroken };

// One object of the record. The passes over a record's nested objects share its outcome: the
// first failure anywhere ends the whole pass, so a method that returns false has set it.
class OnDemandInOrder {
 public:
  OnDemandInOrder(od::object& obj, OnDemandRead& outcome) : outcome_(outcome) {
    if (obj.begin().get(it_) != simdjson::SUCCESS || obj.end().get(end_) != simdjson::SUCCESS) Broken();
  }
  // The pass over an object nested in `parent`'s.
  OnDemandInOrder(od::object& obj, const OnDemandInOrder& parent) : OnDemandInOrder(obj, parent.outcome_) {}

  // The next field's value, if its name is `name` (a key with escapes never is).
  bool Next(const FieldName& name, od::value& value) {
    if (outcome_ != OnDemandRead::kInOrder) return false;
    if (started_) ++it_;  // past the field before, whose value was read
    started_ = true;
    if (!(it_ != end_)) return NotInOrder();
    od::field field;
    if ((*it_).get(field) != simdjson::SUCCESS) return Broken();
    if (!field.key().unsafe_is_equal(name.text)) return NotInOrder();
    value = field.value();
    return true;
  }
  bool String(const FieldName& name, std::string& out) {
    od::value v;
    return Next(name, v) && ReadString(v, out);
  }
  bool Object(const FieldName& name, od::object& out) {
    od::value v;
    if (!Next(name, v) || !Is(v, od::json_type::object)) return false;
    return v.get_object().get(out) == simdjson::SUCCESS || Broken();
  }
  // Whether the fields are all read: the object ends after the last one.
  bool Done() {
    if (outcome_ != OnDemandRead::kInOrder) return false;
    if (started_) ++it_;
    started_ = true;
    if (!(it_ != end_)) return true;
    od::field field;  // a field more, or an error that stepping past the last one met
    return (*it_).get(field) == simdjson::SUCCESS ? NotInOrder() : Broken();
  }

  template <size_t N>
  bool Strings(const FieldName& name, const FieldName (&names)[N], const std::array<std::string*, N>& targets) {
    od::object obj;
    if (!Object(name, obj)) return false;
    OnDemandInOrder fields(obj, *this);
    for (size_t i = 0; i < N; ++i) {
      if (!fields.String(names[i], *targets[i])) return false;
    }
    return fields.Done();
  }

  // A value of type `type` (else the record is not in order).
  bool Is(od::value& v, od::json_type type) {
    od::json_type t;
    if (v.type().get(t) != simdjson::SUCCESS) return Broken();
    return t == type || NotInOrder();
  }
  bool ReadString(od::value& v, std::string& out) {
    std::string_view s;
    if (!Is(v, od::json_type::string)) return false;
    if (v.get_string().get(s) != simdjson::SUCCESS) return Broken();
    CopyString(s, out);
    return true;
  }
  // An integer that is an int64 and in [min, max].
  bool ReadInt(od::value& v, int64_t min, int64_t max, int64_t& out) {
    int64_t value = 0;
    if (!Is(v, od::json_type::number)) return false;
    if (v.get_int64().get(value) != simdjson::SUCCESS) return Broken();
    if (value < min || value > max) return NotInOrder();
    out = value;
    return true;
  }

  bool NotInOrder() {
    if (outcome_ == OnDemandRead::kInOrder) outcome_ = OnDemandRead::kNotInOrder;
    return false;
  }
  bool Broken() {
    outcome_ = OnDemandRead::kBroken;
    return false;
  }

 private:
  OnDemandRead& outcome_;
  od::object_iterator it_, end_;
  bool started_ = false;
};

bool OnDemandDated(OnDemandInOrder& user, const FieldName& name, User::Dated& d) {
  od::object obj;
  od::value age;
  int64_t years = 0;
  if (!user.Object(name, obj)) return false;
  OnDemandInOrder fields(obj, user);
  if (!fields.String(kDatedFields[0], d.date) || !fields.Next(kDatedFields[1], age) ||
      !fields.ReadInt(age, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), years) || !fields.Done()) {
    return false;
  }
  d.age = static_cast<int>(years);
  return true;
}

bool OnDemandLocation(OnDemandInOrder& user, User::Location& l) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min(), kMax = std::numeric_limits<int64_t>::max();
  od::object obj, street_obj;
  od::value number, postcode;
  if (!user.Object(kUserFields[2], obj)) return false;
  OnDemandInOrder location(obj, user);
  if (!location.Object(kLocationFields[0], street_obj)) return false;
  OnDemandInOrder street(street_obj, location);
  if (!street.Next(kStreetFields[0], number) || !street.ReadInt(number, kMin, kMax, l.street_number) ||
      !street.String(kStreetFields[1], l.street_name) || !street.Done() ||
      !location.String(kLocationFields[1], l.city) || !location.String(kLocationFields[2], l.state) ||
      !location.String(kLocationFields[3], l.country) || !location.Next(kLocationFields[4], postcode)) {
    return false;
  }
  od::json_type t;
  if (postcode.type().get(t) != simdjson::SUCCESS) return location.Broken();
  if (t == od::json_type::string) {
    if (!location.ReadString(postcode, l.postcode)) return false;
    l.postcode_is_number = false;
  } else {
    int64_t value = 0;
    if (!location.ReadInt(postcode, kMin, kMax, value)) return false;
    fmt::format_int text(value);
    l.postcode.assign(text.data(), text.size());
    l.postcode_is_number = true;
  }
  return location.Strings(kLocationFields[5], kCoordinateFields, CoordinateTargets(l)) &&
         location.Strings(kLocationFields[6], kTimezoneFields, TimezoneTargets(l)) && location.Done();
}

bool OnDemandId(OnDemandInOrder& user, User::NationalId& id) {
  od::object obj;
  od::value value;
  if (!user.Object(kUserFields[9], obj)) return false;
  OnDemandInOrder fields(obj, user);
  if (!fields.String(kIdFields[0], id.name) || !fields.Next(kIdFields[1], value)) return false;
  od::json_type t;
  if (value.type().get(t) != simdjson::SUCCESS) return fields.Broken();
  if (t == od::json_type::null) {
    bool is_null = false;
    if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return fields.Broken();
    id.value.reset();
  } else {
    if (!id.value) id.value.emplace();
    if (!fields.ReadString(value, *id.value)) return false;
  }
  return fields.Done();
}

// The whole user of `obj` in the API's order, read into `u`; on anything else `u` holds part of it.
[[gnu::flatten]] OnDemandRead OnDemandUserInOrder(od::object& obj, User& u) {
  OnDemandRead outcome = OnDemandRead::kInOrder;
  OnDemandInOrder user(obj, outcome);
  if (user.String(kUserFields[0], u.gender) && user.Strings(kUserFields[1], kNameFields, NameTargets(u.name)) &&
      OnDemandLocation(user, u.location) && user.String(kUserFields[3], u.email) &&
      user.Strings(kUserFields[4], kLoginFields, LoginTargets(u.login)) && OnDemandDated(user, kUserFields[5], u.dob) &&
      OnDemandDated(user, kUserFields[6], u.registered) && user.String(kUserFields[7], u.phone) &&
      user.String(kUserFields[8], u.cell) && OnDemandId(user, u.id) &&
      user.Strings(kUserFields[10], kPictureFields, PictureTargets(u.picture)) && user.String(kUserFields[11], u.nat) &&
      user.Done()) {
    u.present = kAllUserFields;
  }
  return outcome;
}

// Reads the parts of a user from a parsed (so valid) document; on failure `error` says why.
struct Reader {
  Status error;

  [[gnu::cold, gnu::noinline]] bool WrongType(std::string_view path, std::string_view expected, dom::element got) {
    error = Status::InvalidArgument("{}: expected {}, got {}", path, expected, DomTypeName(got));
    return false;
  }

  // Inlined: it runs for most values of a record, and its call would cost as much as its work.
  [[gnu::always_inline]] bool String(dom::element v, std::string_view path, std::string& out) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) return WrongType(path, "a string", v);
    CopyString(s, out);
    return true;
  }

  bool Int(dom::element v, std::string_view path, int64_t min, int64_t max, int64_t& out) {
    if (!v.is_number()) return WrongType(path, "an integer", v);
    if (v.type() == dom::element_type::DOUBLE) {
      error = Status::InvalidArgument("{}: expected an integer, got {}", path, NumberText(v));
      return false;
    }
    int64_t value = 0;
    if (v.get_int64().get(value) != simdjson::SUCCESS || value < min || value > max) {
      error = Status::InvalidArgument("{}: expected an integer in [{}, {}], got {}", path, min, max, NumberText(v));
      return false;
    }
    out = value;
    return true;
  }

  bool Object(dom::element v, std::string_view path, dom::object& out) {
    if (v.get_object().get(out) != simdjson::SUCCESS) return WrongType(path, "an object", v);
    return true;
  }

  // Reads the fields of `obj` named `names`: on_field(i, value) for names[i], setting bit i of
  // `seen`; other fields are skipped, and of a repeated field the last counts. Stops at the first
  // failure. The fields come in the API's order as a rule: the next name is tried first.
  template <size_t N, typename OnField>
  bool Fields(dom::object obj, const FieldName (&names)[N], unsigned& seen, OnField&& on_field) {
    size_t next = 0;
    for (dom::key_value_pair field : obj) {
      size_t i = next;
      if (i >= N || !KeyIs(field.key, names[i])) {
        for (i = 0; i < N && !KeyIs(field.key, names[i]); ++i) {
        }
        if (i == N) continue;  // not a field of the API: skipped
      }
      next = i + 1;
      seen |= 1u << i;
      if (!on_field(i, field.value)) return false;
    }
    return true;
  }

  // Every name must have been seen (bit i of `seen` for names[i]).
  template <size_t N>
  bool Require(unsigned seen, std::string_view parent, const FieldName (&names)[N]) {
    for (size_t i = 0; i < N; ++i) {
      if ((seen & (1u << i)) == 0) {
        error = Status::NotFound("{}.{}: missing", parent, names[i].text);
        return false;
      }
    }
    return true;
  }

  // An object whose fields are all strings, read into `targets` (same order as `names`).
  template <size_t N>
  bool StringObject(dom::element v, std::string_view path, const FieldName (&names)[N],
                    const std::string_view (&paths)[N], const std::array<std::string*, N>& targets) {
    dom::object obj;
    if (!Object(v, path, obj)) return false;
    unsigned seen = 0;
    return Fields(obj, names, seen,
                  [&](size_t i, dom::element value) { return String(value, paths[i], *targets[i]); }) &&
           Require(seen, path, names);
  }

  bool Name(dom::element v, User::Name& n) {
    static constexpr std::string_view kPaths[] = {"name.title", "name.first", "name.last"};
    return StringObject(v, "name", kNameFields, kPaths, NameTargets(n));
  }

  bool Street(dom::element v, User::Location& l) {
    dom::object obj;
    if (!Object(v, "location.street", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kStreetFields, seen,
                  [&](size_t i, dom::element value) {
                    return i == 0 ? Int(value, "location.street.number", std::numeric_limits<int64_t>::min(),
                                        std::numeric_limits<int64_t>::max(), l.street_number)
                                  : String(value, "location.street.name", l.street_name);
                  }) &&
           Require(seen, "location.street", kStreetFields);
  }

  bool Postcode(dom::element v, User::Location& l) {
    if (v.is_string()) {
      l.postcode_is_number = false;
      return String(v, "location.postcode", l.postcode);
    }
    if (!v.is_number()) return WrongType("location.postcode", "a string or a number", v);
    NumberText(v, l.postcode);
    l.postcode_is_number = true;
    return true;
  }

  bool Location(dom::element v, User::Location& l) {
    static constexpr std::string_view kCoordinatePaths[] = {"location.coordinates.latitude",
                                                            "location.coordinates.longitude"};
    static constexpr std::string_view kTimezonePaths[] = {"location.timezone.offset", "location.timezone.description"};
    dom::object obj;
    if (!Object(v, "location", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kLocationFields, seen,
                  [&](size_t i, dom::element value) {
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
                        return StringObject(value, "location.coordinates", kCoordinateFields, kCoordinatePaths,
                                            CoordinateTargets(l));
                      default:
                        return StringObject(value, "location.timezone", kTimezoneFields, kTimezonePaths,
                                            TimezoneTargets(l));
                    }
                  }) &&
           Require(seen, "location", kLocationFields);
  }

  bool Login(dom::element v, User::Login& l) {
    static constexpr std::string_view kPaths[] = {"login.uuid", "login.username", "login.password", "login.salt",
                                                  "login.md5",  "login.sha1",     "login.sha256"};
    return StringObject(v, "login", kLoginFields, kPaths, LoginTargets(l));
  }

  bool Dated(dom::element v, bool is_dob, User::Dated& d) {
    const std::string_view path = is_dob ? "dob"sv : "registered"sv;
    dom::object obj;
    if (!Object(v, path, obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kDatedFields, seen,
                  [&](size_t i, dom::element value) {
                    if (i == 0) {
                      return String(value, is_dob ? "dob.date"sv : "registered.date"sv, d.date);
                    }
                    int64_t age = 0;
                    if (!Int(value, is_dob ? "dob.age"sv : "registered.age"sv, std::numeric_limits<int>::min(),
                             std::numeric_limits<int>::max(), age)) {
                      return false;
                    }
                    d.age = static_cast<int>(age);
                    return true;
                  }) &&
           Require(seen, path, kDatedFields);
  }

  bool Id(dom::element v, User::NationalId& id) {
    dom::object obj;
    if (!Object(v, "id", obj)) return false;
    unsigned seen = 0;
    return Fields(obj, kIdFields, seen,
                  [&](size_t i, dom::element value) {
                    if (i == 0) return String(value, "id.name", id.name);
                    if (value.is_null()) {
                      id.value.reset();
                      return true;
                    }
                    if (!value.is_string()) return WrongType("id.value", "a string or null", value);
                    if (!id.value) id.value.emplace();
                    return String(value, "id.value", *id.value);
                  }) &&
           Require(seen, "id", kIdFields);
  }

  bool Picture(dom::element v, User::Picture& p) {
    static constexpr std::string_view kPaths[] = {"picture.large", "picture.medium", "picture.thumbnail"};
    return StringObject(v, "picture", kPictureFields, kPaths, PictureTargets(p));
  }

  // The user object. A field it does not carry keeps its value in `u`.
  bool TopLevel(dom::object obj, User& u) {
    static constexpr UserField kFields[] = {UserField::kGender,     UserField::kName,    UserField::kLocation,
                                            UserField::kEmail,      UserField::kLogin,   UserField::kDob,
                                            UserField::kRegistered, UserField::kPhone,   UserField::kCell,
                                            UserField::kId,         UserField::kPicture, UserField::kNat};
    unsigned seen = 0;
    bool ok = Fields(obj, kUserFields, seen, [&](size_t i, dom::element value) {
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

// After the root value was read completely, nothing but whitespace may follow.
bool AtEnd(od::document& doc) { return doc.current_location().error() == simdjson::OUT_OF_BOUNDS; }

thread_local dom::parser tls_user_parser;
thread_local od::parser tls_response_parser;
thread_local model_internal::PaddedScratch tls_user_scratch;
thread_local model_internal::PaddedScratch tls_response_scratch;

// Parses the JSON object at [data, data+len); the bytes up to data + len + SIMDJSON_PADDING are
// readable. The object is valid until the next call.
Result<dom::object> ParseObject(const char* data, size_t len) {
  dom::element root;
  if (auto e = tls_user_parser.parse(data, len, false).get(root)) return MalformedStatus(e);
  dom::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::Corruption("expected a JSON object, got {}", DomTypeName(root));
  }
  return obj;
}

// Parses the user at [data, data+len) into `user`, whose strings are overwritten in place (their
// capacity reused); the bytes up to data + len + SIMDJSON_PADDING are readable. On failure `user`
// holds part of the record.
Status ParseUserAt(const char* data, size_t len, User& user) {
  RTPIPE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(data, len));
  if (UserInOrder(obj, user)) return Status::OK();
  Reader r;
  if (!r.TopLevel(obj, user)) return std::move(r.error);
  if (!user.Has(UserField::kLogin)) return Status::NotFound("login.uuid: missing (no login)");
  if (user.present == kAllUserFields) return Status::OK();
  // A field absent from this record is reset, so a reused User carries nothing of the last one.
  if (!user.Has(UserField::kGender)) user.gender.clear();
  if (!user.Has(UserField::kName)) user.name = {};
  if (!user.Has(UserField::kLocation)) user.location = {};
  if (!user.Has(UserField::kEmail)) user.email.clear();
  if (!user.Has(UserField::kDob)) user.dob = {};
  if (!user.Has(UserField::kRegistered)) user.registered = {};
  if (!user.Has(UserField::kPhone)) user.phone.clear();
  if (!user.Has(UserField::kCell)) user.cell.clear();
  if (!user.Has(UserField::kId)) user.id = {};
  if (!user.Has(UserField::kPicture)) user.picture = {};
  if (!user.Has(UserField::kNat)) user.nat.clear();
  return Status::OK();
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

// The `info` object, whose exact bytes are `raw` (in the padded body).
Status ReadInfo(std::string_view raw, ResponseInfo& info) {
  static constexpr FieldName kNames[] = {"seed", "results", "page", "version"};
  RTPIPE_ASSIGN_OR_RETURN(dom::object obj, ParseObject(raw.data(), raw.size()));
  Reader r;
  unsigned seen = 0;  // every field is optional
  bool ok = r.Fields(obj, kNames, seen, [&](size_t i, dom::element value) {
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
  return ok ? Status::OK() : std::move(r.error);
}

// The exact bytes of the element `element` of `results`. With `user`, an object is read into it on
// the way, and `read` says whether it was in the API's order; kBroken fails (TAPE_ERROR).
error_code UserBytes(od::value& element, User* user, std::string_view& out, OnDemandRead& read) {
  read = OnDemandRead::kNotInOrder;
  od::json_type t;
  if (user == nullptr || element.type().get(t) != simdjson::SUCCESS || t != od::json_type::object) {
    return ValueBytes(element, out);
  }
  od::object obj;
  if (auto e = element.get_object().get(obj)) return e;
  read = OnDemandUserInOrder(obj, *user);
  if (read == OnDemandRead::kBroken) return simdjson::TAPE_ERROR;  // the caller reads the response again
  if (read == OnDemandRead::kNotInOrder) {
    bool any = false;
    if (auto e = obj.reset().get(any)) return e;
  }
  if (auto e = obj.raw_json().get(out)) return e;
  out = model_internal::TrimJsonSpace(out);
  return simdjson::SUCCESS;
}

// The response's top-level object, read into `response`; the API's error text, if it sent one,
// into `api_error`. Each element of `results` is kept as its exact bytes; with `users`, an element in
// the API's order is read into users[i] too, and its record points there.
Status ReadResponse(od::object& obj, Response& response, std::vector<User>* users, bool& saw_results,
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
      std::vector<uint32_t> in_order;  // records read into users[i]: pointed at once `users` has stopped growing
      for (auto element_result : results) {
        od::value element;
        std::string_view raw;
        if (auto e = std::move(element_result).get(element)) return MalformedStatus(e);
        const auto i = static_cast<uint32_t>(response.records.size());
        User* user = nullptr;
        if (users != nullptr) user = i < users->size() ? &(*users)[i] : &users->emplace_back();
        OnDemandRead read;
        if (auto e = UserBytes(element, user, raw, read)) return MalformedStatus(e);
        if (read == OnDemandRead::kInOrder) in_order.push_back(i);
        response.records.push_back({std::string(raw)});
      }
      for (uint32_t i : in_order) response.records[i].parsed = &(*users)[i];
    } else if (key == "info") {
      if (type != od::json_type::object) {
        return Status::InvalidArgument("info: expected an object, got {}", JsonTypeName(type));
      }
      std::string_view raw;
      if (auto e = ValueBytes(value, raw)) return MalformedStatus(e);
      RTPIPE_RETURN_IF_ERROR(ReadInfo(raw, response.info.emplace()));
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

// Parses the response at [data, data+len); the bytes up to data + capacity are readable, and
// capacity >= len + SIMDJSON_PADDING.
Result<Response> ParseResponseAt(const char* data, size_t len, size_t capacity, std::vector<User>* users) {
  auto not_response = [](const Status& why) {
    return Status::InvalidArgument("not a randomuser.me response: {}", why.message());
  };
  od::document doc;
  od::json_type t;
  od::object obj;
  if (auto e = tls_response_parser.iterate(data, len, capacity).get(doc)) {
    return not_response(MalformedStatus(e));
  }
  if (auto e = doc.type().get(t)) return not_response(MalformedStatus(e));
  if (t != od::json_type::object) {
    return not_response(Status::InvalidArgument("expected a JSON object, got {}", JsonTypeName(t)));
  }
  if (auto e = doc.get_object().get(obj)) return not_response(MalformedStatus(e));
  Response response;
  response.records.reserve(len / 900 + 1);  // users are ~1 KB: rarely a reallocation (a move of each)
  bool saw_results = false;
  std::optional<std::string> api_error;
  if (Status s = ReadResponse(obj, response, users, saw_results, api_error); !s.ok()) return not_response(s);
  if (!AtEnd(doc)) return not_response(Status::InvalidArgument("malformed JSON: content after the response object"));
  if (api_error) return Status::Unavailable("the API answered with an error: {}", *api_error);
  if (!saw_results) return not_response(Status::InvalidArgument("no \"results\" array"));
  return response;
}

}  // namespace

Result<User> ParseUser(std::string_view json) {
  std::string_view copy = tls_user_scratch.Fill(json);
  Result<User> result(std::in_place);  // built in place: Result<User>(User{}) would move ~40 strings
  if (Status s = ParseUserAt(copy.data(), copy.size(), *result); !s.ok()) result = std::move(s);
  return result;
}

Status ParseUser(std::string_view json, User& user) {
  std::string_view copy = tls_user_scratch.Fill(json);
  return ParseUserAt(copy.data(), copy.size(), user);
}

static_assert(kJsonPadding >= simdjson::SIMDJSON_PADDING);

Status ParsePaddedUser(std::string_view json, User& user) { return ParseUserAt(json.data(), json.size(), user); }

Result<Response> ParseResponse(std::string_view body) {
  std::string_view copy = tls_response_scratch.Fill(body);
  return ParseResponseAt(copy.data(), copy.size(), tls_response_scratch.capacity(), nullptr);
}

Result<Response> ParsePaddedResponse(std::string_view body) {
  return ParseResponseAt(body.data(), body.size(), body.size() + kJsonPadding, nullptr);
}

Result<Response> ParsePaddedResponse(std::string_view body, std::vector<User>& users) {
  auto response = ParseResponseAt(body.data(), body.size(), body.size() + kJsonPadding, &users);
  if (response.ok()) return response;
  // On-Demand may have met an error in a record that only a full parse of that record is to tell
  // about (a dead letter, not a failed response): the response is split again without reading users.
  return ParsePaddedResponse(body);
}

}  // namespace rtpipe
