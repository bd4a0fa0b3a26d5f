#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/sample_user_testdata.h"
#include "rtpipe/model/user.h"

namespace rtpipe {
namespace {

using ::testing::HasSubstr;

// Replaces the first occurrence of `from` in `text` (which must contain it).
std::string Replace(std::string text, std::string_view from, std::string_view to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string Compact() { return std::string(testdata::kSampleUserCompact); }

// Each record of a response parsed, as its consumer parses it.
std::vector<Result<User>> ParseEach(const Response& response) {
  std::vector<Result<User>> users;
  for (const SourceRecord& record : response.records) users.push_back(ParseUser(record.raw));
  return users;
}

TEST(ParseResponseTest, DocsSampleResponseEveryField) {
  auto response = ParseResponse(testdata::kSampleResponse);
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->records.size(), 1u);
  ASSERT_TRUE(response->info.has_value());
  EXPECT_EQ(*response->info, (ResponseInfo{"56d27f4a53bd5441", 1, 1, "1.4"}));

  const SourceRecord& record = response->records[0];
  // The raw bytes are exactly the element's text inside the (pretty-printed) body.
  size_t begin = testdata::kSampleResponse.find("{\n    \"gender\"");
  size_t end = testdata::kSampleResponse.find("\"nat\": \"US\" }") + std::string_view("\"nat\": \"US\" }").size();
  EXPECT_EQ(record.raw, testdata::kSampleResponse.substr(begin, end - begin));

  auto user = ParseUser(record.raw);
  ASSERT_TRUE(user.ok()) << user.status();
  const User& u = *user;
  EXPECT_EQ(u.present, kAllUserFields);
  EXPECT_EQ(u.gender, "female");
  EXPECT_EQ(u.name.title, "Miss");
  EXPECT_EQ(u.name.first, "Jennie");
  EXPECT_EQ(u.name.last, "Nichols");
  EXPECT_EQ(u.location.street_number, 8929);
  EXPECT_EQ(u.location.street_name, "Valwood Pkwy");
  EXPECT_EQ(u.location.city, "Billings");
  EXPECT_EQ(u.location.state, "Michigan");
  EXPECT_EQ(u.location.country, "United States");
  EXPECT_EQ(u.location.postcode, "63104");
  EXPECT_FALSE(u.location.postcode_is_number);  // the docs sample writes it as a string
  EXPECT_EQ(u.location.latitude, "-69.8246");
  EXPECT_EQ(u.location.longitude, "134.8719");
  EXPECT_EQ(u.location.timezone_offset, "+9:30");
  EXPECT_EQ(u.location.timezone_description, "Adelaide, Darwin");
  EXPECT_EQ(u.email, "jennie.nichols@example.com");
  EXPECT_EQ(u.login.uuid, "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
  EXPECT_EQ(u.login.username, "yellowpeacock117");
  EXPECT_EQ(u.login.password, "addison");
  EXPECT_EQ(u.login.salt, "sld1yGtd");
  EXPECT_EQ(u.login.md5, "ab54ac4c0be9480ae8fa5e9e2a5196a3");
  EXPECT_EQ(u.login.sha1, "edcf2ce613cbdea349133c52dc2f3b83168dc51b");
  EXPECT_EQ(u.login.sha256, "48df5229235ada28389b91e60a935e4f9b73eb4bdb855ef9258a1751f10bdc5d");
  EXPECT_EQ(u.dob.date, "1992-03-08T15:13:16.688Z");
  EXPECT_EQ(u.dob.age, 30);
  EXPECT_EQ(u.registered.date, "2007-07-09T05:51:59.390Z");
  EXPECT_EQ(u.registered.age, 14);
  EXPECT_EQ(u.phone, "(272) 790-0888");
  EXPECT_EQ(u.cell, "(489) 330-2385");
  EXPECT_EQ(u.id.name, "SSN");
  EXPECT_EQ(u.id.value, "405-88-3636");
  EXPECT_EQ(u.picture.large, "https://randomuser.me/api/portraits/men/75.jpg");
  EXPECT_EQ(u.picture.medium, "https://randomuser.me/api/portraits/med/men/75.jpg");
  EXPECT_EQ(u.picture.thumbnail, "https://randomuser.me/api/portraits/thumb/men/75.jpg");
  EXPECT_EQ(u.nat, "US");

  // The same user compact parses to the same User.
  auto compact = ParseUser(testdata::kSampleUserCompact);
  ASSERT_TRUE(compact.ok()) << compact.status();
  EXPECT_EQ(*compact, u);
}

TEST(ParseUserTest, NumericPostcodeKeepsItsText) {
  auto user = ParseUser(Replace(Compact(), R"("postcode":"63104")", R"("postcode":63104)"));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->location.postcode, "63104");
  EXPECT_TRUE(user->location.postcode_is_number);
}

TEST(ParseUserTest, ANonIntegerNumericPostcodeTakesItsShortestText) {
  // The API sends integers; any other number is read by value and written in its shortest form.
  for (auto [json, text] : std::vector<std::pair<std::string, std::string>>{{"1.50", "1.5"}, {"-1.5e3", "-1500"}}) {
    auto user = ParseUser(Replace(Compact(), R"("postcode":"63104")", R"("postcode":)" + json));
    ASSERT_TRUE(user.ok()) << user.status();
    EXPECT_EQ(user->location.postcode, text) << json;
    EXPECT_TRUE(user->location.postcode_is_number);
  }
}

TEST(ParseUserTest, NumbersBeyond64BitsAreMalformed) {
  // simdjson's limit: an integer beyond 64 bits or a number beyond a double's range.
  for (std::string_view number : {"12345678901234567890123", "1e400"}) {
    auto user = ParseUser(Replace(Compact(), R"("postcode":"63104")", R"("postcode":)" + std::string(number)));
    ASSERT_FALSE(user.ok()) << number;
    EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << user.status().message();
  }
}

TEST(ParseUserTest, NorwegianPostcodeKeepsLeadingZeros) {
  auto user = ParseUser(Replace(Compact(), R"("postcode":"63104")", R"("postcode":"0150")"));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->location.postcode, "0150");
  EXPECT_FALSE(user->location.postcode_is_number);
}

TEST(ParseUserTest, NullIdValue) {
  auto user =
      ParseUser(Replace(Compact(), R"("id":{"name":"SSN","value":"405-88-3636"})", R"("id":{"name":"","value":null})"));
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->id.name, "");
  EXPECT_FALSE(user->id.value.has_value());
}

