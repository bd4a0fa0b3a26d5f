#include "rtpipe/config/values.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

using std::chrono::milliseconds;

TEST(Values, Durations) {
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("1m30s"), milliseconds(90'000));
  EXPECT_EQ(*ParseDuration("7d"), milliseconds(7LL * 86'400'000));
  EXPECT_EQ(*ParseDuration("0"), milliseconds(0));
  for (const char* bad : {"", "5", "ms", "5 s", "-5s", "1.5s", "5sec"}) EXPECT_FALSE(ParseDuration(bad).ok()) << bad;
  EXPECT_EQ(DurationText(milliseconds(90'000)), "90s");
  EXPECT_EQ(DurationText(milliseconds(3'600'000)), "1h");
}

TEST(Values, ByteSizes) {
  EXPECT_EQ(*ParseByteSize("128MiB"), 128LL << 20);
  EXPECT_EQ(*ParseByteSize("10MB"), 10'000'000);
  EXPECT_EQ(*ParseByteSize("4096"), 4096);
  EXPECT_EQ(*ParseByteSize("-1"), -1);
  for (const char* bad : {"", "MiB", "1.5GiB", "12 MiB", "-2"}) EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  EXPECT_EQ(ByteSizeText(128LL << 20), "128MiB");
}

TEST(Values, IntsBoolsEnums) {
  EXPECT_EQ(*ParseInt("42", 1, 100), 42);
  EXPECT_FALSE(ParseInt("0", 1, 100).ok());
  EXPECT_FALSE(ParseInt("4x", 1, 100).ok());
  EXPECT_TRUE(*ParseBool("yes"));
  EXPECT_FALSE(*ParseBool("off"));
  EXPECT_FALSE(ParseBool("maybe").ok());
  EXPECT_EQ(ParseEnum("lz5", {"none", "lz4"}).status().message(), "expected one of: none, lz4");
}

}  // namespace
}  // namespace rtpipe
