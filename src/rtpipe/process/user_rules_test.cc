#include "rtpipe/process/user_rules.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "rtpipe/model/dead_letter.h"

namespace rtpipe {
namespace {

Timestamp At(const char* iso) { return *ParseIso8601(iso); }

UsersCreatedMessage Sample() {
  UsersCreatedMessage m;
  m.id = "7a0eed16-9430-4d68-901f-c0d4c1c3bf00";
  m.first_name = "Jennie";
  m.last_name = "Nichols";
  m.gender = "female";
  m.address = "8929 Valwood Pkwy, Billings, Michigan, United States";
  m.post_code = "63104";
  m.email = "jennie.nichols@example.com";
  m.username = "yellowpeacock117";
  m.dob = "1992-03-08T15:13:16.688Z";
  m.registered_date = "2007-07-09T05:51:59.390Z";
  m.phone = "(272) 790-0888";
  m.picture = "https://randomuser.me/api/portraits/med/men/75.jpg";
  return m;
}

TEST(Cleanse, TrimsCollapsesLowercasesAndKeepsPhoneDigits) {
  UsersCreatedMessage m = Sample();
  m.first_name = "  Jennie ";
  m.address = "8929  Valwood\tPkwy,  Billings, Michigan, United States ";
  m.email = " Jennie.Nichols@Example.COM";
  m.gender = "FEMALE ";
  m.id = "7A0EED16-9430-4D68-901F-C0D4C1C3BF00";
  m.phone = "+44 (0)20 7946-0958";
  UsersCreatedMessage c = Cleanse(m);
  EXPECT_EQ(*c.first_name, "Jennie");
  EXPECT_EQ(*c.address, "8929 Valwood Pkwy, Billings, Michigan, United States");
  EXPECT_EQ(*c.email, "jennie.nichols@example.com");
  EXPECT_EQ(*c.gender, "female");
  EXPECT_EQ(*c.id, "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
  EXPECT_EQ(*c.phone,
            "+440207946095"
            "8");
  EXPECT_EQ(*Cleanse(Sample()).phone, "2727900888");
}

TEST(Cleanse, WhitespaceIsTidiedWhereverItIs) {
  // Every whitespace character, alone or doubled, at every place in values of 1 to 20 bytes (so
  // inside, across and after the 8-byte words the check reads), and next to non-ASCII bytes;
  // compared with a plain reference: the words split on whitespace, joined by single spaces.
  auto reference = [](const std::string& text) {
    std::string out, word;
    std::istringstream in(text);
    while (in >> word) out += (out.empty() ? "" : " ") + word;
    return out;
  };
  for (std::string_view space : {" ", "  ", "\t", "\n", "\r", "\f", "\v", " \t"}) {
    for (std::string_view letter : {"a", "\xc3\xa9"}) {
      for (size_t n = 1; n <= 20; ++n) {
        std::string base;
        for (size_t i = 0; i < n; ++i) base += letter;
        for (size_t at = 0; at <= base.size(); at += letter.size()) {
          std::string value = base;
          value.insert(at, space);
          UsersCreatedMessage m = Sample();
          m.first_name = value;
          EXPECT_EQ(*Cleanse(m).first_name, reference(value)) << "\"" << value << "\"";
        }
        UsersCreatedMessage m = Sample();
        m.first_name = base;
        EXPECT_EQ(*Cleanse(m).first_name, base);
      }
    }
  }
}

TEST(Cleanse, ADoubledSpaceAmongSingleOnesIsFoundWhereverItIs) {
  // Values of words and single spaces ("a a a", "aa aa aa", "aaa aaa"), 1 to 24 bytes, with one
  // space doubled at each place in turn: the words the check reads overlap by a byte, so a pair
  // across two is seen.
  for (size_t period : {2, 3, 4}) {
    for (size_t n = 1; n <= 24; ++n) {
      std::string base;
      for (size_t i = 0; i < n; ++i) base += i % period == period - 1 ? ' ' : 'a';
      while (base.back() == ' ') base.pop_back();
      UsersCreatedMessage tidy = Sample();
      tidy.first_name = base;
      EXPECT_EQ(*Cleanse(tidy).first_name, base);
      for (size_t at = 0; at < base.size(); ++at) {
        if (base[at] != ' ') continue;
        UsersCreatedMessage m = Sample();
        m.first_name = base.substr(0, at) + " " + base.substr(at);
        EXPECT_EQ(*Cleanse(m).first_name, base) << "\"" << *m.first_name << "\"";
      }
    }
  }
}

TEST(Cleanse, ACapitalIsLoweredWhereverItIs) {
  for (size_t n = 1; n <= 20; ++n) {
    for (size_t at = 0; at < n; ++at) {
      for (char capital : {'A', 'M', 'Z'}) {
        std::string email(n, 'x');
        email[at] = capital;
        UsersCreatedMessage m = Sample();
        m.email = email;
        m.id = email;
        std::string lowered(n, 'x');
        lowered[at] = static_cast<char>(capital - 'A' + 'a');
        UsersCreatedMessage c = Cleanse(m);
        EXPECT_EQ(*c.email, lowered);
        EXPECT_EQ(*c.id, lowered);
      }
    }
  }
  UsersCreatedMessage m = Sample();
  m.email = "\xc3\x89MILE@[@\x7f`{.Example.ORG";  // bytes next to 'A'..'Z' stay as they are
  EXPECT_EQ(*Cleanse(m).email, "\xc3\x89mile@[@\x7f`{.example.org");
}

TEST(Cleanse, APhoneWithoutDigitsBecomesEmpty) {
  for (std::string_view phone : {"", "+", "+ ()", "-"}) {
    UsersCreatedMessage m = Sample();
    m.phone = phone;
    EXPECT_EQ(*Cleanse(m).phone, "") << phone;
  }
}

TEST(Validate, AcceptsTheSampleAndNamesTheFirstProblem) {
  EXPECT_FALSE(Validate(Cleanse(Sample())).has_value());

  UsersCreatedMessage missing = Sample();
  missing.email.reset();
  auto r = Validate(Cleanse(missing));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, dlq_reason::kMissingField);
  EXPECT_EQ(r->detail, "email is missing");

  UsersCreatedMessage empty = Sample();
  empty.last_name = "   ";
  r = Validate(Cleanse(empty));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->detail, "last_name is empty");