TEST(ParseUserTest, AbsentTopLevelFieldsAreRecorded) {
  // As with exc=email,phone,id: the fields are absent, not null.
  std::string json = Replace(Compact(), R"("email":"jennie.nichols@example.com",)", "");
  json = Replace(json, R"("phone":"(272) 790-0888",)", "");
  json = Replace(json, R"("id":{"name":"SSN","value":"405-88-3636"},)", "");
  auto user = ParseUser(json);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_FALSE(user->Has(UserField::kEmail));
  EXPECT_FALSE(user->Has(UserField::kPhone));
  EXPECT_FALSE(user->Has(UserField::kId));
  EXPECT_TRUE(user->Has(UserField::kCell));
  EXPECT_TRUE(user->Has(UserField::kLogin));
  EXPECT_EQ(user->present, kAllUserFields & ~static_cast<uint16_t>(UserField::kEmail) &
                               ~static_cast<uint16_t>(UserField::kPhone) & ~static_cast<uint16_t>(UserField::kId));
}

TEST(ParseUserTest, OnlyLoginIsEnough) {
  auto user =
      ParseUser(R"({"login":{"uuid":"u","username":"n","password":"p","salt":"s","md5":"a","sha1":"b","sha256":"c"}})");
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->present, static_cast<uint16_t>(UserField::kLogin));
  EXPECT_EQ(user->login.uuid, "u");
}

TEST(ParseUserTest, LoginUuidIsRequired) {
  auto no_login = ParseUser(R"({"gender":"male","nat":"US"})");
  ASSERT_FALSE(no_login.ok());
  EXPECT_THAT(no_login.status().message(), HasSubstr("login.uuid: missing"));
  EXPECT_EQ(no_login.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ClassifyUserError(no_login.status()), dlq_reason::kMissingField);

  auto no_uuid = ParseUser(Replace(Compact(), R"("uuid":"7a0eed16-9430-4d68-901f-c0d4c1c3bf00",)", ""));
  ASSERT_FALSE(no_uuid.ok());
  EXPECT_EQ(no_uuid.status().message(), "login.uuid: missing");
  EXPECT_EQ(no_uuid.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ClassifyUserError(no_uuid.status()), dlq_reason::kMissingField);
}

