#include "rtpipe/model/nationality.h"

#include <array>

namespace rtpipe {
namespace {

// Country names as the v1.4 generator writes them (note "Turkey", not "Türkiye").
constexpr std::array<Nationality, 21> kNationalities{{
    {"AU", "Australia"},     {"BR", "Brazil"},      {"CA", "Canada"},  {"CH", "Switzerland"}, {"DE", "Germany"},
    {"DK", "Denmark"},       {"ES", "Spain"},       {"FI", "Finland"}, {"FR", "France"},      {"GB", "United Kingdom"},
    {"IE", "Ireland"},       {"IN", "India"},       {"IR", "Iran"},    {"MX", "Mexico"},      {"NL", "Netherlands"},
    {"NO", "Norway"},        {"NZ", "New Zealand"}, {"RS", "Serbia"},  {"TR", "Turkey"},      {"UA", "Ukraine"},
    {"US", "United States"},
}};

// Other spellings of a country that map to a code.
constexpr std::array<Nationality, 1> kAliases{{{"TR", "Türkiye"}}};

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::span<const Nationality> AllNationalities() { return kNationalities; }

std::optional<Nationality> FindNationality(std::string_view code) {
  for (const auto& n : kNationalities) {
    if (EqualsIgnoreCase(n.code, code)) return n;
  }
  return std::nullopt;
}

std::optional<std::string_view> CountryOfNationality(std::string_view code) {
  auto n = FindNationality(code);
  if (!n) return std::nullopt;
  return n->country;
}

std::optional<std::string_view> NationalityOfCountry(std::string_view country) {
  country = Trim(country);
  for (const auto& n : kNationalities) {
    if (EqualsIgnoreCase(n.country, country)) return n.code;
  }
  for (const auto& n : kAliases) {
    if (EqualsIgnoreCase(n.country, country)) return n.code;
  }
  return std::nullopt;
}

}  // namespace rtpipe