  UsersCreatedMessage bad_id = Sample();
  bad_id.id = "7a0eed16-9430-4d68-901f";
  EXPECT_EQ(Validate(Cleanse(bad_id))->reason, dlq_reason::kInvalidUuid);

  UsersCreatedMessage bad_email = Sample();
  bad_email.email = "jennie.nichols.example.com";
  EXPECT_EQ(Validate(Cleanse(bad_email))->reason, dlq_reason::kInvalidEmail);

  UsersCreatedMessage bad_date = Sample();
  bad_date.dob = "1992-02-30T00:00:00.000Z";
  r = Validate(Cleanse(bad_date));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->reason, dlq_reason::kInvalidDate);
  EXPECT_EQ(r->detail, "dob \"1992-02-30T00:00:00.000Z\" is not an ISO-8601 timestamp");
}

TEST(Email, SyntaxRules) {
  for (const char* ok :
       {"a@b.co", "o'connor@example.com", "anne-marie@example.com", "a..b@example.com", "x+tag@sub.example.org"}) {
    EXPECT_TRUE(IsValidEmail(ok)) << ok;
  }
  for (const char* bad : {"", "@example.com", "a@", "a@b", "a@@b.com", "a@b@c.com", "a b@example.com", ".a@example.com",
                          "a.@example.com", "a@-b.com", "a@b-.com", "a@b..com", "a@b_c.com"}) {
    EXPECT_FALSE(IsValidEmail(bad)) << bad;
  }
}

TEST(Enrich, ComputesAgeBandDomainCountryNatAndTenureAtEventTime) {
  // Event on 2026-03-08 at 10:00 UTC: the 34th birthday (15:13 the same day) counts on its day.
  CreatedUser row = Enrich(Cleanse(Sample()), At("2026-03-08T10:00:00.000Z"));
  EXPECT_EQ(row.age, 34);
  EXPECT_EQ(row.age_band, "25-34");
  EXPECT_EQ(row.email_domain, "example.com");
  EXPECT_EQ(row.country, "United States");
  EXPECT_EQ(row.nat, "US");
  // 2007-07-09T05:51:59.390Z -> 2026-03-08T10:00:00Z: 6817 whole days.
  EXPECT_EQ(row.tenure_days, 6817);
  EXPECT_EQ(FormatIso8601(row.event_time), "2026-03-08T10:00:00.000Z");
  // The day before the birthday: still 33.
  EXPECT_EQ(Enrich(Cleanse(Sample()), At("2026-03-07T23:59:59.999Z")).age, 33);
}

