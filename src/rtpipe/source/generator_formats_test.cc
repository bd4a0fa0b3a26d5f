// The generator's users look like the real API's: per-nationality formats and every quirk.

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <regex>
#include <set>

#include "rtpipe/model/nationality.h"
#include "rtpipe/source/generator.h"
#include "rtpipe/source/transliterate.h"

namespace rtpipe {
namespace {

struct Format {
  const char* phone;
  const char* cell;
  const char* id_name;
  const char* id_value;  // nullptr: the value is null
  const char* postcode;
  bool postcode_is_string;
};

// What the v1.4 API writes for each nationality.
const std::map<std::string, Format> kFormats = {
    {"AU", {R"(0\d-\d{4}-\d{4})", R"(04\d{2}-\d{3}-\d{3})", "TFN", R"(\d{9})", R"(\d{3,4})", false}},
    {"BR",
     {R"(\(\d{2}\) \d{4}-\d{4})", R"(\(\d{2}\) \d{4}-\d{4})", "CPF", R"(\d{3}\.\d{3}\.\d{3}-\d{2})", R"(\d{5})",
      false}},
    {"CA",
     {R"([A-Z]\d{2} [A-Z]\d{2}-\d{4})", R"([A-Z]\d{2} [A-Z]\d{2}-\d{4})", "SIN", R"(\d{9})",
      R"([A-Z]\d[A-Z] \d[A-Z]\d)", true}},
    {"CH",
     {R"(07[5-9] \d{3} \d{2} \d{2})", R"(07[5-9] \d{3} \d{2} \d{2})", "AVS", R"(756\.\d{4}\.\d{4}\.\d{2})", R"(\d{4})",
      false}},
    {"DE", {R"(0\d{3}-\d{7})", R"(017\d-\d{7})", "SVNR", R"(\d{2} \d{6,7} \S \d{3})", R"(\d{5})", false}},
    {"DK", {R"(\d{8})", R"(\d{8})", "CPR", R"(\d{6,7}-\d{4})", R"(\d{5})", false}},
    {"ES", {R"(9\d{2}-\d{3}-\d{3})", R"(6\d{2}-\d{3}-\d{3})", "DNI", R"(\d{8}-[A-Z])", R"(\d{5})", false}},
    {"FI",
     {R"(0[2-9]-\d{3}-\d{3})", R"(04\d-\d{3}-\d{2}-\d{2})", "HETU", R"(\d{6}[-A]\d{3}[0-9A-Y])", R"(\d{5})", false}},
    {"FR",
     {R"(0[1-5]-\d{2}-\d{2}-\d{2}-\d{2})", R"(06-\d{2}-\d{2}-\d{2}-\d{2})", "INSEE", R"([12]\d{12,13} \d{2})",
      R"(\d{5})", false}},
    {"GB",
     {R"(0[12][\d ]{9,12})", R"(07\d{3} \d{6})", "NINO", R"([A-Z]{2} \d{2} \d{2} \d{2} [A-D])",
      R"([A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2})", true}},
    {"IE", {R"(0[1-7]1-\d{3}-\d{4})", R"(081-\d{3}-\d{4})", "PPS", R"(\d{7}TA?)", R"(\d{5})", false}},
    {"IN", {R"([7-9]\d{9})", R"([7-9]\d{9})", "UIDAI", R"(\d{12})", R"(\d{5})", false}},
    {"IR", {R"(0\d{2}-\d{8})", R"(09\d{2}-\d{3}-\d{4})", "", nullptr, R"(\d{5})", false}},
    {"MX",
     {R"(\(6\d{2}\) \d{3} \d{4})", R"(\(6\d{2}\) \d{3} \d{4})", "NSS", R"(\d{2} \d{2} \d{2} \d{4} \d)", R"(\d{5})",
      false}},
    {"NL", {R"(\(\d{3}\)-\d{3}-\d{4})", R"(\(\d{3}\)-\d{3}-\d{4})", "BSN", R"(\d{8})", R"([1-9]\d{3} [A-Z]{2})", true}},
    {"NO", {R"([235678]\d{7})", R"([49]\d{7})", "FN", R"(\d{11})", R"(\d{4})", true}},
    {"NZ", {R"(\(\d{3}\)-\d{3}-\d{4})", R"(\(\d{3}\)-\d{3}-\d{4})", "", nullptr, R"(\d{5})", false}},
    {"RS", {R"(0[1-3]\d-\d{4}-\d{3})", R"(06\d-\d{4}-\d{3})", "SID", R"(\d{9})", R"(\d{5})", false}},
    {"TR", {R"(\(\d{3}\)-\d{3}-\d{4})", R"(\(\d{3}\)-\d{3}-\d{4})", "", nullptr, R"(\d{5})", false}},
    {"UA", {R"(\(0\d{2}\) [A-Z]\d{2}-\d{4})", R"(\(0\d{2}\) [A-Z]\d{2}-\d{4})", "", nullptr, R"(\d{5})", false}},
    {"US",
     {R"(\([2-9]\d{2}\) [2-9]\d{2}-\d{4})", R"(\([2-9]\d{2}\) [2-9]\d{2}-\d{4})", "SSN", R"(\d{3}-\d{2}-\d{4})",
      R"(\d{5})", false}},
};

bool Matches(const std::string& text, const char* pattern) { return std::regex_match(text, std::regex(pattern)); }

// Whole years between two timestamps.
int YearsBetween(Timestamp from, Timestamp to) {
  using namespace std::chrono;
  year_month_day a{floor<days>(from)}, b{floor<days>(to)};
  int years = static_cast<int>(b.year()) - static_cast<int>(a.year());
  if (b.month() < a.month() || (b.month() == a.month() && b.day() < a.day())) --years;
  return years;
}

TEST(GeneratorFormatsTest, EveryNationalityHasTheApisFormats) {
  ASSERT_EQ(kFormats.size(), AllNationalities().size());
  Generator g;
  const std::regex coordinate(R"(-?\d{1,3}\.\d{4})");
  const std::regex offset(R"([+-]?\d{1,2}:\d{2})");
  const std::regex username(R"([a-z]+\d{3})");
  const std::regex picture(R"(https://randomuser\.me/api/portraits/(|med/|thumb/)(men|women)/(\d+)\.jpg)");
  for (const auto& nat : AllNationalities()) {
    const Format& f = kFormats.at(std::string(nat.code));
    std::vector<std::string> filter{std::string(nat.code)};
    for (int64_t i = 0; i < 150; ++i) {
      User u = g.MakeUser("formats", 1, i, filter);
      SCOPED_TRACE(std::string(nat.code) + " user " + std::to_string(i) + ": " + UserJson(u));
      EXPECT_EQ(u.nat, nat.code);
      EXPECT_EQ(u.location.country, nat.country);
      EXPECT_TRUE(Matches(u.phone, f.phone)) << u.phone;
      EXPECT_TRUE(Matches(u.cell, f.cell)) << u.cell;
      EXPECT_EQ(u.id.name, f.id_name);
      if (f.id_value == nullptr) {
        EXPECT_FALSE(u.id.value.has_value());
      } else {
        ASSERT_TRUE(u.id.value.has_value());
        EXPECT_TRUE(Matches(*u.id.value, f.id_value)) << *u.id.value;
      }
      EXPECT_EQ(u.location.postcode_is_number, !f.postcode_is_string);
      EXPECT_TRUE(Matches(u.location.postcode, f.postcode)) << u.location.postcode;
      // Title: Mr for men; CH uses French titles.
      const bool male = u.gender == "male";
      EXPECT_TRUE(u.gender == "male" || u.gender == "female");
      if (nat.code == "CH") {
        EXPECT_TRUE(male ? u.name.title == "Monsieur" : (u.name.title == "Madame" || u.name.title == "Mademoiselle"));
      } else {
        EXPECT_TRUE(male ? u.name.title == "Mr"
                         : (u.name.title == "Miss" || u.name.title == "Mrs" || u.name.title == "Ms"));
      }
      // Coordinates and time zones are strings in the API's formats.
      EXPECT_TRUE(std::regex_match(u.location.latitude, coordinate)) << u.location.latitude;
      EXPECT_TRUE(std::regex_match(u.location.longitude, coordinate)) << u.location.longitude;
      EXPECT_LE(std::abs(std::stod(u.location.latitude)), 90.0);
      EXPECT_LE(std::abs(std::stod(u.location.longitude)), 180.0);
      EXPECT_TRUE(std::regex_match(u.location.timezone_offset, offset)) << u.location.timezone_offset;
      EXPECT_FALSE(u.location.timezone_description.empty());
      EXPECT_GE(u.location.street_number, 1);
      EXPECT_LE(u.location.street_number, 9999);
      // Dates agree with ages (at the generator's reference date); adults only.
      auto dob = ParseIso8601(u.dob.date);
      auto registered = ParseIso8601(u.registered.date);
      ASSERT_TRUE(dob.ok() && registered.ok());
      EXPECT_EQ(FormatIso8601(*dob), u.dob.date);
      EXPECT_EQ(u.dob.age, YearsBetween(*dob, GeneratorEpoch()));
      EXPECT_EQ(u.registered.age, YearsBetween(*registered, GeneratorEpoch()));
      EXPECT_GE(u.dob.age, 20);
      EXPECT_LE(u.dob.age, 82);
      EXPECT_GE(*registered, ParseIso8601("2002-03-21T00:00:00Z").value());
      // Login and pictures.
      EXPECT_TRUE(std::regex_match(u.login.username, username)) << u.login.username;
      std::smatch m;
      for (const std::string* url : {&u.picture.large, &u.picture.medium, &u.picture.thumbnail}) {
        ASSERT_TRUE(std::regex_match(*url, m, picture)) << *url;
        EXPECT_EQ(m[2].str(), male ? "men" : "women");
        EXPECT_LE(std::stoi(m[3].str()), male ? 99 : 96);
      }
      EXPECT_EQ(u.picture.medium.substr(u.picture.medium.rfind('/')),
                u.picture.large.substr(u.picture.large.rfind('/')));
      // E-mail: first.last, transliterated, lower case, no spaces.
      std::string local = gen::TransliterateLower(u.name.first + "." + u.name.last);
      std::erase(local, ' ');
      EXPECT_EQ(u.email, local + "@example.com");
    }
  }
}

TEST(GeneratorFormatsTest, EveryQuirkOccurs) {
  Generator g;
  std::map<std::string, int> seen;
  std::set<int> men, women;
  for (int64_t i = 0; i < 20000; ++i) {
    const User u = g.MakeUser("quirks", 1, i);
    const auto& l = u.location;
    if (l.postcode_is_number) ++seen["numeric postcode"];
    if (!l.postcode_is_number) ++seen["string postcode"];
    if (u.nat == "NO" && l.postcode[0] == '0') ++seen["NO postcode with a leading zero"];
    if (!u.id.value) ++seen["null id value"];
    for (const std::string* v : {&u.name.first, &u.name.last, &l.street_name, &l.city, &l.state}) {
      if (!v->empty() && v->back() == ' ') ++seen["trailing space"];
    }
    if (u.email.find('\'') != std::string::npos) ++seen["apostrophe in e-mail"];
    if (u.email.find('-') != std::string::npos) ++seen["hyphen in e-mail"];
    if (u.email.find("..") != std::string::npos) ++seen["'..' in e-mail"];
    if (u.nat == "IR" && static_cast<unsigned char>(u.name.first[0]) >= 0xD8) ++seen["Persian script"];
    if (u.email.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.'-@") == std::string::npos) {
      ++seen["ASCII e-mail"];
    }
    if (u.location.timezone_offset == "0:00") ++seen["offset 0:00"];
    if (u.location.latitude[0] == '-') ++seen["southern latitude"];
    const bool male = u.gender == "male";
    int portrait = std::stoi(u.picture.large.substr(u.picture.large.rfind('/') + 1));
    (male ? men : women).insert(portrait);
  }
  for (auto quirk : {"numeric postcode", "string postcode", "NO postcode with a leading zero", "null id value",
                     "trailing space", "apostrophe in e-mail", "hyphen in e-mail", "'..' in e-mail", "Persian script",
                     "offset 0:00", "southern latitude"}) {
    EXPECT_GT(seen[quirk], 0) << quirk;
  }
  EXPECT_EQ(seen["ASCII e-mail"], 20000);  // transliteration leaves no other character
  EXPECT_EQ(men.size(), 100u);             // portraits men/0..99
  EXPECT_EQ(women.size(), 97u);            // women/0..96
  EXPECT_EQ(*men.rbegin(), 99);
  EXPECT_EQ(*women.rbegin(), 96);
}

TEST(TransliterateTest, LatinAndPersian) {
  EXPECT_EQ(gen::TransliterateLower("Zoë Ørsted"), "zoe orsted");
  EXPECT_EQ(gen::TransliterateLower("Müller.Weiß"), "muller.weiss");
  EXPECT_EQ(gen::TransliterateLower("Çağlar.Yıldırım"), "caglar.yildirim");
  EXPECT_EQ(gen::TransliterateLower("Đorđe.Živković"), "dorde.zivkovic");
  EXPECT_EQ(gen::TransliterateLower("O'Brien-Æsir"), "o'brien-aesir");
  EXPECT_EQ(gen::TransliterateLower("علی.جعفری"), "'ly.j'fry");  // ع is an apostrophe
  EXPECT_EQ(gen::TransliterateLower("ABC\xFF"), "abc");
}

}  // namespace
}  // namespace rtpipe
