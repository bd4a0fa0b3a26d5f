#pragma once
// Minimal JSON writing helpers for hot paths that build documents by hand.

#include <string>
#include <string_view>

namespace rtpipe {

/// True when `text` is well-formed UTF-8.
bool IsValidUtf8(std::string_view text);

/// Appends `text` as a JSON string literal (quotes included), escaping per RFC 8259: `"`, `\`, and
/// control characters; other bytes pass through (the caller ensures valid UTF-8).
void AppendJsonString(std::string& out, std::string_view text);

/// Standard base64 (RFC 4648, with padding).
std::string Base64Encode(std::string_view bytes);

}  // namespace rtpipe
