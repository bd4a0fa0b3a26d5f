#pragma once
// The processor's rules for a users_created message: validation, cleansing and enrichment.
// Pure functions of the message and its event time, so a replay gives the same row.

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rtpipe/base/result.h"
#include "rtpipe/base/time.h"
#include "rtpipe/model/created_user.h"
#include "rtpipe/model/message.h"

namespace rtpipe {

/// Why a message was rejected: a reason code (model/dead_letter.h) and a sentence.
struct Rejection {
  std::string_view reason;
  std::string detail;
};

/// Trims every field, collapses runs of whitespace to one space, lower-cases the e-mail, gender and
/// id, and keeps only the digits of the phone (with a leading '+' when there was one).
UsersCreatedMessage Cleanse(UsersCreatedMessage message);

/// Checks a cleansed message: all 12 fields present and non-empty, id a UUID, e-mail syntax,
/// dob and registered_date ISO-8601 timestamps. Returns the first problem found.
std::optional<Rejection> Validate(const UsersCreatedMessage& cleansed);

/// The created_users row of a valid cleansed message, enriched at `event_time`: age and age band,
/// e-mail domain, country (last part of the address) and its nationality code, tenure in days.
CreatedUser Enrich(UsersCreatedMessage valid, Timestamp event_time);

/// Decode, cleanse, validate and enrich one message value: a row or the reason it was rejected.
std::variant<CreatedUser, Rejection> ProcessMessage(std::string_view value, Timestamp event_time);
/// As ProcessMessage, into `row`: nullopt when the message gave a row, else why it was rejected
/// (and `row` may hold part of one). The message is read once, its strings moved into `row`.
std::optional<Rejection> ProcessMessageInto(std::string_view value, Timestamp event_time, CreatedUser& row);

// Building blocks, exposed for tests.
bool IsValidEmail(std::string_view email);
std::string_view AgeBand(int age);
/// Whole calendar years from `birth` to `at` (the birthday counts on its day).
int YearsBetween(Timestamp birth, Timestamp at);

}  // namespace rtpipe