TEST(ParseUserTest, MissingSubFieldOfAPresentObject) {
  auto user = ParseUser(Replace(Compact(), R"(,"last":"Nichols")", ""));
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().message(), "name.last: missing");
  EXPECT_EQ(user.status().code(), StatusCode::kNotFound);
}

TEST(ParseUserTest, WrongTypesNameTheFieldAndWhatWasFound) {
  const std::map<std::string, std::pair<std::string, std::string>> cases = {
      {"dob.date", {R"("date":"1992-03-08T15:13:16.688Z")", R"("date":700000000000)"}},
      {"name", {R"("name":{"title":"Miss","first":"Jennie","last":"Nichols"})", R"("name":"Jennie Nichols")"}},
      {"street.number", {R"("number":8929)", R"("number":"8929")"}},
      {"postcode", {R"("postcode":"63104")", R"("postcode":true)"}},
      {"id.value", {R"("value":"405-88-3636")", R"("value":405883636)"}},
      {"age", {R"("age":30)", R"("age":30.5)"}},
      {"email", {R"("email":"jennie.nichols@example.com")", R"("email":null)"}},
      {"latitude", {R"("latitude":"-69.8246")", R"("latitude":-69.8246)"}},
      {"login", {R"("login":{)", R"("login":[{)"}},
  };
  const std::map<std::string, std::string> expected = {
      {"dob.date", "dob.date: expected a string, got number"},
      {"name", "name: expected an object, got string"},
      {"street.number", "location.street.number: expected an integer, got string"},
      {"postcode", "location.postcode: expected a string or a number, got boolean"},
      {"id.value", "id.value: expected a string or null, got number"},
      {"age", "dob.age: expected an integer, got 30.5"},
      {"email", "email: expected a string, got null"},
      {"latitude", "location.coordinates.latitude: expected a string, got number"},
      {"login", "login: expected an object, got array"},
  };
  for (const auto& [name, edit] : cases) {
    std::string json = Replace(Compact(), edit.first, edit.second);
    if (name == "login") json = Replace(json, R"(5d"},"dob")", R"(5d"}],"dob")");
    auto user = ParseUser(json);
    ASSERT_FALSE(user.ok()) << name;
    EXPECT_EQ(user.status().message(), expected.at(name)) << name;
    EXPECT_EQ(user.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kWrongType) << name;
  }
}

TEST(ParseUserTest, EveryTruncationIsMalformed) {
  const std::string json = Compact();
  for (size_t len = 0; len < json.size(); ++len) {
    auto user = ParseUser(std::string_view(json).substr(0, len));
    ASSERT_FALSE(user.ok()) << "prefix of " << len << " bytes parsed";
    EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << len << ": " << user.status().message();
    EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kMalformedJson) << len << ": " << user.status().message();
  }
}

TEST(ParseUserTest, NotAnObject) {
  for (std::string_view text : {"[]", "42", "\"user\"", "null", "true"}) {
    auto user = ParseUser(text);
    ASSERT_FALSE(user.ok()) << text;
    EXPECT_THAT(user.status().message(), HasSubstr("expected a JSON object")) << text;
    EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << text;
    EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kMalformedJson);
  }
  EXPECT_FALSE(ParseUser("").ok());
  EXPECT_FALSE(ParseUser("   ").ok());
}

TEST(ParseUserTest, TrailingContentIsRejectedWhitespaceIsNot) {
  EXPECT_TRUE(ParseUser(Compact() + " \n\t").ok());
  EXPECT_TRUE(ParseUser(" \n" + Compact()).ok());
  for (std::string_view tail : {"x", "}", "{}", ",1", "\"\""}) {
    auto user = ParseUser(Compact() + std::string(tail));
    ASSERT_FALSE(user.ok()) << tail;
    EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kMalformedJson) << user.status().message();
  }
}

TEST(ParseUserTest, InvalidLiteralsAndNumbersAreMalformed) {
  for (auto [from, to] :
       std::vector<std::pair<std::string, std::string>>{{R"("value":"405-88-3636")", R"("value":nul)"},
                                                        {R"("number":8929)", R"("number":89x9)"},
                                                        {R"("postcode":"63104")", R"("postcode":6-3104)"},
                                                        {R"("postcode":"63104")", R"("postcode":063104)"}}) {
    auto user = ParseUser(Replace(Compact(), from, to));
    ASSERT_FALSE(user.ok()) << to;
    EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << to << ": " << user.status().message();
  }
}

