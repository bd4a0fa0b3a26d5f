#include "rtpipe/source/generator_bad_records.h"

#include <fmt/format.h>

#include "rtpipe/base/assert.h"
#include "rtpipe/base/json.h"
#include "rtpipe/source/rng.h"

namespace rtpipe::gen {
namespace {

void Clear(User& u, UserField f) { u.present = static_cast<uint16_t>(u.present & ~static_cast<uint16_t>(f)); }

// Writes `user` with the field `f` replaced by `"key":<raw value>` placed first in the object.
void AppendWithField(User user, UserField f, std::string_view key, std::string_view raw_value, std::string& out) {
  Clear(user, f);
  std::string rest = UserJson(user);
  out.append("{\"");
  out.append(key);
  out.append("\":");
  out.append(raw_value);
  if (rest.size() > 2) out.push_back(',');
  out.append(rest, 1, std::string::npos);
}

void AppendMissing(User user, uint64_t variant, std::string& out) {
  if (variant % 3 == 1 && user.Has(UserField::kEmail)) {
    Clear(user, UserField::kEmail);
    AppendUserJson(user, out);
    return;
  }
  if (variant % 3 == 2 && user.Has(UserField::kName)) {
    Clear(user, UserField::kName);
    AppendUserJson(user, out);
    return;
  }
  if (!user.Has(UserField::kLogin)) {  // nothing left to take away but the whole login
    AppendUserJson(user, out);
    return;
  }
  // Without login.uuid: the login object loses its first key.
  std::string json = UserJson(user);
  size_t at = json.find("\"login\":{\"uuid\":\"");
  RTPIPE_ASSERT(at != std::string::npos);
  size_t start = at + 9;                       // the `"uuid"` key
  size_t end = json.find('"', start + 8) + 2;  // past the value's closing quote and the comma
  json.erase(start, end - start);
  out.append(json);
}

void AppendWrongType(User user, uint64_t variant, std::string& out) {
  if (variant % 3 == 0 && user.Has(UserField::kDob)) {
    auto ms = ParseIso8601(user.dob.date);
    std::string dob = fmt::format("{{\"date\":{},\"age\":{}}}", ms.ok() ? ToMillis(*ms) : 0, user.dob.age);
    AppendWithField(std::move(user), UserField::kDob, "dob", dob, out);
    return;
  }
  if (variant % 3 == 1 && user.Has(UserField::kName)) {
    std::string name;
    AppendJsonString(name, user.name.first + " " + user.name.last);
    AppendWithField(std::move(user), UserField::kName, "name", name, out);
    return;
  }
  if (user.Has(UserField::kLocation)) {
    std::string json = UserJson(user);
    std::string number = fmt::format("\"street\":{{\"number\":{},", user.location.street_number);
    size_t at = json.find(number);
    RTPIPE_ASSERT(at != std::string::npos);
    json.replace(at, number.size(), fmt::format("\"street\":{{\"number\":\"{}\",", user.location.street_number));
    out.append(json);
    return;
  }
  // Excluded fields everywhere: a gender that is a number still has the wrong type.
  AppendWithField(std::move(user), UserField::kGender, "gender", "1", out);
}

void AppendInvalidEmail(User user, uint64_t variant, std::string& out) {
  std::string local = user.email.substr(0, user.email.find('@'));
  switch (variant % 4) {
    case 0:
      user.email = local + ".example.com";
      break;
    case 1:
      user.email = local + "@";
      break;
    case 2:
      user.email = user.name.first + " " + user.name.last + "@example.com";
      break;
    default:
      user.email = local + "@@example.com";
      break;
  }
  user.present |= static_cast<uint16_t>(UserField::kEmail);
  AppendUserJson(user, out);
}

void AppendMalformed(const User& user, uint64_t variant, std::string& out) {
  std::string json = UserJson(user);
  if (variant % 2 == 0 || json.find(',') == std::string::npos) {
    // Truncated somewhere in its first 90%: as a cut-off transfer would leave it.
    size_t keep = 1 + static_cast<size_t>((variant >> 8) % (json.size() * 9 / 10));
    out.append(json, 0, keep);
  } else {
    json.erase(json.find(','), 1);  // two members without a separator
    out.append(json);
  }
}

}  // namespace

void AppendCorruptedUser(User user, BadRecordKind kind, uint64_t key, std::string& out) {
  const uint64_t variant = Mix64(key ^ 0x76617269616e74ULL);
  switch (kind) {
    case BadRecordKind::kMalformed:
      AppendMalformed(user, variant, out);
      return;
    case BadRecordKind::kMissing:
      AppendMissing(std::move(user), variant, out);
      return;
    case BadRecordKind::kInvalidEmail:
      AppendInvalidEmail(std::move(user), variant, out);
      return;
    case BadRecordKind::kWrongType:
      AppendWrongType(std::move(user), variant, out);
      return;
    case BadRecordKind::kNone:
      break;
  }
  RTPIPE_ASSERT(false, "AppendCorruptedUser with kind none");
}

}  // namespace rtpipe::gen