TEST(Enrich, UnknownCountryLeavesNatEmpty) {
  UsersCreatedMessage m = Sample();
  m.address = "1 Main St, Springfield, Somewhere, Atlantis";
  CreatedUser row = Enrich(Cleanse(m), At("2026-01-01T00:00:00.000Z"));
  EXPECT_EQ(row.country, "Atlantis");
  EXPECT_EQ(row.nat, "");
}

TEST(AgeBands, Boundaries) {
  EXPECT_EQ(AgeBand(17), "<18");
  EXPECT_EQ(AgeBand(18), "18-24");
  EXPECT_EQ(AgeBand(24), "18-24");
  EXPECT_EQ(AgeBand(25), "25-34");
  EXPECT_EQ(AgeBand(64), "55-64");
  EXPECT_EQ(AgeBand(65), "65+");
}

TEST(ProcessMessage, RejectsMalformedAndWrongTypedValues) {
  auto outcome = ProcessMessage("{\"id\": \"x\"", At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(std::holds_alternative<Rejection>(outcome));
  EXPECT_EQ(std::get<Rejection>(outcome).reason, dlq_reason::kMalformedJson);

  outcome = ProcessMessage("[1,2,3]", At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(std::holds_alternative<Rejection>(outcome));
  EXPECT_EQ(std::get<Rejection>(outcome).reason, dlq_reason::kMalformedJson);

  std::string wrong = MessageJson(Sample());
  wrong.replace(wrong.find("\"63104\""), 7, "63104");
  outcome = ProcessMessage(wrong, At("2026-01-01T00:00:00Z"));
  ASSERT_TRUE(std::holds_alternative<Rejection>(outcome));
  EXPECT_EQ(std::get<Rejection>(outcome).reason, dlq_reason::kWrongType);
  EXPECT_NE(std::get<Rejection>(outcome).detail.find("post_code"), std::string::npos);
}

TEST(ProcessMessage, ValidMessageBecomesARow) {
  auto outcome = ProcessMessage(MessageJson(Sample()), At("2026-03-08T10:00:00.000Z"));
  ASSERT_TRUE(std::holds_alternative<CreatedUser>(outcome));
  const auto& row = std::get<CreatedUser>(outcome);
  EXPECT_EQ(row.id, "7a0eed16-9430-4d68-901f-c0d4c1c3bf00");
  EXPECT_EQ(row.phone, "2727900888");
  EXPECT_EQ(row.age, 34);
}

TEST(ProcessMessage, IntoARowGivesWhatTheStepsGiveOneByOne) {
  // The processor's path (decode once, dates read once, strings moved into the row) against
  // Cleanse, Validate and Enrich called one after another; into one row reused, so nothing of a
  // message is left in the row by the next.
  std::vector<UsersCreatedMessage> messages(6, Sample());
  messages[1].address = "1 Main St, Springfield, Somewhere, Atlantis";  // no nationality
  messages[2].email = "  Jennie.NICHOLS@Example.com ";
  messages[3].dob = "1992-13-08T15:13:16.688Z";  // rejected: not a date
  messages[4].registered_date = "yesterday";     // rejected: not a date
  messages[5].address = "no comma at all";       // no country
  const Timestamp at = At("2026-03-08T10:00:00.000Z");
  CreatedUser row;
  for (const UsersCreatedMessage& m : messages) {
    const std::string value = MessageJson(m);
    std::optional<Rejection> rejection = ProcessMessageInto(value, at, row);
    UsersCreatedMessage cleansed = Cleanse(m);
    std::optional<Rejection> expected = Validate(cleansed);
    ASSERT_EQ(rejection.has_value(), expected.has_value()) << value;
    if (rejection) {
      EXPECT_EQ(rejection->reason, expected->reason);
      EXPECT_EQ(rejection->detail, expected->detail);
      continue;
    }
    EXPECT_EQ(row, Enrich(cleansed, at)) << value;
  }
}

}  // namespace
}  // namespace rtpipe
