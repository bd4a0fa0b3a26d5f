#include "rtpipe/base/time.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Iso8601, RoundTripsApiDates) {
  auto t = ParseIso8601("1992-03-08T15:13:16.688Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(ToMillis(*t), 700067596688);
  EXPECT_EQ(FormatIso8601(*t), "1992-03-08T15:13:16.688Z");
}

TEST(Iso8601, FormatsEdgesOfTheDayAndYear) {
  EXPECT_EQ(FormatIso8601(TimestampFromMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("1999-12-31T23:59:59.999Z")), "1999-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("1950-06-15T07:08:09.010Z")), "1950-06-15T07:08:09.010Z");
  EXPECT_EQ(FormatIso8601(*ParseIso8601("2024-02-29T12:00:00Z")), "2024-02-29T12:00:00.000Z");
}

TEST(Iso8601, AcceptsOffsetsAndMissingFraction) {
  auto a = ParseIso8601("2007-07-09T07:51:59+02:00");
  auto b = ParseIso8601("2007-07-09T05:51:59Z");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

TEST(Iso8601, RejectsImpossibleAndMalformedDates) {
  for (const char* bad :
       {"", "1992-03-08", "1992-02-30T00:00:00Z", "1992-13-01T00:00:00Z", "1992-03-08T25:00:00Z",
        "1992-03-08T15:13:16.688", "1992-03-08T15:13:16.Z", "1992-03-08T15:13:16.688Zjunk", "abcd-03-08T15:13:16Z"}) {
    EXPECT_FALSE(ParseIso8601(bad).ok()) << bad;
  }
}

TEST(Duration, FormatsHumanUnits) {
  using namespace std::chrono_literals;
  EXPECT_EQ(FormatDuration(250ms), "250.0ms");
  EXPECT_EQ(FormatDuration(1500ms), "1.50s");
  EXPECT_EQ(FormatDuration(192s), "3m12s");
}

TEST(ManualClock, MovesOnlyWhenAdvanced) {
  ManualClock clock(TimestampFromMillis(1000));
  EXPECT_EQ(ToMillis(clock.Now()), 1000);
  clock.Advance(std::chrono::milliseconds(500));
  EXPECT_EQ(ToMillis(clock.Now()), 1500);
}

}  // namespace
}  // namespace rtpipe