TEST(ParseUserTest, EscapesAndUnicodeAreDecoded) {
  std::string json = Replace(Compact(), R"("first":"Jennie")", R"("first":"J\u00e9nnie \"Jen\" \\ \ud83d\ude00\n")");
  json = Replace(json, R"("city":"Billings")", R"("city":"Zürich")");
  auto user = ParseUser(json);
  ASSERT_TRUE(user.ok()) << user.status();
  EXPECT_EQ(user->name.first, "J\xC3\xA9nnie \"Jen\" \\ \xF0\x9F\x98\x80\n");
  EXPECT_EQ(user->location.city, "Zürich");
}

TEST(ParseUserTest, AnEscapeAnywhereInAValueIsDecoded) {
  // Escapes at every position of values of every length up to 40: a value must never be copied
  // as written when it holds an escape.
  for (size_t length = 1; length <= 40; ++length) {
    for (size_t at = 0; at < length; ++at) {
      std::string escaped(length, 'x'), decoded(length, 'x');
      escaped.replace(at, 1, "\\/");
      decoded[at] = '/';
      auto user = ParseUser(Replace(Compact(), R"("city":"Billings")", "\"city\":\"" + escaped + "\""));
      ASSERT_TRUE(user.ok()) << user.status();
      ASSERT_EQ(user->location.city, decoded) << length << " " << at;
    }
  }
}

TEST(ParseUserTest, InvalidUtf8AndBadEscapesAreMalformed) {
  for (std::string bad : {"Bill\xFFings", "Bill\\qings", "Bill\\ud800ings"}) {
    auto user = ParseUser(Replace(Compact(), "Billings", bad));
    ASSERT_FALSE(user.ok()) << bad;
    EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << bad;
  }
}

TEST(ParseUserTest, AFieldOutOfOrderInAMalformedObjectIsMalformed) {
  // A field out of the API's order after junk: simdjson's On-Demand find_field_unordered, which
  // looks back by itself, reaches undefined behaviour on this kind of input (found by libFuzzer with
  // an earlier parser; UBSan in `make asan` would catch it).
  std::string json = Replace(Compact(), R"("longitude":"134.8719")", R"("longitude":"134.8719"meit)");
  json = Replace(json, R"("timezone":)", R"("zone":)");
  auto user = ParseUser(json);
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.status().code(), StatusCode::kCorruption) << user.status().message();
}

TEST(ParseUserTest, UnknownFieldsAreSkippedAndOrderDoesNotMatter) {
  std::string json = Replace(Compact(), R"({"gender":"female",)", R"({"extra":{"a":[1,2,{"b":null}]},)");
  json = Replace(json, R"("nat":"US"})", R"("nat":"US","gend\u0065r":"female"})");  // an escaped key
  auto user = ParseUser(json);
  ASSERT_TRUE(user.ok()) << user.status();
  auto sample = ParseUser(testdata::kSampleUserCompact);
  ASSERT_TRUE(sample.ok());
  EXPECT_EQ(*user, *sample);
}

TEST(ParseUserTest, ARecordReadsTheSameInTheApiOrderAndOutOfIt) {
  // A record in the API's order is read in one straight pass; one out of order, by the general
  // reader, even when the straight pass fails deep inside it. Each value must read the same either
  // way, into a fresh User or into one reused across both.
  const std::vector<std::pair<std::string_view, std::string_view>> values = {
      {R"("postcode":"63104")", R"("postcode":"63104")"},
      {R"("postcode":"63104")", R"("postcode":63104)"},
      {R"("postcode":"63104")", R"("postcode":-7)"},
      {R"("postcode":"63104")", R"("postcode":18446744073709551615)"},  // beyond int64
      {R"("postcode":"63104")", R"("postcode":2.5)"},
      {R"("value":"405-88-3636")", R"("value":null)"},
      {R"("number":8929)", R"("number":-9223372036854775808)"},
      {R"("age":30)", R"("age":2147483647)"},
      {R"("Jennie")", R"("J\u00e9nnie\t")"},
      {R"("cell":)", R"("c\u0065ll":)"},  // an escaped key
  };
  auto out_of_order = [](const std::string& json) {
    std::string last_field =
        Replace(Replace(json, R"({"gender":"female",)", "{"), R"("nat":"US"})", R"("nat":"US","gender":"female"})");
    std::string deep = Replace(json, R"("timezone":{"offset":"+9:30","description":"Adelaide, Darwin"})",
                               R"("timezone":{"description":"Adelaide, Darwin","offset":"+9:30"})");
    std::string id_name_last = Replace(Replace(json, R"("id":{"name":"SSN",)", R"("id":{)"), R"(},"picture":)",
                                       R"(,"name":"SSN"},"picture":)");
    return std::vector<std::string>{last_field, deep, id_name_last};
  };
  User reused;
  for (const auto& [from, to] : values) {
    const std::string in_order = Replace(Compact(), from, to);
    auto expected = ParseUser(in_order);
    ASSERT_TRUE(expected.ok()) << in_order << ": " << expected.status();
    for (const std::string& json : out_of_order(in_order)) {
      auto user = ParseUser(json);
      ASSERT_TRUE(user.ok()) << json << ": " << user.status();
      EXPECT_EQ(*user, *expected) << json;
      for (const std::string* text : {&json, &in_order}) {
        ASSERT_TRUE(ParseUser(*text, reused).ok()) << *text;
        EXPECT_EQ(reused, *expected) << *text;
      }
    }
  }
}

