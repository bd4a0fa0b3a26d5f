#pragma once
// The generator's word lists: names, streets, cities and states per nationality, and the lists
// shared by all (passwords, username words, time zones). Written for rtpipe; realistic, not
// exhaustive. A few entries carry the API's real quirks on purpose: trailing spaces, apostrophes,
// hyphens, and abbreviated first names ending in '.' (which give e-mails with "..").

#include <cstddef>
#include <span>
#include <string_view>

namespace rtpipe::gen {

using WordList = std::span<const std::string_view>;

struct NatData {
  std::string_view code;  // "AU"
  WordList male_first, female_first, last, streets, cities, states;
};

/// The data of the nationality at `index` in AllNationalities() (0..20).
const NatData& NatDataAt(size_t index);

WordList Passwords();
WordList UsernameFirstWords();   // "yellow", "big", ...
WordList UsernameSecondWords();  // "peacock", "bear", ...

struct TimeZone {
  std::string_view offset;       // "+9:30", "0:00", "-3:30" (the API's format: no leading zero)
  std::string_view description;  // a few places in that zone
};
std::span<const TimeZone> TimeZones();

// Defined in generator_data_*.cc, one per nationality.
extern const NatData kNatAU, kNatBR, kNatCA, kNatCH, kNatDE, kNatDK, kNatES, kNatFI, kNatFR, kNatGB, kNatIE, kNatIN,
    kNatIR, kNatMX, kNatNL, kNatNO, kNatNZ, kNatRS, kNatTR, kNatUA, kNatUS;

}  // namespace rtpipe::gen
