#pragma once
// The brief's `users_created` message: 12 flat string fields derived from a User (seed-origin §1.1),
// with id = login.uuid (the natural key) and post_code always a string.

#include <optional>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"
#include "rtpipe/model/user.h"

namespace rtpipe {

/// A field the source did not carry (excluded with `inc`/`exc`) is nullopt and encoded as JSON null.
struct UsersCreatedMessage {
  std::optional<std::string> id;          // login.uuid
  std::optional<std::string> first_name;  // name.first
  std::optional<std::string> last_name;   // name.last
  std::optional<std::string> gender;
  std::optional<std::string> address;    // "<street number> <street name>, <city>, <state>, <country>"
  std::optional<std::string> post_code;  // location.postcode, as text
  std::optional<std::string> email;
  std::optional<std::string> username;         // login.username
  std::optional<std::string> dob;              // dob.date
  std::optional<std::string> registered_date;  // registered.date
  std::optional<std::string> phone;
  std::optional<std::string> picture;  // picture.medium

  friend bool operator==(const UsersCreatedMessage&, const UsersCreatedMessage&) = default;
};

/// The mapping of seed-origin §1.1.
UsersCreatedMessage ToMessage(const User& user);

/// Compact JSON with the keys in the brief's order: id, first_name, last_name, gender, address,
/// post_code, email, username, dob, registered_date, phone, picture.
void AppendMessageJson(const UsersCreatedMessage& message, std::string& out);
std::string MessageJson(const UsersCreatedMessage& message);
/// The JSON of ToMessage(user), written from the user's fields without copying them first.
void AppendMessageJson(const User& user, std::string& out);
std::string MessageJson(const User& user);

/// Decodes a message value read from the log. Unknown keys are ignored. Errors name the problem:
/// InvalidArgument when a key holds a value that is neither a string nor null ("email: expected a
/// string, got number"); Corruption when the bytes are not a JSON object at all.
Result<UsersCreatedMessage> ParseMessage(std::string_view json);

}  // namespace rtpipe
