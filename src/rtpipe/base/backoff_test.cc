#include "rtpipe/base/backoff.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Backoff, GrowsWithJitterUpToMaxAndResets) {
  using std::chrono::milliseconds;
  Backoff b({milliseconds(100), milliseconds(1000), 2.0}, /*seed=*/7);
  int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000};
  for (int64_t ceiling : ceilings) {
    auto d = b.Next().count();
    EXPECT_GE(d, ceiling / 2);
    EXPECT_LE(d, ceiling);
  }
  EXPECT_EQ(b.attempts(), 6);
  b.Reset();
  EXPECT_LE(b.Next().count(), 100);
}

}  // namespace
}  // namespace rtpipe