TEST(ParseResponseTest, ApiErrorBodyIsUnavailableWithTheApiText) {
  auto response = ParseResponse(
      R"({"error": "Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you."})");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(response.status().message(), HasSubstr("Uh oh, something has gone wrong."));
}

TEST(ParseUserTest, AReusedUserTakesEachRecordAlone) {
  // Fields absent from a record (exc=email,phone,id) must not keep the last record's values, nor a
  // failed record leave anything behind.
  std::string partial = Replace(Compact(), R"("email":"jennie.nichols@example.com",)", "");
  partial = Replace(partial, R"("phone":"(272) 790-0888",)", "");
  partial = Replace(partial, R"("id":{"name":"SSN","value":"405-88-3636"},)", "");
  partial = Replace(partial, R"("postcode":"63104")", R"("postcode":1234)");
  partial = Replace(partial, "Jennie", "Jo");
  const std::string wrong_type = Replace(Compact(), R"("age":30)", R"("age":"30")");
  const std::string null_id = Replace(Compact(), R"("value":"405-88-3636")", R"("value":null)");
  User reused;
  for (const std::string& json : {Compact(), partial, wrong_type, Compact(), null_id, partial, Compact()}) {
    auto fresh = ParseUser(json);
    Status status = ParseUser(json, reused);
    ASSERT_EQ(status.ok(), fresh.ok()) << json;
    if (!fresh.ok()) {
      EXPECT_EQ(status, fresh.status());
      continue;
    }
    EXPECT_EQ(reused, *fresh) << json;
  }
}

TEST(ParseUserTest, PaddedTextIsParsedInPlace) {
  // The bytes after the text are junk, not JSON: they must not be read as part of it.
  std::string text = Compact();
  const size_t size = text.size();
  text.append(kJsonPadding, '}');
  User user;
  ASSERT_TRUE(ParsePaddedUser(std::string_view(text).substr(0, size), user).ok());
  EXPECT_EQ(user, *ParseUser(Compact()));
  EXPECT_EQ(ParsePaddedUser(std::string_view(text).substr(0, size - 1), user).code(), StatusCode::kCorruption);
}

TEST(ParseResponseTest, EmptyResultsAreReturnedAsSuch) {
  auto response = ParseResponse(R"({"results":[],"info":{"seed":"d3adb33f","results":1,"page":1,"version":"1.4"}})");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_TRUE(response->records.empty());
  ASSERT_TRUE(response->info.has_value());
  EXPECT_EQ(response->info->seed, "d3adb33f");
  EXPECT_EQ(response->info->results, 1);
}

TEST(ParseResponseTest, NoInfoWithNoinfo) {
  auto response = ParseResponse("{\"results\":[" + Compact() + "," + Compact() + "]}");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_FALSE(response->info.has_value());
  ASSERT_EQ(response->records.size(), 2u);
  EXPECT_EQ(response->records[0].raw, Compact());
  EXPECT_EQ(response->records[1].raw, Compact());
}

