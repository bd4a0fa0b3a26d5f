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
  // Both writers, after text already written (so offsets other than 0 are exercised too).
  auto both = [](std::string_view text) {
    std::string appended = "x";
    AppendJsonString(appended, text);
    JsonWriter writer;
    writer.Char('x');
    writer.String(text);
    EXPECT_EQ(appended, writer.view()) << text;
    return appended;
  };
  const std::string base = "abcdefghijklmnopqrst";
  for (size_t size = 1; size <= base.size(); ++size) {
    for (int c = 0; c < 256; ++c) {
      for (size_t at = 0; at < size; ++at) {
        std::string text = base.substr(0, size);
        text[at] = static_cast<char>(c);
        const std::string want = "x\"" + base.substr(0, at) + escaped(static_cast<unsigned char>(c)) +
                                 base.substr(at + 1, size - at - 1) + "\"";
        ASSERT_EQ(both(text), want) << "byte " << c << " at " << at << " of " << size;
        // The same byte again at the end: an escape before the last word as well as in it.
        text.back() = static_cast<char>(c);
        const std::string twice = at + 1 == size ? want
                                                 : "x\"" + base.substr(0, at) + escaped(static_cast<unsigned char>(c)) +
                                                       base.substr(at + 1, size - at - 2) +
                                                       escaped(static_cast<unsigned char>(c)) + "\"";
        ASSERT_EQ(both(text), twice) << "byte " << c << " at " << at << " and last of " << size;
      }
    }
  }
}

TEST(JsonWriter, WritesPiecesInOrderAndGrowsPastItsFirstBuffer) {
  JsonWriter writer;
  writer.Char('[');
  writer.Int(-9223372036854775807 - 1);
  writer.Raw(",");
  writer.String("a\"b");
  writer.Char(']');
  EXPECT_EQ(writer.view(), R"([-9223372036854775808,"a\"b"])");
  writer.Clear();
  EXPECT_EQ(writer.view(), "");
  // 3000 quotes escape to 6000 bytes, more than the first buffer holds, after 100 bytes already written.
  const std::string quotes(3000, '"'), letters(100, 'a');
  writer.Raw(letters);
  writer.String(quotes);
  std::string want = letters + "\"";
  for (int i = 0; i < 3000; ++i) want += "\\\"";
  EXPECT_EQ(writer.view(), want + "\"");
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
