#include "rtpipe/base/status.h"

#include <gtest/gtest.h>

#include "rtpipe/base/result.h"

namespace rtpipe {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("{} is not positive", v);
  return v;
}

Result<int> Doubled(int v) {
  RTPIPE_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status CheckTwice(int v) {
  RTPIPE_RETURN_IF_ERROR(ParsePositive(v));
  RTPIPE_RETURN_IF_ERROR(Doubled(v));
  return Status::OK();
}

TEST(Status, OkIsDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(Status, FactoriesFormatAndCarryCode) {
  Status s = Status::Corruption("CRC mismatch at {}", 4096);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.ToString(), "Corruption: CRC mismatch at 4096");
  EXPECT_EQ(s.WithContext("opening segment 0").message(), "opening segment 0: CRC mismatch at 4096");
}

TEST(Status, RetryableCodes) {
  EXPECT_TRUE(Status::Unavailable("x").IsRetryable());
  EXPECT_TRUE(Status::Timeout("x").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("x").IsRetryable());
}

TEST(Result, ValueAndErrorPropagate) {
  EXPECT_EQ(*Doubled(21), 42);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "-1 is not positive");
  EXPECT_EQ(bad.ValueOr(7), 7);
  EXPECT_TRUE(CheckTwice(3).ok());
  EXPECT_EQ(CheckTwice(0).code(), StatusCode::kInvalidArgument);
}

// Built in place: the value is constructed inside the Result, never moved there.
TEST(Result, InPlaceBuildsTheValueWhereItLives) {
  struct Unmovable {
    explicit Unmovable(int v) : value(v) {}
    Unmovable(Unmovable&&) = delete;
    int value;
  };
  Result<Unmovable> built(std::in_place, 5);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(built->value, 5);
  Result<std::string> text(std::in_place, 3, 'x');
  EXPECT_EQ(*text, "xxx");
}

TEST(ResultDeathTest, ValueOfFailureAborts) {
  Result<int> bad = Status::NotFound("nothing");
  EXPECT_DEATH((void)bad.value(), "value\\(\\) of a failed Result");
}

}  // namespace
}  // namespace rtpipe
