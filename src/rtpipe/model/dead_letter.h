#pragma once
// A dead letter: a record rtpipe rejected, with why, where it came from and its original bytes.
// Every rejected record becomes exactly one dead letter on the dead-letter topic.

#include <optional>
#include <string>
#include <string_view>

#include "rtpipe/base/time.h"

namespace rtpipe {

/// Reason codes (stable: dashboards and alerts key on them).
namespace dlq_reason {
inline constexpr std::string_view kMalformedJson = "malformed_json";  // bytes are not a JSON object
inline constexpr std::string_view kWrongType = "wrong_type";          // a field has the wrong JSON type
inline constexpr std::string_view kMissingField = "missing_field";    // a required field is absent or empty
inline constexpr std::string_view kInvalidEmail = "invalid_email";
inline constexpr std::string_view kInvalidDate = "invalid_date";
inline constexpr std::string_view kInvalidUuid = "invalid_uuid";
inline constexpr std::string_view kLate = "late";  // behind the watermark beyond lateness
}  // namespace dlq_reason

struct DeadLetter {
  std::string reason;              // one of dlq_reason
  std::string detail;              // a sentence naming the field and the problem
  std::string stage;               // "ingest" or "process"
  std::string source;              // position: "users_created/2@5678" or "seed=rtpipe page=12 index=34"
  std::optional<std::string> key;  // the record's key, when it had one
  std::string original;            // the bytes as received
  Timestamp event_time{};
};

/// The dead letter as a JSON object: {"reason","detail","stage","source","key","event_time",
/// "original"} — `original` is the text when it is valid UTF-8, else "original_base64" holds it.
std::string DeadLetterJson(const DeadLetter& letter);

}  // namespace rtpipe
