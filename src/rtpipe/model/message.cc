// The `users_created` message: mapping from a User, JSON encoding and decoding.

#include "rtpipe/model/message.h"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <array>
#include <iterator>
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

namespace {

using FieldValue = std::optional<std::string_view>;

// The mapping of seed-origin §1.1: field(k, value) for each key k of kKeys, in order, with the
// user's value for it, or nullopt where the user does not carry it. Values point into the user,
// or (the address) into `address`, where it is formatted.
template <typename Field>
void MapUser(const User& u, fmt::memory_buffer& address, Field field) {
  const bool login = u.Has(UserField::kLogin), name = u.Has(UserField::kName);
  auto value_if = [](bool present, const std::string& value) { return present ? FieldValue(value) : std::nullopt; };
  field(0, value_if(login, u.login.uuid));
  field(1, value_if(name, u.name.first));
  field(2, value_if(name, u.name.last));
  field(3, value_if(u.Has(UserField::kGender), u.gender));
  if (u.Has(UserField::kLocation)) {
    const auto& l = u.location;
    fmt::format_to(std::back_inserter(address), FMT_COMPILE("{} {}, {}, {}, {}"), l.street_number, l.street_name,
                   l.city, l.state, l.country);
    field(4, FieldValue(std::string_view(address.data(), address.size())));
  } else {
    field(4, std::nullopt);
  }
  field(5, value_if(u.Has(UserField::kLocation), u.location.postcode));
  field(6, value_if(u.Has(UserField::kEmail), u.email));
  field(7, value_if(login, u.login.username));
  field(8, value_if(u.Has(UserField::kDob), u.dob.date));
  field(9, value_if(u.Has(UserField::kRegistered), u.registered.date));
  field(10, value_if(u.Has(UserField::kPhone), u.phone));
  field(11, value_if(u.Has(UserField::kPicture), u.picture.medium));
}

// Writes the message whose value for key k is value(k) into `out`.
template <typename Value>
void AppendJson(Value value, std::string& out) {
  thread_local JsonWriter w;
  w.Clear();
  for (size_t k = 0; k < kKeys.size(); ++k) {
    w.Char(k == 0 ? '{' : ',');
    w.Char('"');
    w.Raw(kKeys[k].first);
    w.Raw("\":");
    if (FieldValue v = value(k)) {
      w.String(*v);
    } else {
      w.Raw("null");
    }
  }
  w.Char('}');
  out.append(w.view());
}

}  // namespace

UsersCreatedMessage ToMessage(const User& u) {
  UsersCreatedMessage m;
  fmt::memory_buffer address;
  MapUser(u, address, [&](size_t k, FieldValue value) {
    if (value) (m.*kKeys[k].second).emplace(*value);
  });
  return m;
}

void AppendMessageJson(const UsersCreatedMessage& message, std::string& out) {
  AppendJson(
      [&](size_t k) {
        const auto& value = message.*kKeys[k].second;
        return value ? FieldValue(*value) : std::nullopt;
      },
      out);
}

std::string MessageJson(const UsersCreatedMessage& message) {
  std::string out;
  AppendMessageJson(message, out);
  return out;
}

void AppendMessageJson(const User& user, std::string& out) {
  fmt::memory_buffer address;  // on the stack (up to 500 bytes)
  std::array<FieldValue, kKeys.size()> values;
  MapUser(user, address, [&](size_t k, FieldValue value) { values[k] = value; });
  AppendJson([&](size_t k) { return values[k]; }, out);
}

std::string MessageJson(const User& user) {
  std::string out;
  AppendMessageJson(user, out);
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
