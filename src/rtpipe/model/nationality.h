#pragma once
// The 21 nationalities of the randomuser.me v1.4 API and the country name the API writes for each
// in `location.country`. The stream processor maps a country back to its code for enrichment.

#include <optional>
#include <span>
#include <string_view>

namespace rtpipe {

struct Nationality {
  std::string_view code;     // "US": the API's `nat` value
  std::string_view country;  // "United States": what the API writes in `location.country`
};

/// The v1.4 nationalities in the API's own order (alphabetical by code: AU, BR, ..., US).
std::span<const Nationality> AllNationalities();

/// The nationality with this code (case-insensitive: "us" and "US" both work), or nullopt.
std::optional<Nationality> FindNationality(std::string_view code);

/// The country name the API writes for `code`, or nullopt for an unknown code.
std::optional<std::string_view> CountryOfNationality(std::string_view code);

/// The code of the nationality whose country is `country` (ASCII case-insensitive, surrounding
/// whitespace ignored), or nullopt. Besides the API's own names, "Türkiye" is accepted for TR.
std::optional<std::string_view> NationalityOfCountry(std::string_view country);

}  // namespace rtpipe
