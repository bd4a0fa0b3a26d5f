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

void AppendInt(std::string& out, int64_t v) {
  fmt::format_int text(v);
  out.append(text.data(), text.size());
}

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
  out.reserve(out.size() + 1100);
  // The generator builds the object in this order: gender, name, location, email, login, dob,
  // registered, then the nationality's phone, cell, id, then picture and nat. Absent top-level
  // fields are left out, so only their separators depend on what came before.
  bool first = true;
  auto key = [&](std::string_view quoted_key_colon) {
    out.push_back(first ? '{' : ',');
    first = false;
    out.append(quoted_key_colon);
  };
  if (u.Has(UserField::kGender)) {
    key("\"gender\":");
    AppendJsonString(out, u.gender);
  }
  if (u.Has(UserField::kName)) {
    key("\"name\":{\"title\":");
    AppendJsonString(out, u.name.title);
    out.append(",\"first\":");
    AppendJsonString(out, u.name.first);
    out.append(",\"last\":");
    AppendJsonString(out, u.name.last);
    out.push_back('}');
  }
  if (u.Has(UserField::kLocation)) {
    const auto& l = u.location;
    key("\"location\":{\"street\":{\"number\":");
    AppendInt(out, l.street_number);
    out.append(",\"name\":");
    AppendJsonString(out, l.street_name);
    out.append("},\"city\":");
    AppendJsonString(out, l.city);
    out.append(",\"state\":");
    AppendJsonString(out, l.state);
    out.append(",\"country\":");
    AppendJsonString(out, l.country);
    out.append(",\"postcode\":");
    if (l.postcode_is_number && model_internal::IsJsonNumber(l.postcode)) {
      out.append(l.postcode);
    } else {
      AppendJsonString(out, l.postcode);
    }
    out.append(",\"coordinates\":{\"latitude\":");
    AppendJsonString(out, l.latitude);
    out.append(",\"longitude\":");
    AppendJsonString(out, l.longitude);
    out.append("},\"timezone\":{\"offset\":");
    AppendJsonString(out, l.timezone_offset);
    out.append(",\"description\":");
    AppendJsonString(out, l.timezone_description);
    out.append("}}");
  }
  if (u.Has(UserField::kEmail)) {
    key("\"email\":");
    AppendJsonString(out, u.email);
  }
  if (u.Has(UserField::kLogin)) {
    const auto& l = u.login;
    key("\"login\":{\"uuid\":");
    AppendJsonString(out, l.uuid);
    out.append(",\"username\":");
    AppendJsonString(out, l.username);
    out.append(",\"password\":");
    AppendJsonString(out, l.password);
    out.append(",\"salt\":");
    AppendJsonString(out, l.salt);
    out.append(",\"md5\":");
    AppendJsonString(out, l.md5);
    out.append(",\"sha1\":");
    AppendJsonString(out, l.sha1);
    out.append(",\"sha256\":");
    AppendJsonString(out, l.sha256);
    out.push_back('}');
  }
  auto dated = [&](std::string_view key_date, const User::Dated& d) {
    key(key_date);
    AppendJsonString(out, d.date);
    out.append(",\"age\":");
    AppendInt(out, d.age);
    out.push_back('}');
  };
  if (u.Has(UserField::kDob)) dated("\"dob\":{\"date\":", u.dob);
  if (u.Has(UserField::kRegistered)) dated("\"registered\":{\"date\":", u.registered);
  if (u.Has(UserField::kPhone)) {
    key("\"phone\":");
    AppendJsonString(out, u.phone);
  }
  if (u.Has(UserField::kCell)) {
    key("\"cell\":");
    AppendJsonString(out, u.cell);
  }
  if (u.Has(UserField::kId)) {
    key("\"id\":{\"name\":");
    AppendJsonString(out, u.id.name);
    out.append(",\"value\":");
    if (u.id.value) {
      AppendJsonString(out, *u.id.value);
    } else {
      out.append("null");
    }
    out.push_back('}');
  }
  if (u.Has(UserField::kPicture)) {
    key("\"picture\":{\"large\":");
    AppendJsonString(out, u.picture.large);
    out.append(",\"medium\":");
    AppendJsonString(out, u.picture.medium);
    out.append(",\"thumbnail\":");
    AppendJsonString(out, u.picture.thumbnail);
    out.push_back('}');
  }
  if (u.Has(UserField::kNat)) {
    key("\"nat\":");
    AppendJsonString(out, u.nat);
  }
  if (first) out.push_back('{');
  out.push_back('}');
}

std::string UserJson(const User& user) {
  std::string out;
  AppendUserJson(user, out);
  return out;
}

}  // namespace rtpipe
