#include "rtpipe/base/uuid.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe {
namespace {

TEST(Uuid, TextFormOfEitherCase) {
  EXPECT_TRUE(IsUuid("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90"));
  EXPECT_TRUE(IsUuid("0B7D7F4E-4C1F-4A25-9C7E-2F3B1A6D8E90"));
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("0b7d7f4e4c1f4a259c7e2f3b1a6d8e90"));      // no dashes
  EXPECT_FALSE(IsUuid("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e9"));   // a digit short
  EXPECT_FALSE(IsUuid("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e9g"));  // not hex
  EXPECT_FALSE(IsUuid("0b7d7f4e-4c1f-4a25-9c7e2-f3b1a6d8e90"));  // dash misplaced
}

TEST(Uuid, CanonicalTextGivesItsSixteenBytes) {
  auto bytes = CanonicalUuidBytes("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e90");
  ASSERT_TRUE(bytes.has_value());
  EXPECT_EQ(std::string(bytes->data(), bytes->size()),
            std::string("\x0b\x7d\x7f\x4e\x4c\x1f\x4a\x25\x9c\x7e\x2f\x3b\x1a\x6d\x8e\x90", 16));
  auto ff = CanonicalUuidBytes("ffffffff-ffff-ffff-ffff-ffffffffffff");
  ASSERT_TRUE(ff.has_value());
  EXPECT_EQ(std::string(ff->data(), ff->size()), std::string(16, '\xff'));
}

TEST(Uuid, OnlyLowercaseTextIsCanonical) {
  EXPECT_FALSE(CanonicalUuidBytes("0B7D7F4E-4C1F-4A25-9C7E-2F3B1A6D8E90").has_value());
  EXPECT_FALSE(CanonicalUuidBytes("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8E90").has_value());
  EXPECT_FALSE(CanonicalUuidBytes("not a uuid").has_value());
  EXPECT_FALSE(CanonicalUuidBytes("0b7d7f4e-4c1f-4a25-9c7e-2f3b1a6d8e900").has_value());
}

}  // namespace
}  // namespace rtpipe
