#include "rtpipe/log/embedded/metadata.h"

#include <gtest/gtest.h>

namespace rtpipe::embedded {
namespace {

TEST(MetadataTest, RoundTrips) {
  TopicMeta meta{4, 1'700'000'000'000};
  EXPECT_EQ(*DecodeTopicMeta(EncodeTopicMeta(meta)), meta);
  RecoveryPoint point{1000, 123456, 2000, 1'700'000'000'123, 77, 30, 29};
  EXPECT_EQ(*DecodeRecoveryPoint(EncodeRecoveryPoint(point)), point);
  GroupOffsets offsets{{{"users_created", PartitionId(0)}, Offset(10)},
                       {{"users_created", PartitionId(3)}, Offset(7)},
                       {{"other", PartitionId(1)}, Offset(0)}};
  EXPECT_EQ(*DecodeGroupOffsets(EncodeGroupOffsets(offsets)), offsets);
  EXPECT_TRUE(DecodeGroupOffsets(EncodeGroupOffsets({}))->empty());
}

TEST(MetadataTest, AnyDamageIsCorruption) {
  std::string bytes = EncodeRecoveryPoint({1000, 123456, 2000, 5, 77, 30, 29});
  for (size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = bytes;
      damaged[i] = static_cast<char>(damaged[i] ^ (1 << bit));
      EXPECT_EQ(DecodeRecoveryPoint(damaged).status().code(), StatusCode::kCorruption) << i << ":" << bit;
    }
  }
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_FALSE(DecodeRecoveryPoint(bytes.substr(0, len)).ok()) << len;
  }
  std::string group = EncodeGroupOffsets({{{"t", PartitionId(0)}, Offset(1)}});
  for (size_t len = 0; len < group.size(); ++len) EXPECT_FALSE(DecodeGroupOffsets(group.substr(0, len)).ok());
  EXPECT_FALSE(DecodeTopicMeta("RTPT").ok());
}

TEST(MetadataTest, EntityNamesAreSafeFileNames) {
  EXPECT_TRUE(CheckEntityName("topic", "users_created.dlq-1").ok());
  for (const char* bad : {"", ".", "..", "a/b", "a b", "ü"}) {
    EXPECT_EQ(CheckEntityName("topic", bad).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_FALSE(CheckEntityName("group", std::string(201, 'a')).ok());
}

}  // namespace
}  // namespace rtpipe::embedded
