#include "rtpipe/base/json.h"

#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Json, EscapesWhatRfc8259Requires) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\t\x01 d'é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 d'é\"");
}

TEST(Json, Utf8Validation) {
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("مریم"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));      // truncated
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(Json, Base64) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace rtpipe
