#pragma once
// How the generator corrupts a record on purpose, to exercise the dead-letter path.

#include <cstdint>
#include <string>

#include "rtpipe/model/user.h"
#include "rtpipe/source/generator.h"

namespace rtpipe::gen {

/// Appends `user` corrupted as `kind` (not kNone); `key` picks the variant deterministically.
///  - kMalformed: the text truncated at a random point, or with a comma removed.
///  - kMissing: no login.uuid (ParseUser rejects it), no email, or no name (validation rejects).
///  - kInvalidEmail: "first.last.example.com", "first.last@", "first last@example.com" or "@@".
///  - kWrongType: dob.date a number, name a string, or location.street.number a string.
/// A variant that needs a field the request excluded (inc/exc) falls back to one that does not.
void AppendCorruptedUser(User user, BadRecordKind kind, uint64_t key, std::string& out);

}  // namespace rtpipe::gen
