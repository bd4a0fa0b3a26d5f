#include "rtpipe/log/embedded/crc32c.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace rtpipe::embedded {
namespace {

TEST(Crc32cTest, KnownAnswers) {
  // The check value of CRC-32C (RFC 3720 appendix B.4 and every CRC catalogue).
  EXPECT_EQ(Crc32c("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32cPortable(0, "123456789", 9), 0xE3069283u);
  EXPECT_EQ(Crc32c(""), 0u);
  // RFC 3720 B.4: 32 bytes of zeros, and 32 bytes of 0xFF.
  EXPECT_EQ(Crc32c(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(Crc32cTest, HardwareAndPortableAgreeOnEveryLengthAndAlignment) {
  std::mt19937 rng(7);
  std::string data((1 << 20) + 16, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  for (size_t offset = 0; offset < 9; ++offset) {
    for (size_t len :
         {0, 1, 7, 8, 9, 23, 24, 25, 63, 64, 100, 1000, 3071, 3072, 3073, 4096, 6144, 9999, 65536 + 13, 1 << 20}) {
      EXPECT_EQ(Crc32c(0, data.data() + offset, len), Crc32cPortable(0, data.data() + offset, len))
          << "offset " << offset << " length " << len;
    }
  }
}

TEST(Crc32cTest, ContinuesAcrossPieces) {
  std::string a = "Kafka RecordBatch ";
  std::string b = "v2 uses CRC-32C";
  EXPECT_EQ(Crc32c(Crc32c(a), b.data(), b.size()), Crc32c(a + b));
}

}  // namespace
}  // namespace rtpipe::embedded
