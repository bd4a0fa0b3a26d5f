#include "rtpipe/model/message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtpipe/model/sample_user_testdata.h"

namespace rtpipe {
namespace {

using ::testing::HasSubstr;

User Sample() {
  auto user = ParseUser(testdata::kSampleUserCompact);
  EXPECT_TRUE(user.ok()) << user.status();
  return user.ok() ? *user : User{};
}

// seed-origin §1.1's illustrative message, with id = login.uuid.
constexpr std::string_view kSampleMessage =
    R"({"id":"7a0eed16-9430-4d68-901f-c0d4c1c3bf00","first_name":"Jennie","last_name":"Nichols","gender":"female",)"
    R"("address":"8929 Valwood Pkwy, Billings, Michigan, United States","post_code":"63104",)"
    R"("email":"jennie.nichols@example.com","username":"yellowpeacock117","dob":"1992-03-08T15:13:16.688Z",)"
    R"("registered_date":"2007-07-09T05:51:59.390Z","phone":"(272) 790-0888",)"
    R"("picture":"https://randomuser.me/api/portraits/med/men/75.jpg"})";

TEST(MessageTest, SampleUserGivesTheBriefsMessage) {
  UsersCreatedMessage m = ToMessage(Sample());
  EXPECT_EQ(m.id, "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
  EXPECT_EQ(m.address, "8929 Valwood Pkwy, Billings, Michigan, United States");
  EXPECT_EQ(m.picture, "https://randomuser.me/api/portraits/med/men/75.jpg");
  EXPECT_EQ(MessageJson(m), kSampleMessage);
}

TEST(MessageTest, NumericPostcodeBecomesAString) {
  User u = Sample();
  u.location.postcode = "2600";
  u.location.postcode_is_number = true;
  std::string json = MessageJson(ToMessage(u));
  EXPECT_THAT(json, HasSubstr(R"("post_code":"2600")"));
}

TEST(MessageTest, AbsentFieldsAreNull) {
  User u = Sample();
  u.present = static_cast<uint16_t>(UserField::kLogin) | static_cast<uint16_t>(UserField::kEmail);
  UsersCreatedMessage m = ToMessage(u);
  EXPECT_EQ(m.id, "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
  EXPECT_EQ(m.username, "yellowpeacock117");
  EXPECT_EQ(m.email, "jennie.nichols@example.com");
  EXPECT_FALSE(m.first_name.has_value());
  EXPECT_FALSE(m.address.has_value());
  EXPECT_FALSE(m.post_code.has_value());
  EXPECT_FALSE(m.dob.has_value());
  EXPECT_FALSE(m.picture.has_value());
  EXPECT_EQ(MessageJson(m),
            R"({"id":"7a0eed16-9430-4d68-901f-c0d4c1c3bf00","first_name":null,"last_name":null,"gender":null,)"
            R"("address":null,"post_code":null,"email":"jennie.nichols@example.com","username":"yellowpeacock117",)"
            R"("dob":null,"registered_date":null,"phone":null,"picture":null})");
}

TEST(MessageTest, AUsersJsonIsTheJsonOfItsMessage) {
  // Written straight from the user's fields, and through UsersCreatedMessage: the same bytes.
  std::vector<User> users(6, Sample());
  users[1].present = static_cast<uint16_t>(UserField::kLogin) | static_cast<uint16_t>(UserField::kEmail);
  users[2].location.postcode = "2600";
  users[2].location.postcode_is_number = true;
  users[3].name.first = "Zoë \"Z\" \\ \n 😀\t\x01";
  users[3].location.street_name = std::string(600, 'x');  // an address longer than any buffer on the stack
  users[4].present &= static_cast<uint16_t>(~static_cast<uint16_t>(UserField::kLocation));
  users[5].present &= static_cast<uint16_t>(~static_cast<uint16_t>(UserField::kName));
  std::string out = "kept ";
  for (const User& u : users) {
    EXPECT_EQ(MessageJson(u), MessageJson(ToMessage(u)));
    AppendMessageJson(u, out);
  }
  EXPECT_TRUE(out.starts_with("kept {\"id\":")) << "appended, not overwritten";
  EXPECT_EQ(MessageJson(Sample()), kSampleMessage);
}

TEST(MessageTest, RoundTrip) {
  UsersCreatedMessage m = ToMessage(Sample());
  m.first_name = "Zoë \"Z\" \\ \n 😀";
  m.phone.reset();
  auto back = ParseMessage(MessageJson(m));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
  auto sample = ParseMessage(kSampleMessage);
  ASSERT_TRUE(sample.ok()) << sample.status();
  EXPECT_EQ(*sample, ToMessage(Sample()));
}

TEST(MessageTest, UnknownKeysIgnoredMissingKeysAbsent) {
  auto m = ParseMessage(R"({"email":"a@b.c","extra":{"x":[1,2]},"n":5, "id" : "u1" })");
  ASSERT_TRUE(m.ok()) << m.status();
  EXPECT_EQ(m->id, "u1");
  EXPECT_EQ(m->email, "a@b.c");
  EXPECT_FALSE(m->gender.has_value());
}

TEST(MessageTest, KeysInAnyOrderGiveTheSameMessageAndARepeatedKeyTakesItsLastValue) {
  // Split kSampleMessage into its 12 "key":"value" members and put them back in reverse order.
  std::string_view body = kSampleMessage.substr(1, kSampleMessage.size() - 2);
  std::vector<std::string> members;
  for (size_t start = 0; start < body.size();) {
    size_t end = body.find(R"(",")", start);
    end = end == std::string_view::npos ? body.size() : end + 1;
    members.emplace_back(body.substr(start, end - start));
    start = end + 1;
  }
  ASSERT_EQ(members.size(), 12u);
  std::string reversed = "{";
  for (auto it = members.rbegin(); it != members.rend(); ++it) reversed += (reversed.size() > 1 ? "," : "") + *it;
  reversed += "}";
  auto m = ParseMessage(reversed);
  ASSERT_TRUE(m.ok()) << reversed << ": " << m.status();
  EXPECT_EQ(*m, ToMessage(Sample())) << reversed;

  std::string repeated(kSampleMessage);
  repeated.insert(repeated.size() - 1, R"(,"gender":"male")");
  auto r = ParseMessage(repeated);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->gender, "male");
}

TEST(MessageTest, ParseErrorsNameTheProblem) {
  auto number = ParseMessage(R"({"id":"u","post_code":63104})");
  ASSERT_FALSE(number.ok());
  EXPECT_EQ(number.status().message(), "post_code: expected a string or null, got number");
  EXPECT_EQ(number.status().code(), StatusCode::kInvalidArgument);
  auto object = ParseMessage(R"({"address":{}})");
  ASSERT_FALSE(object.ok());
  EXPECT_EQ(object.status().message(), "address: expected a string or null, got object");
  auto array = ParseMessage(R"(["id"])");
  ASSERT_FALSE(array.ok());
  EXPECT_EQ(array.status().message(), "expected a JSON object, got array");
  EXPECT_EQ(array.status().code(), StatusCode::kCorruption);
  for (std::string_view bad :
       {"", "{", R"({"id":"u")", R"({"id":"u"} {})", R"({"id":nul})", "\xff", R"({"id":"\x"})"}) {
    auto m = ParseMessage(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_THAT(m.status().message(), HasSubstr("malformed JSON")) << bad;
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << bad;
  }
}

}  // namespace
}  // namespace rtpipe
