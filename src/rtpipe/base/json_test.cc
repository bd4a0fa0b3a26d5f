#include "rtpipe/base/json.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace rtpipe {
namespace {

TEST(Json, EscapesWhatRfc8259Requires) {
  std::string out;
  AppendJsonString(out, "a\"b\\c\n\t\x01 d'é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\t\\u0001 d'é\"");
}

// Every byte value at every position of a text longer than two words (the scan reads 8 bytes at a
// time): escaped exactly when RFC 8259 requires it, and nothing around it is lost or escaped.
TEST(Json, EscapesEveryByteWhereverItIs) {
  auto escaped = [](unsigned char c) -> std::string {
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\r':
        return "\\r";
      case '\t':
        return "\\t";
      case '\b':
        return "\\b";
      case '\f':
        return "\\f";
      default:
        return c < 0x20 ? fmt::format("\\u{:04x}", c) : std::string(1, static_cast<char>(c));
    }
  };
  const std::string base = "abcdefghijklmnopqrst";
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < base.size(); ++at) {
      std::string text = base;
      text[at] = static_cast<char>(c);
      std::string out;
      AppendJsonString(out, text);
      const std::string want =
          "\"" + base.substr(0, at) + escaped(static_cast<unsigned char>(c)) + base.substr(at + 1) + "\"";
      ASSERT_EQ(out, want) << "byte " << c << " at " << at;
    }
  }
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