TEST(ParseResponseTest, OneBadUserDoesNotFailTheResponse) {
  std::string bad = Replace(Compact(), R"("date":"1992-03-08T15:13:16.688Z")", R"("date":1)");
  std::string body = "{\"results\":[" + Compact() + ",\n  " + bad + " , 7,[1]],\"info\":{\"seed\":\"s\"}}";
  auto response = ParseResponse(body);
  ASSERT_TRUE(response.ok()) << response.status();
  const std::vector<Result<User>> users = ParseEach(*response);
  ASSERT_EQ(response->records.size(), 4u);
  EXPECT_TRUE(users[0].ok());
  EXPECT_EQ(response->records[1].raw, bad);
  ASSERT_FALSE(users[1].ok());
  EXPECT_EQ(users[1].status().message(), "dob.date: expected a string, got number");
  EXPECT_EQ(response->records[2].raw, "7");
  EXPECT_FALSE(users[2].ok());
  EXPECT_EQ(response->records[3].raw, "[1]");
  EXPECT_FALSE(users[3].ok());
  EXPECT_EQ(response->info->seed, "s");
  EXPECT_EQ(response->info->page, 0);  // absent in this body
}

TEST(ParseResponseTest, RecordsAfterABadOneAreReadCorrectly) {
  std::string deep = Replace(Compact(), R"("number":8929)", R"("number":"8929")");      // fails deep inside
  std::string early = Replace(Compact(), R"("gender":"female")", R"("gender":["f"])");  // fails at once
  std::string no_login = Replace(Compact(), R"("login":{)", R"("logout":{)");
  std::string body = "{\"results\":[ " + deep + " ,\n" + Compact() + "," + early + "," + no_login + ",\t" + Compact() +
                     " ],\"info\":{\"seed\":\"s\",\"results\":5,\"page\":2,\"version\":\"1.4\"}}";
  auto response = ParseResponse(body);
  ASSERT_TRUE(response.ok()) << response.status();
  const std::vector<Result<User>> users = ParseEach(*response);
  ASSERT_EQ(response->records.size(), 5u);
  const std::string expected_raw[] = {deep, Compact(), early, no_login, Compact()};
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(response->records[i].raw, expected_raw[i]) << i;
  EXPECT_EQ(users[0].status().message(), "location.street.number: expected an integer, got string");
  EXPECT_TRUE(users[1].ok());
  EXPECT_EQ(users[2].status().message(), "gender: expected a string, got array");
  EXPECT_EQ(users[3].status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(users[4].ok());
  EXPECT_EQ(*users[4], *users[1]);
  EXPECT_EQ(response->info->page, 2);
}

TEST(ParseResponseTest, AMalformedUserInsideBalancedBracketsFailsAlone) {
  const std::string malformed = R"({"gender":"female","login" {"uuid":"u"}})";  // no colon
  const std::string bad_number = Replace(Compact(), R"("age":30)", R"("age":3-0)");
  std::string body = "{\"results\":[" + Compact() + "," + malformed + "," + bad_number + "," + Compact() + "]}";
  auto response = ParseResponse(body);
  ASSERT_TRUE(response.ok()) << response.status().message();
  const std::vector<Result<User>> users = ParseEach(*response);
  ASSERT_EQ(response->records.size(), 4u);
  EXPECT_TRUE(users[0].ok());
  EXPECT_EQ(response->records[1].raw, malformed);
  EXPECT_EQ(users[1].status().code(), StatusCode::kCorruption) << users[1].status().message();
  EXPECT_EQ(response->records[2].raw, bad_number);
  EXPECT_EQ(users[2].status().code(), StatusCode::kCorruption) << users[2].status().message();
  ASSERT_TRUE(users[3].ok());
  EXPECT_EQ(*users[3], *users[0]);
}

TEST(ParseResponseTest, APaddedBodyIsParsedInPlace) {
  // The bytes after the body are junk, not JSON: they must not be read as part of it.
  const std::string body = "{\"results\":[" + Compact() + "," + Compact() + "],\"info\":{\"seed\":\"s\"}}";
  std::string padded = body;
  padded.append(kJsonPadding, ']');
  auto response = ParsePaddedResponse(std::string_view(padded).substr(0, body.size()));
  ASSERT_TRUE(response.ok()) << response.status();
  ASSERT_EQ(response->records.size(), 2u);
  EXPECT_EQ(response->records[1].raw, Compact());
  EXPECT_EQ(response->info->seed, "s");
  auto cut = ParsePaddedResponse(std::string_view(padded).substr(0, body.size() - 1));
  EXPECT_EQ(cut.status().code(), StatusCode::kInvalidArgument) << "the body without its last brace is not a response";
}

// `body` parsed as the sources parse it (ParsePaddedResponse with users, junk after the body) and
// as ParseResponse splits it: the same outcome and records, and each user read on the way is what
// ParseUser gives for its record. Returns which records were read on the way.
std::vector<bool> ReadOnTheWay(std::string_view body, std::vector<User>& users) {
  std::string padded(body);
  padded.append(kJsonPadding, '"');
  auto split = ParseResponse(body);
  auto read = ParsePaddedResponse(std::string_view(padded).substr(0, body.size()), users);
  EXPECT_EQ(read.ok(), split.ok()) << body;
  if (!read.ok() || !split.ok()) {
    EXPECT_EQ(read.status().ToString(), split.status().ToString());
    return {};
  }
  EXPECT_EQ(read->records.size(), split->records.size());
  std::vector<bool> on_the_way;
  for (size_t i = 0; i < read->records.size() && i < split->records.size(); ++i) {
    const SourceRecord& record = read->records[i];
    EXPECT_EQ(record.raw, split->records[i].raw);
    EXPECT_EQ(split->records[i].parsed, nullptr);
    on_the_way.push_back(record.parsed != nullptr);
    if (record.parsed == nullptr) continue;
    EXPECT_EQ(record.parsed, &users[i]);
    auto alone = ParseUser(record.raw);
    EXPECT_TRUE(alone.ok()) << record.raw;
    if (alone.ok()) {
      EXPECT_EQ(*record.parsed, *alone) << record.raw;
    }
  }
  return on_the_way;
}

TEST(ParseResponseTest, UsersInTheApiOrderAreReadWhileTheResponseIsSplit) {
  std::vector<std::string> in_order = {
      Compact(),
      Replace(Compact(), R"("postcode":"63104")", R"("postcode":63104)"),
      Replace(Compact(), R"("postcode":"63104")", R"("postcode":-7)"),
      Replace(Compact(), R"("value":"405-88-3636")", R"("value":null)"),
      Replace(Compact(), R"("number":8929)", R"("number":-9223372036854775808)"),
      Replace(Compact(), R"("age":30)", R"("age":2147483647)"),
      Replace(Compact(), R"("Jennie")", R"("J\u00e9nnie\t")"),
      Replace(Compact(), R"("nat":"US")", R"("nat" : "US" )"),
  };
  std::vector<std::string> not_in_order = {
      Replace(Compact(), R"("cell":)", R"("c\u0065ll":)"),                               // an escaped key
      Replace(Compact(), R"({"gender":"female",)", R"({"extra":1,"gender":"female",)"),  // an unknown field
      Replace(Compact(), R"("timezone":{"offset":"+9:30","description":"Adelaide, Darwin"})",
              R"("timezone":{"description":"Adelaide, Darwin","offset":"+9:30"})"),  // out of order, deep inside
      Replace(Compact(), R"("nat":"US"})", R"("nat":"US","nat":"US"})"),             // a field twice
      Replace(Compact(), R"("age":30)", R"("age":2147483648)"),                      // beyond an int
      Replace(Compact(), R"("date":"1992-03-08T15:13:16.688Z")", R"("date":1)"),     // a wrong type
      Replace(Compact(), R"("gender":"female")", R"("gender":["f"])"),
      Replace(Compact(), R"("login":{)", R"("logout":{)"),
      "7",
      "[1]",
      "{}",
  };
  std::string body = "{\"results\":[";
  std::vector<bool> expected;
  for (size_t i = 0; i < std::max(in_order.size(), not_in_order.size()); ++i) {
    for (const auto* records : {&in_order, &not_in_order}) {
      if (i >= records->size()) continue;
      body += (expected.empty() ? "" : " ,\n ") + (*records)[i];
      expected.push_back(records == &in_order);
    }
  }
  body += "],\"info\":{\"seed\":\"s\"}}";
  std::vector<User> users;
  EXPECT_EQ(ReadOnTheWay(body, users), expected);
  // Read again into the same users, whose strings are overwritten in place: nothing of the users
  // read before stays (the null id.value of the record read into users[3] before becomes a string).
  const std::string again =
      "{\"results\":[" + not_in_order[0] + "," + Compact() + "," + Compact() + "," + Compact() + "]}";
  EXPECT_EQ(ReadOnTheWay(again, users), (std::vector<bool>{false, true, true, true}));
}

TEST(ParseResponseTest, ARecordOnDemandReportsAnErrorInMakesTheResponseBeSplitAgain) {
  // On-Demand may keep an error it met for the rest of the document, which the split of the records
  // must not see: the response is split again, and no user is read on the way.
  for (std::string_view bad : {R"({"gender":"female","login" {"uuid":"u"}})", R"({"gender":"female" "login":{}})",
                               R"({"gender":"fe\qmale"})"}) {
    const std::string body = "{\"results\":[" + Compact() + "," + std::string(bad) + "," + Compact() + "]}";
    std::vector<User> users;
    EXPECT_EQ(ReadOnTheWay(body, users), (std::vector<bool>{false, false, false})) << bad;
  }
  for (std::string_view number : {"3-0", "2.5", "18446744073709551615"}) {
    const std::string bad = Replace(Compact(), R"("age":30)", "\"age\":" + std::string(number));
    const std::string body = "{\"results\":[" + bad + "," + Compact() + "]}";
    std::vector<User> users;
    EXPECT_EQ(ReadOnTheWay(body, users), (std::vector<bool>{false, false})) << number;
  }
}

TEST(ParseResponseTest, ANumberReadOnTheWayIsReadAsParseUserReadsIt) {
  // ReadOnTheWay checks that a user read on the way is ParseUser's, whichever way each goes.
  for (std::string_view number : {"-0", "0", "-1", "1E2", "1e0", "1.0", "-0.0", "01", "-", "9223372036854775807",
                                  "-9223372036854775809", "2147483648", "-2147483649"}) {
    for (std::string_view field : {R"("age":30)", R"("number":8929)", R"("postcode":"63104")"}) {
      const std::string name(field.substr(0, field.find(':') + 1));
      const std::string record = Replace(Compact(), field, name + std::string(number));
      const std::string body = "{\"results\":[" + record + "," + Compact() + "]}";
      std::vector<User> users;
      SCOPED_TRACE(name + std::string(number));
      ReadOnTheWay(body, users);
    }
  }
}

TEST(ParseResponseTest, ATruncatedResponseNeverParsesWithUsersEither) {
  std::string body = "{\"results\":[" + Compact() + "," + Compact() + "],\"info\":{\"seed\":\"x\",\"results\":2}}";
  std::vector<User> users;
  for (size_t len = 0; len < body.size(); ++len) {
    EXPECT_TRUE(ReadOnTheWay(std::string_view(body).substr(0, len), users).empty()) << len;
  }
  EXPECT_EQ(ReadOnTheWay(body, users), (std::vector<bool>{true, true}));
}

TEST(ParseResponseTest, BodiesThatAreNotResponses) {
  for (std::string_view body :
       {"", "<html>503 Service Unavailable</html>", "[]", "{}", R"({"foo":1})", R"({"results":{}})", R"({"results":[)",
        R"({"results":[]} x)", "null", R"({"results":[],"info":{"page":"1"}})"}) {
    auto response = ParseResponse(body);
    ASSERT_FALSE(response.ok()) << body;
    EXPECT_EQ(response.status().code(), StatusCode::kInvalidArgument) << body;
    EXPECT_THAT(response.status().message(), HasSubstr("not a randomuser.me response")) << body;
  }
}

TEST(ParseResponseTest, TruncatedResponsesNeverParse) {
  std::string body = "{\"results\":[" + Compact() + "," + Compact() + "],\"info\":{\"seed\":\"x\",\"results\":2}}";
  for (size_t len = 0; len < body.size(); ++len) {
    EXPECT_FALSE(ParseResponse(std::string_view(body).substr(0, len)).ok()) << len;
  }
  EXPECT_TRUE(ParseResponse(body).ok());
}

TEST(ClassifyUserErrorTest, TheStatusCodeIsTheReason) {
  EXPECT_EQ(ClassifyUserError(Status::Corruption("malformed JSON: x")), dlq_reason::kMalformedJson);
  EXPECT_EQ(ClassifyUserError(Status::NotFound("name.first: missing")), dlq_reason::kMissingField);
  EXPECT_EQ(ClassifyUserError(Status::InvalidArgument("name: expected an object, got string")), dlq_reason::kWrongType);
}

}  // namespace
}  // namespace rtpipe
