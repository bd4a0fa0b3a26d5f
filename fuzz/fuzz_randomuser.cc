// libFuzzer target: the randomuser.me parsers of untrusted bytes (src/rtpipe/model): ParseResponse,
// ParsePaddedResponse, ParseUser and ParseMessage. Besides memory safety (ASan/UBSan) it checks
// invariants:
//  - a user that parses serialises back to JSON that parses to the same user (UserJson), and its
//    message written from its fields is the one written through UsersCreatedMessage;
//  - parsing into a User reused across inputs gives what a fresh parse gives;
//  - a response parsed where it lies (ParsePaddedResponse, junk after the padding's start) gives
//    what a copied one gives, and each of its records holds exactly bytes of the body;
//  - reading the users on the way (ParsePaddedResponse with users) gives the same records, and each
//    user it read is what ParseUser gives for that record;
//  - a message that parses round-trips through MessageJson.
// Seed corpus: fuzz/corpus/randomuser/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/model/message.h"
#include "rtpipe/model/user.h"

namespace {

[[noreturn]] void Broken(const char* what, std::string_view detail) {
  std::fprintf(stderr, "invariant broken: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

void CheckRoundTrip(const rtpipe::User& user) {
  std::string json = rtpipe::UserJson(user);
  auto again = rtpipe::ParseUser(json);
  if (!again.ok()) Broken("UserJson output does not parse", again.status().ToString());
  if (!(*again == user)) Broken("UserJson round trip changed the user", json);
  std::string message = rtpipe::MessageJson(user);
  if (message != rtpipe::MessageJson(rtpipe::ToMessage(user))) Broken("the two message paths differ", message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto user = rtpipe::ParseUser(bytes);
  if (user.ok()) CheckRoundTrip(*user);
  static rtpipe::User reused;
  rtpipe::Status status = rtpipe::ParseUser(bytes, reused);
  if (status.ok() != user.ok()) Broken("fresh and reused parses disagree", bytes);
  if (status.ok() && !(reused == *user)) Broken("fresh and reused users differ", bytes);

  auto response = rtpipe::ParseResponse(bytes);
  std::string padded(bytes);
  padded.append(rtpipe::kJsonPadding, '"');  // junk that must not be read as part of the body
  auto in_place = rtpipe::ParsePaddedResponse(std::string_view(padded).substr(0, size));
  if (response.ok() != in_place.ok()) Broken("copied and in-place responses disagree", bytes);
  static std::vector<rtpipe::User> users;  // reused across inputs, as a source reuses them
  auto read = rtpipe::ParsePaddedResponse(std::string_view(padded).substr(0, size), users);
  if (read.ok() != in_place.ok()) Broken("responses with and without users read disagree", bytes);
  if (read.ok()) {
    if (read->records.size() != in_place->records.size()) Broken("records with and without users read differ", bytes);
    for (size_t i = 0; i < read->records.size(); ++i) {
      const rtpipe::SourceRecord& record = read->records[i];
      if (record.raw != in_place->records[i].raw) Broken("records with and without users read differ", record.raw);
      if (record.parsed == nullptr) continue;
      auto alone = rtpipe::ParseUser(record.raw);
      if (!alone.ok() || !(*alone == *record.parsed)) Broken("a user read on the way is not ParseUser's", record.raw);
    }
  }
  if (response.ok()) {
    if (response->records.size() != in_place->records.size()) Broken("the two responses' records differ", bytes);
    for (size_t i = 0; i < response->records.size(); ++i) {
      const std::string& raw = response->records[i].raw;
      if (raw != in_place->records[i].raw) Broken("the two responses' records differ", raw);
      if (bytes.find(raw) == std::string_view::npos) Broken("record bytes not in the body", raw);
      if (auto alone = rtpipe::ParseUser(raw); alone.ok()) CheckRoundTrip(*alone);
    }
  }

  auto message = rtpipe::ParseMessage(bytes);
  if (message.ok()) {
    auto again = rtpipe::ParseMessage(rtpipe::MessageJson(*message));
    if (!again.ok() || !(*again == *message)) Broken("MessageJson round trip", bytes);
  }
  return 0;
}
