#include "rtpipe/model/nationality.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace rtpipe {
namespace {

TEST(NationalityTest, TheTwentyOneV14Nationalities) {
  std::string codes;
  for (const auto& n : AllNationalities()) codes += std::string(n.code) + " ";
  EXPECT_EQ(codes, "AU BR CA CH DE DK ES FI FR GB IE IN IR MX NL NO NZ RS TR UA US ");
}

TEST(NationalityTest, CountryNamesAsTheApiWritesThem) {
  EXPECT_EQ(CountryOfNationality("US"), "United States");
  EXPECT_EQ(CountryOfNationality("GB"), "United Kingdom");
  EXPECT_EQ(CountryOfNationality("IR"), "Iran");
  EXPECT_EQ(CountryOfNationality("NL"), "Netherlands");
  EXPECT_EQ(CountryOfNationality("NO"), "Norway");
  EXPECT_EQ(CountryOfNationality("NZ"), "New Zealand");
  EXPECT_EQ(CountryOfNationality("CH"), "Switzerland");
  EXPECT_EQ(CountryOfNationality("TR"), "Turkey");
  EXPECT_EQ(CountryOfNationality("RS"), "Serbia");
  EXPECT_EQ(CountryOfNationality("us"), "United States");
  EXPECT_FALSE(CountryOfNationality("LEGO").has_value());
  EXPECT_FALSE(CountryOfNationality("").has_value());
}

TEST(NationalityTest, BothWaysAgreeForEveryNationality) {
  std::set<std::string_view> countries;
  for (const auto& n : AllNationalities()) {
    EXPECT_EQ(CountryOfNationality(n.code), n.country);
    EXPECT_EQ(NationalityOfCountry(n.country), n.code) << n.country;
    countries.insert(n.country);
  }
  EXPECT_EQ(countries.size(), 21u);
}

TEST(NationalityTest, CountryLookupIsLenient) {
  EXPECT_EQ(NationalityOfCountry("  united kingdom "), "GB");
  EXPECT_EQ(NationalityOfCountry("NEW ZEALAND"), "NZ");
  EXPECT_EQ(NationalityOfCountry("Türkiye"), "TR");
  EXPECT_FALSE(NationalityOfCountry("United").has_value());
  EXPECT_FALSE(NationalityOfCountry("Atlantis").has_value());
  EXPECT_FALSE(NationalityOfCountry("").has_value());
}

TEST(NationalityTest, FindNationality) {
  auto n = FindNationality("fi");
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(n->code, "FI");
  EXPECT_EQ(n->country, "Finland");
  EXPECT_FALSE(FindNationality("F").has_value());
}

}  // namespace
}  // namespace rtpipe
