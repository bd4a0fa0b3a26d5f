#pragma once
// UUIDs in their 36-character text form (8-4-4-4-12 hex digits), as randomuser.me writes
// login.uuid, and their 16 bytes.

#include <array>
#include <optional>
#include <string_view>

namespace rtpipe {

/// Whether `text` is a UUID in text form, with hex digits of either case.
bool IsUuid(std::string_view text);

/// The 16 bytes of a UUID written in canonical form (lowercase hex digits); nullopt for any other
/// text, including a UUID with an uppercase digit: its text differs, so it must not share a key.
std::optional<std::array<char, 16>> CanonicalUuidBytes(std::string_view text);

}  // namespace rtpipe
