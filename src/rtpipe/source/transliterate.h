#pragma once
// Latin transliteration of the generator's names, for e-mail addresses as the API makes them:
// "Zoë Ørsted" -> "zoe orsted", Persian script -> Latin letters ('ع' becomes an apostrophe).

#include <string>
#include <string_view>

namespace rtpipe::gen {

/// `text` (UTF-8) in lower-case ASCII: accented Latin letters lose their accents (æ -> ae,
/// ß -> ss), Persian/Arabic letters are transliterated, other non-ASCII characters are dropped.
std::string TransliterateLower(std::string_view text);

}  // namespace rtpipe::gen
