#include "rtpipe/model/dead_letter.h"

#include "rtpipe/base/json.h"

namespace rtpipe {

std::string DeadLetterJson(const DeadLetter& letter) {
  std::string out;
  out.reserve(letter.original.size() + 256);
  out += "{\"reason\":";
  AppendJsonString(out, letter.reason);
  out += ",\"detail\":";
  AppendJsonString(out, IsValidUtf8(letter.detail) ? letter.detail : std::string_view("(detail not UTF-8)"));
  out += ",\"stage\":";
  AppendJsonString(out, letter.stage);
  out += ",\"source\":";
  AppendJsonString(out, letter.source);
  out += ",\"key\":";
  if (letter.key && IsValidUtf8(*letter.key)) {
    AppendJsonString(out, *letter.key);
  } else {
    out += "null";
  }
  out += ",\"event_time\":";
  AppendJsonString(out, FormatIso8601(letter.event_time));
  if (IsValidUtf8(letter.original)) {
    out += ",\"original\":";
    AppendJsonString(out, letter.original);
  } else {
    out += ",\"original_base64\":";
    AppendJsonString(out, Base64Encode(letter.original));
  }
  out += '}';
  return out;
}

}  // namespace rtpipe
