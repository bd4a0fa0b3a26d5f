#include "rtpipe/model/user.h"

#include <gtest/gtest.h>

#include <string>

#include "rtpipe/model/sample_user_testdata.h"

namespace rtpipe {
namespace {

User Sample() {
  auto user = ParseUser(testdata::kSampleUserCompact);
  EXPECT_TRUE(user.ok()) << user.status();
  return user.ok() ? *user : User{};
}

TEST(UserFieldTest, NamesAndParsingAgree) {
  int count = 0;
  for (uint16_t bit = 1; bit != 0 && bit <= kAllUserFields; bit = static_cast<uint16_t>(bit << 1)) {
    auto field = static_cast<UserField>(bit);
    std::string_view name = UserFieldName(field);
    ASSERT_FALSE(name.empty()) << bit;
    auto parsed = ParseUserField(name);
    ASSERT_TRUE(parsed.ok()) << name;
    EXPECT_EQ(*parsed, field);
    ++count;
  }
  EXPECT_EQ(count, 12);
  EXPECT_EQ(UserFieldName(UserField::kRegistered), "registered");
  EXPECT_EQ(UserFieldName(static_cast<UserField>(1 << 12)), "");
  auto bad = ParseUserField("birthday");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("gender, name, location"), std::string::npos);
}

TEST(UserJsonTest, WritesExactlyWhatTheApiWrites) { EXPECT_EQ(UserJson(Sample()), testdata::kSampleUserCompact); }

TEST(UserJsonTest, NumericPostcodeIsUnquotedAndNullIdValue) {
  User u = Sample();
  u.location.postcode = "2600";
  u.location.postcode_is_number = true;
  u.id.name = "";
  u.id.value.reset();
  std::string json = UserJson(u);
  EXPECT_NE(json.find(R"("postcode":2600,"coordinates")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("id":{"name":"","value":null})"), std::string::npos) << json;
  auto back = ParseUser(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, u);
}

TEST(UserJsonTest, AbsentFieldsAreOmittedNotNull) {
  User u = Sample();
  u.present = kAllUserFields & ~static_cast<uint16_t>(UserField::kGender) & ~static_cast<uint16_t>(UserField::kDob) &
              ~static_cast<uint16_t>(UserField::kNat);
  std::string json = UserJson(u);
  EXPECT_EQ(json.find("gender"), std::string::npos);
  EXPECT_EQ(json.find("\"dob\""), std::string::npos);
  EXPECT_EQ(json.find("\"nat\""), std::string::npos);
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.substr(0, 9), R"({"name":{)");
  EXPECT_EQ(json.back(), '}');
  auto back = ParseUser(json);
  ASSERT_TRUE(back.ok()) << back.status();
  User expected = u;
  expected.gender.clear();
  expected.dob = {};
  expected.nat.clear();
  EXPECT_EQ(*back, expected);
}

TEST(UserJsonTest, EscapingMatchesJsonStringify) {
  User u = Sample();
  u.name.first = "A\"B\\C\nD\tE\x01\x1f/é😀\x7f";
  std::string json = UserJson(u);
  // JSON.stringify: \" \\ \n \t, other controls as lower-case \u00xx; '/', non-ASCII and DEL raw.
  EXPECT_NE(json.find(R"("first":"A\"B\\C\nD\tE\u0001\u001f/é😀)"
                      "\x7f\""),
            std::string::npos)
      << json;
  auto back = ParseUser(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, u);
}

TEST(UserJsonTest, RoundTripsUnusualValues) {
  User u = Sample();
  u.location.street_number = -12;
  u.dob.age = 0;
  u.registered.age = 123;
  u.location.postcode = "-1500";
  u.location.postcode_is_number = true;
  u.email = "o'brien..x-y@example.com";
  u.location.city = "Ørsted ";
  auto back = ParseUser(UserJson(u));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, u);
}

TEST(UserJsonTest, AppendsToExistingText) {
  std::string out = "[";
  AppendUserJson(Sample(), out);
  out += "]";
  EXPECT_EQ(out, "[" + std::string(testdata::kSampleUserCompact) + "]");
}

TEST(UserJsonTest, NonNumericPostcodeFlaggedAsNumberStaysValidJson) {
  User u = Sample();
  u.location.postcode = "AB1 2CD";
  u.location.postcode_is_number = true;
  auto back = ParseUser(UserJson(u));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->location.postcode, "AB1 2CD");
  EXPECT_FALSE(back->location.postcode_is_number);
}

}  // namespace
}  // namespace rtpipe
