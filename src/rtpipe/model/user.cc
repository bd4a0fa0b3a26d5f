// The user's field names and its serialisation exactly as the API writes it (JSON.stringify of the
// v1.4 generator's object): compact, keys in the generator's order, strings escaped as
// JSON.stringify does (`"`, `\` and control characters only; other UTF-8 passes through).

#include "rtpipe/model/user.h"

#include <fmt/format.h>

#include <array>

#include "rtpipe/base/json.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/json_input.h"

namespace rtpipe {
namespace {

constexpr std::array<std::pair<UserField, std::string_view>, 12> kFieldNames{{
    {UserField::kGender, "gender"},
    {UserField::kName, "name"},
    {UserField::kLocation, "location"},
    {UserField::kEmail, "email"},
    {UserField::kLogin, "login"},
    {UserField::kRegistered, "registered"},
    {UserField::kDob, "dob"},
    {UserField::kPhone, "phone"},
    {UserField::kCell, "cell"},
    {UserField::kId, "id"},
    {UserField::kPicture, "picture"},
    {UserField::kNat, "nat"},
}};

}  // namespace

std::string_view UserFieldName(UserField field) {
  for (const auto& [f, name] : kFieldNames) {
    if (f == field) return name;
  }
  return "";
}

Result<UserField> ParseUserField(std::string_view name) {
  for (const auto& [f, n] : kFieldNames) {
    if (n == name) return f;
  }
  return Status::InvalidArgument(
      "unknown user field \"{}\" (allowed: gender, name, location, email, login, registered, dob, phone, cell, id, "
      "picture, nat)",
      name);
}

std::string_view ClassifyUserError(const Status& status) {
  switch (status.code()) {
    case StatusCode::kCorruption:
      return dlq_reason::kMalformedJson;
    case StatusCode::kNotFound:
      return dlq_reason::kMissingField;
    default:
      return dlq_reason::kWrongType;
  }
}

void AppendUserJson(const User& u, std::string& out) {
  thread_local JsonWriter w;
  w.Clear();
  // The generator builds the object in this order: gender, name, location, email, login, dob,
  // registered, then the nationality's phone, cell, id, then picture and nat. Absent top-level
  // fields are left out, so only their separators depend on what came before.
  bool first = true;
  auto key = [&](std::string_view quoted_key_colon) {
    w.Char(first ? '{' : ',');
    first = false;
    w.Raw(quoted_key_colon);
  };
  if (u.Has(UserField::kGender)) {
    key("\"gender\":");
    w.String(u.gender);
  }
  if (u.Has(UserField::kName)) {
    key("\"name\":{\"title\":");
    w.String(u.name.title);
    w.Raw(",\"first\":");
    w.String(u.name.first);
    w.Raw(",\"last\":");
    w.String(u.name.last);
    w.Char('}');
  }
  if (u.Has(UserField::kLocation)) {
    const auto& l = u.location;
    key("\"location\":{\"street\":{\"number\":");
    w.Int(l.street_number);
    w.Raw(",\"name\":");
    w.String(l.street_name);
    w.Raw("},\"city\":");
    w.String(l.city);
    w.Raw(",\"state\":");
    w.String(l.state);
    w.Raw(",\"country\":");
    w.String(l.country);
    w.Raw(",\"postcode\":");
    if (l.postcode_is_number && model_internal::IsJsonNumber(l.postcode)) {
      w.Raw(l.postcode);
    } else {
      w.String(l.postcode);
    }
    w.Raw(",\"coordinates\":{\"latitude\":");
    w.String(l.latitude);
    w.Raw(",\"longitude\":");
    w.String(l.longitude);
    w.Raw("},\"timezone\":{\"offset\":");
    w.String(l.timezone_offset);
    w.Raw(",\"description\":");
    w.String(l.timezone_description);
    w.Raw("}}");
  }
  if (u.Has(UserField::kEmail)) {
    key("\"email\":");
    w.String(u.email);
  }
  if (u.Has(UserField::kLogin)) {
    const auto& l = u.login;
    key("\"login\":{\"uuid\":");
    w.String(l.uuid);
    w.Raw(",\"username\":");
    w.String(l.username);
    w.Raw(",\"password\":");
    w.String(l.password);
    w.Raw(",\"salt\":");
    w.String(l.salt);
    w.Raw(",\"md5\":");
    w.String(l.md5);
    w.Raw(",\"sha1\":");
    w.String(l.sha1);
    w.Raw(",\"sha256\":");
    w.String(l.sha256);
    w.Char('}');
  }
  auto dated = [&](std::string_view key_date, const User::Dated& d) {
    key(key_date);
    w.String(d.date);
    w.Raw(",\"age\":");
    w.Int(d.age);
    w.Char('}');
  };
  if (u.Has(UserField::kDob)) dated("\"dob\":{\"date\":", u.dob);
  if (u.Has(UserField::kRegistered)) dated("\"registered\":{\"date\":", u.registered);
  if (u.Has(UserField::kPhone)) {
    key("\"phone\":");
    w.String(u.phone);
  }
  if (u.Has(UserField::kCell)) {
    key("\"cell\":");
    w.String(u.cell);
  }
  if (u.Has(UserField::kId)) {
    key("\"id\":{\"name\":");
    w.String(u.id.name);
    w.Raw(",\"value\":");
    if (u.id.value) {
      w.String(*u.id.value);
    } else {
      w.Raw("null");
    }
    w.Char('}');
  }
  if (u.Has(UserField::kPicture)) {
    key("\"picture\":{\"large\":");
    w.String(u.picture.large);
    w.Raw(",\"medium\":");
    w.String(u.picture.medium);
    w.Raw(",\"thumbnail\":");
    w.String(u.picture.thumbnail);
    w.Char('}');
  }
  if (u.Has(UserField::kNat)) {
    key("\"nat\":");
    w.String(u.nat);
  }
  if (first) w.Char('{');
  w.Char('}');
  out.append(w.view());
}

std::string UserJson(const User& user) {
  std::string out;
  AppendUserJson(user, out);
  return out;
}

}  // namespace rtpipe
