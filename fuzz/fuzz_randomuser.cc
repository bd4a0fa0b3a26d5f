// libFuzzer target: the randomuser.me parsers of untrusted bytes (src/rtpipe/model): ParseResponse,
// ParseUser and ParseMessage. Besides memory safety (ASan/UBSan) it checks invariants:
//  - a user that parses serialises back to JSON that parses to the same user (UserJson);
//  - parsing into a User reused across inputs gives what a fresh parse gives;
//  - a record of a response holds exactly bytes of the body, and parsing those bytes on their own
//    succeeds exactly when the in-place parse did, with the same user (the errors of a bad record
//    may differ: in place the first error met is reported, on its own an unbalanced object is);
//  - a message that parses round-trips through MessageJson.
// Seed corpus: fuzz/corpus/randomuser/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

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
  if (response.ok()) {
    for (const auto& record : response->records) {
      if (bytes.find(record.raw) == std::string_view::npos) Broken("record bytes not in the body", record.raw);
      auto alone = rtpipe::ParseUser(record.raw);
      if (alone.ok() != record.user.ok()) Broken("in-place and standalone parses disagree", record.raw);
      if (alone.ok()) {
        if (!(*alone == *record.user)) Broken("in-place and standalone users differ", record.raw);
        CheckRoundTrip(*alone);
      }
    }
  }

  auto message = rtpipe::ParseMessage(bytes);
  if (message.ok()) {
    auto again = rtpipe::ParseMessage(rtpipe::MessageJson(*message));
    if (!again.ok() || !(*again == *message)) Broken("MessageJson round trip", bytes);
  }
  return 0;
}
