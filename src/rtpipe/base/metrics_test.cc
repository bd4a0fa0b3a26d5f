#include "rtpipe/base/metrics.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Histogram, PercentilesWithinBucketPrecision) {
  Histogram h;
  for (int v = 1; v <= 10000; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 10000u);
  EXPECT_EQ(h.max(), 10000);
  EXPECT_NEAR(static_cast<double>(h.Percentile(50)), 5000.0, 5000 * 0.07);
  EXPECT_NEAR(static_cast<double>(h.Percentile(99)), 9900.0, 9900 * 0.07);
  EXPECT_EQ(h.Percentile(100), 10000);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (int v : {0, 1, 2, 3, 15}) h.Record(v);
  EXPECT_EQ(h.Percentile(20), 0);
  EXPECT_EQ(h.Percentile(60), 2);
  EXPECT_EQ(h.Percentile(100), 15);
}

TEST(Histogram, EmptyAndReset) {
  Histogram h;
  EXPECT_EQ(h.Percentile(99), 0);
  h.Record(123456789);
  EXPECT_NEAR(static_cast<double>(h.Percentile(50)), 123456789.0, 123456789 * 0.07);
  h.Reset();
  EXPECT_EQ(h.count(), 0u);
}

TEST(Counter, Adds) {
  Counter c;
  c.Add();
  c.Add(41);
  EXPECT_EQ(c.value(), 42u);
}

}  // namespace
}  // namespace rtpipe
