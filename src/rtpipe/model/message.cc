// The `users_created` message: mapping from a User, JSON encoding and decoding.

#include "rtpipe/model/message.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <utility>

#include "rtpipe/base/json.h"
#include "rtpipe/model/json_input.h"

namespace rtpipe {
namespace {

namespace od = simdjson::ondemand;
using Field = std::optional<std::string> UsersCreatedMessage::*;

// The brief's key order.
constexpr std::array<std::pair<std::string_view, Field>, 12> kKeys{{
    {"id", &UsersCreatedMessage::id},
    {"first_name", &UsersCreatedMessage::first_name},
    {"last_name", &UsersCreatedMessage::last_name},
    {"gender", &UsersCreatedMessage::gender},
    {"address", &UsersCreatedMessage::address},
    {"post_code", &UsersCreatedMessage::post_code},
    {"email", &UsersCreatedMessage::email},
    {"username", &UsersCreatedMessage::username},
    {"dob", &UsersCreatedMessage::dob},
    {"registered_date", &UsersCreatedMessage::registered_date},
    {"phone", &UsersCreatedMessage::phone},
    {"picture", &UsersCreatedMessage::picture},
}};

thread_local od::parser tls_parser;
thread_local model_internal::PaddedScratch tls_scratch;

Status Malformed(simdjson::error_code e) {
  return Status::Corruption("malformed JSON: {}", simdjson::error_message(e));
}

}  // namespace

UsersCreatedMessage ToMessage(const User& u) {
  UsersCreatedMessage m;
  if (u.Has(UserField::kLogin)) {
    m.id = u.login.uuid;
    m.username = u.login.username;
  }
  if (u.Has(UserField::kName)) {
    m.first_name = u.name.first;
    m.last_name = u.name.last;
  }
  if (u.Has(UserField::kGender)) m.gender = u.gender;
  if (u.Has(UserField::kLocation)) {
    const auto& l = u.location;
    m.address =
        fmt::format(FMT_COMPILE("{} {}, {}, {}, {}"), l.street_number, l.street_name, l.city, l.state, l.country);
    m.post_code = l.postcode;
  }
  if (u.Has(UserField::kEmail)) m.email = u.email;
  if (u.Has(UserField::kDob)) m.dob = u.dob.date;
  if (u.Has(UserField::kRegistered)) m.registered_date = u.registered.date;
  if (u.Has(UserField::kPhone)) m.phone = u.phone;
  if (u.Has(UserField::kPicture)) m.picture = u.picture.medium;
  return m;
}

void AppendMessageJson(const UsersCreatedMessage& message, std::string& out) {
  thread_local JsonWriter w;
  w.Clear();
  char separator = '{';
  for (const auto& [key, field] : kKeys) {
    w.Char(separator);
    separator = ',';
    w.Char('"');
    w.Raw(key);
    w.Raw("\":");
    const auto& value = message.*field;
    if (value) {
      w.String(*value);
    } else {
      w.Raw("null");
    }
  }
  w.Char('}');
  out.append(w.view());
}

std::string MessageJson(const UsersCreatedMessage& message) {
  std::string out;
  AppendMessageJson(message, out);
  return out;
}

Result<UsersCreatedMessage> ParseMessage(std::string_view json) {
  std::string_view copy = tls_scratch.Fill(json);
  od::document doc;
  if (auto e = tls_parser.iterate(copy.data(), copy.size(), tls_scratch.capacity()).get(doc)) return Malformed(e);
  od::json_type type;
  if (auto e = doc.type().get(type)) return Malformed(e);
  if (type != od::json_type::object) {
    return Status::Corruption("expected a JSON object, got {}", model_internal::JsonTypeName(type));
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj)) return Malformed(e);
  UsersCreatedMessage message;
  size_t next = 0;  // the keys come in the brief's order as a rule: the next one is tried first
  for (auto field_result : obj) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return Malformed(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return Malformed(e);
    for (size_t tried = 0; tried < kKeys.size(); ++tried) {
      const size_t k = (next + tried) % kKeys.size();
      const auto& [name, member] = kKeys[k];
      if (key != name) continue;
      next = k + 1;
      od::value& value = field.value();
      if (auto e = value.type().get(type)) return Malformed(e);
      if (type == od::json_type::null) {
        bool is_null = false;
        if (auto e = value.is_null().get(is_null)) return Malformed(e);
        if (!is_null) return Malformed(simdjson::N_ATOM_ERROR);
        (message.*member).reset();
      } else if (type == od::json_type::string) {
        std::string_view text;
        if (auto e = value.get_string().get(text)) return Malformed(e);
        (message.*member).emplace(text);
      } else {
        return Status::InvalidArgument("{}: expected a string or null, got {}", name,
                                       model_internal::JsonTypeName(type));
      }
      break;
    }
  }
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) {
    return Status::Corruption("malformed JSON: content after the message object");
  }
  return message;
}

}  // namespace rtpipe
