#include "rtpipe/source/generator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "rtpipe/model/dead_letter.h"
#include "rtpipe/source/digest.h"

namespace rtpipe {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

GeneratorRequest Request(std::string seed, int64_t page, int results) {
  GeneratorRequest r;
  r.seed = std::move(seed);
  r.page = page;
  r.results = results;
  return r;
}

Response Parse(const std::string& body) {
  auto response = ParseResponse(body);
  EXPECT_TRUE(response.ok()) << response.status();
  return response.ok() ? std::move(*response) : Response{};
}

// The users of a response body, each of which must parse.
std::vector<User> ParseUsers(const std::string& body) {
  std::vector<User> users;
  for (const SourceRecord& record : Parse(body).records) {
    auto user = ParseUser(record.raw);
    EXPECT_TRUE(user.ok()) << user.status();
    if (user.ok()) users.push_back(std::move(*user));
  }
  return users;
}

TEST(GeneratorTest, SameSeedAndPageGiveIdenticalBytes) {
  Generator g;
  std::string a = g.Response(Request("rtpipe", 3, 50));
  std::string b = Generator().Response(Request("rtpipe", 3, 50));
  EXPECT_EQ(a, b);
  EXPECT_THAT(a, StartsWith("{\"results\":[{\"gender\":"));
  EXPECT_THAT(a, testing::EndsWith("],\"info\":{\"seed\":\"rtpipe\",\"results\":50,\"page\":3,\"version\":\"1.4\"}}"));
}

TEST(GeneratorTest, FewerResultsAreAPrefixOfTheSamePage) {
  Generator g;
  Response five = Parse(g.Response(Request("prefix", 7, 5)));
  Response three = Parse(g.Response(Request("prefix", 7, 3)));
  ASSERT_EQ(five.records.size(), 5u);
  ASSERT_EQ(three.records.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(three.records[i].raw, five.records[i].raw) << i;
  EXPECT_EQ(three.info->results, 3);
  // And Records() gives the same texts as the whole response, from any offset.
  std::vector<GeneratedRecord> tail = g.Records(Request("prefix", 7, 5), 2, 3);
  ASSERT_EQ(tail.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(tail[i].text, five.records[2 + i].raw) << i;
}

TEST(GeneratorTest, DifferentPagesAndSeedsGiveDifferentUsers) {
  Generator g;
  std::set<std::string> uuids;
  size_t total = 0;
  for (std::string seed : {"a", "b", "rtpipe"}) {
    for (int64_t page : {1, 2, 3, 10000}) {
      for (const User& user : ParseUsers(g.Response(Request(seed, page, 200)))) {
        uuids.insert(user.login.uuid);
        ++total;
      }
    }
  }
  EXPECT_EQ(total, 3u * 4 * 200);
  EXPECT_EQ(uuids.size(), total);
}

TEST(GeneratorTest, UsersAreV4UuidsAndRoundTrip) {
  Generator g;
  const std::regex uuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  for (int64_t i = 0; i < 300; ++i) {
    User u = g.MakeUser("round", 1, i);
    EXPECT_TRUE(std::regex_match(u.login.uuid, uuid)) << u.login.uuid;
    auto back = ParseUser(UserJson(u));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, u);
    EXPECT_EQ(u, g.MakeUser("round", 1, i));
  }
}

TEST(GeneratorTest, ResponseRecordsAreTheUsersAsTheApiWritesThem) {
  Generator g;
  Response r = Parse(g.Response(Request("same", 2, 20)));
  ASSERT_EQ(r.records.size(), 20u);
  for (size_t i = 0; i < r.records.size(); ++i) {
    EXPECT_EQ(r.records[i].raw, UserJson(g.MakeUser("same", 2, static_cast<int64_t>(i)))) << i;
  }
}

TEST(GeneratorTest, PasswordHashesAreComputedForReal) {
  // The docs sample: password "addison", salt "sld1yGtd".
  EXPECT_EQ(gen::Md5Hex("addisonsld1yGtd"), "ab54ac4c0be9480ae8fa5e9e2a5196a3");
  EXPECT_EQ(gen::Sha1Hex("addisonsld1yGtd"), "edcf2ce613cbdea349133c52dc2f3b83168dc51b");
  EXPECT_EQ(gen::Sha256Hex("addisonsld1yGtd"), "48df5229235ada28389b91e60a935e4f9b73eb4bdb855ef9258a1751f10bdc5d");
  Generator g;
  const std::regex salt("^[A-Za-z0-9]{8}$");
  for (int64_t i = 0; i < 100; ++i) {
    User u = g.MakeUser("hash", 1, i);
    EXPECT_TRUE(std::regex_match(u.login.salt, salt)) << u.login.salt;
    EXPECT_EQ(u.login.md5, gen::Md5Hex(u.login.password + u.login.salt));
    EXPECT_EQ(u.login.sha1, gen::Sha1Hex(u.login.password + u.login.salt));
    EXPECT_EQ(u.login.sha256, gen::Sha256Hex(u.login.password + u.login.salt));
  }
}

TEST(GeneratorTest, RandomSeedWhenNoneGiven) {
  Generator g;
  Response a = Parse(g.Response(Request("", 1, 2)));
  Response b = Parse(g.Response(Request("", 1, 2)));
  ASSERT_TRUE(a.info && b.info);
  EXPECT_TRUE(std::regex_match(a.info->seed, std::regex("^[a-f0-9]{16}$"))) << a.info->seed;
  EXPECT_NE(a.info->seed, b.info->seed);
  // The echoed seed replays the same users.
  Response again = Parse(g.Response(Request(a.info->seed, 1, 2)));
  EXPECT_EQ(again.records[0].raw, a.records[0].raw);
  EXPECT_EQ(again.records[1].raw, a.records[1].raw);
}

TEST(GeneratorTest, GenderOnlyWithoutSeed) {
  Generator g;
  GeneratorRequest r = Request("", 1, 100);
  r.gender = "female";
  std::vector<User> women = ParseUsers(g.Response(r));
  EXPECT_EQ(women.size(), 100u);
  for (const User& user : women) EXPECT_EQ(user.gender, "female");
  r.seed = "seeded";
  std::set<std::string> genders;
  for (const User& user : ParseUsers(g.Response(r))) genders.insert(user.gender);
  EXPECT_EQ(genders, (std::set<std::string>{"female", "male"}));
}

TEST(GeneratorTest, NatFilter) {
  Generator g;
  GeneratorRequest r = Request("nats", 1, 200);
  r.nats = {"NO", "IR"};
  std::set<std::string> nats;
  for (const User& user : ParseUsers(g.Response(r))) nats.insert(user.nat);
  EXPECT_EQ(nats, (std::set<std::string>{"IR", "NO"}));
}

TEST(GeneratorTest, IncExcLeaveFieldsOutAndNoinfoTheInfo) {
  Generator g;
  GeneratorRequest r = Request("fields", 1, 3);
  r.fields = static_cast<uint16_t>(UserField::kLogin) | static_cast<uint16_t>(UserField::kNat);
  r.noinfo = true;
  std::string body = g.Response(r);
  EXPECT_EQ(body.find("\"info\""), std::string::npos);
  EXPECT_EQ(body.find("\"gender\""), std::string::npos);
  EXPECT_EQ(body.find("\"email\""), std::string::npos);
  Response parsed = Parse(body);
  EXPECT_FALSE(parsed.info.has_value());
  ASSERT_EQ(parsed.records.size(), 3u);
  for (const auto& record : parsed.records) {
    auto user = ParseUser(record.raw);
    ASSERT_TRUE(user.ok()) << user.status();
    EXPECT_EQ(user->present, r.fields);
    EXPECT_THAT(record.raw, StartsWith("{\"login\":{\"uuid\":"));
  }
}

TEST(GeneratorTest, RequestFromQueryIsAsLenientAsTheApi) {
  auto query = [](std::map<std::string, std::string> params) {
    return RequestFromQuery([params](std::string_view name) -> std::optional<std::string> {
      auto it = params.find(std::string(name));
      if (it == params.end()) return std::nullopt;
      return it->second;
    });
  };
  EXPECT_EQ(query({}).results, 1);
  EXPECT_EQ(query({}).page, 1);
  EXPECT_EQ(query({}).fields, kAllUserFields);
  EXPECT_FALSE(query({}).noinfo);
  for (std::string bad : {"0", "5001", "-2", "abc", "2.5", ""}) EXPECT_EQ(query({{"results", bad}}).results, 1) << bad;
  EXPECT_EQ(query({{"results", "5000"}}).results, 5000);
  for (std::string bad : {"0", "10001", "-3", "x"}) EXPECT_EQ(query({{"page", bad}}).page, 1) << bad;
  EXPECT_EQ(query({{"page", "10000"}}).page, 10000);
  EXPECT_EQ(query({{"nat", "us,GB"}}).nats, (std::vector<std::string>{"US", "GB"}));
  EXPECT_EQ(query({{"nationality", "fi"}}).nats, (std::vector<std::string>{"FI"}));
  EXPECT_TRUE(query({{"nat", "us,xx"}}).nats.empty());
  EXPECT_EQ(query({{"gender", "female"}}).gender, "female");
  EXPECT_EQ(query({{"gender", "other"}}).gender, "");
  EXPECT_EQ(query({{"seed", "abc"}}).seed, "abc");
  EXPECT_EQ(query({{"inc", "gender, NAME,bogus"}}).fields,
            static_cast<uint16_t>(UserField::kGender) | static_cast<uint16_t>(UserField::kName));
  EXPECT_EQ(query({{"exc", "login,id"}}).fields,
            kAllUserFields & ~static_cast<uint16_t>(UserField::kLogin) & ~static_cast<uint16_t>(UserField::kId));
  EXPECT_EQ(query({{"inc", "login,id"}, {"exc", "id"}}).fields, static_cast<uint16_t>(UserField::kLogin));
  EXPECT_TRUE(query({{"noinfo", ""}}).noinfo);
}

// Counts the kinds of Records() over many users at `rate`.
std::map<BadRecordKind, int> KindsOf(const std::vector<GeneratedRecord>& records) {
  std::map<BadRecordKind, int> kinds;
  for (const auto& r : records) ++kinds[r.bad];
  return kinds;
}

TEST(GeneratorTest, BadRecordsAtTheRateAskedReproducibly) {
  Generator g(0.2);
  GeneratorRequest r = Request("bad", 4, 5000);
  std::vector<GeneratedRecord> records = g.Records(r, 0, 5000);
  std::map<BadRecordKind, int> kinds = KindsOf(records);
  int bad = 5000 - kinds[BadRecordKind::kNone];
  // Binomial(5000, 0.2): mean 1000, sd 28; these bounds are 4 sd wide.
  EXPECT_GT(bad, 887);
  EXPECT_LT(bad, 1113);
  for (auto kind :
       {BadRecordKind::kMalformed, BadRecordKind::kMissing, BadRecordKind::kInvalidEmail, BadRecordKind::kWrongType}) {
    EXPECT_GT(kinds[kind], 150) << BadRecordKindName(kind);
  }
  // The same request gives the same bad records, byte for byte.
  std::vector<GeneratedRecord> again = Generator(0.2).Records(r, 0, 5000);
  for (size_t i = 0; i < records.size(); ++i) {
    ASSERT_EQ(records[i].text, again[i].text) << i;
    ASSERT_EQ(records[i].bad, again[i].bad) << i;
  }
  // A different page has its bad records elsewhere.
  std::vector<GeneratedRecord> other = g.Records(Request("bad", 5, 5000), 0, 5000);
  int same_positions = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    same_positions += records[i].bad != BadRecordKind::kNone && other[i].bad != BadRecordKind::kNone;
  }
  EXPECT_LT(same_positions, 300);  // about 0.2 * 0.2 * 5000 = 200 by chance
}

TEST(GeneratorTest, EachBadKindFailsTheWayItClaims) {
  Generator g(1.0);
  std::vector<GeneratedRecord> records = g.Records(Request("kinds", 1, 2000), 0, 2000);
  const std::regex valid_email(R"(^[^@\s]+@[^@\s]+\.[^@\s]+$)");
  std::map<std::string, int> outcomes;
  for (const auto& r : records) {
    ASSERT_NE(r.bad, BadRecordKind::kNone);
    auto user = ParseUser(r.text);
    switch (r.bad) {
      case BadRecordKind::kMalformed:
        ASSERT_FALSE(user.ok()) << r.text;
        EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kMalformedJson) << user.status();
        break;
      case BadRecordKind::kMissing:
        if (!user.ok()) {
          EXPECT_EQ(user.status().message(), "login.uuid: missing");
          ++outcomes["no uuid"];
        } else {
          EXPECT_TRUE(!user->Has(UserField::kEmail) || !user->Has(UserField::kName)) << r.text;
          ++outcomes[user->Has(UserField::kEmail) ? "no name" : "no email"];
        }
        break;
      case BadRecordKind::kInvalidEmail:
        ASSERT_TRUE(user.ok()) << user.status();
        EXPECT_FALSE(std::regex_match(user->email, valid_email)) << user->email;
        break;
      case BadRecordKind::kWrongType:
        ASSERT_FALSE(user.ok()) << r.text;
        EXPECT_EQ(ClassifyUserError(user.status()), dlq_reason::kWrongType) << user.status();
        ++outcomes[user.status().message().substr(0, user.status().message().find(':'))];
        break;
      case BadRecordKind::kNone:
        break;
    }
  }
  for (auto what : {"no uuid", "no name", "no email", "dob.date", "name", "location.street.number"}) {
    EXPECT_GT(outcomes[what], 20) << what;
  }
}

TEST(GeneratorTest, WholeResponsesNeverCarryMalformedRecords) {
  Generator g(0.5);
  std::string body = g.Response(Request("body", 1, 2000));
  Response r = Parse(body);
  ASSERT_EQ(r.records.size(), 2000u);
  int bad = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    BadRecordKind kind = g.BadKindOf("body", 1, i, /*allow_malformed=*/false);
    EXPECT_NE(kind, BadRecordKind::kMalformed);
    // The same records are bad as in the per-record texts (malformed ones corrupted otherwise).
    EXPECT_EQ(kind == BadRecordKind::kNone, g.BadKindOf("body", 1, i, true) == BadRecordKind::kNone);
    bad += kind != BadRecordKind::kNone;
  }
  EXPECT_GT(bad, 900);
  EXPECT_LT(bad, 1100);
}

TEST(GeneratorTest, NoBadRecordsAtRateZero) {
  auto kinds = KindsOf(Generator(0.0).Records(Request("clean", 1, 1000), 0, 1000));
  EXPECT_EQ(kinds[BadRecordKind::kNone], 1000);
}

}  // namespace
}  // namespace rtpipe
