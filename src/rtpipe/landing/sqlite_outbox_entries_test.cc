#include "rtpipe/landing/sqlite_outbox_entries.h"

#include <gtest/gtest.h>

#include <vector>

namespace rtpipe {
namespace {

std::string Encode(const std::vector<OutboxEntry>& entries) {
  std::string bytes;
  for (const auto& e : entries) AppendOutboxEntry(e, &bytes);
  return bytes;
}

std::vector<std::string> Decode(std::string_view bytes, int64_t count, Status* status) {
  std::vector<std::string> out;
  *status = ForEachOutboxEntry(bytes, count, 7, [&](const OutboxEntry& e) {
    out.push_back(fmt::format("{}|{}|{}|{}", e.key.value_or("(none)"), e.value, e.event_time_ms, e.ingested_us));
  });
  return out;
}

TEST(OutboxEntries, ReadBackAsWrittenWithOrWithoutAKey) {
  std::string big(70'000, 'v');
  std::string bytes = Encode({{"uuid-a", "{\"a\":1}", 1'700'000'000'123, 1'700'000'000'123'456},
                              {std::nullopt, "dead letter", -5, 0},
                              {"", "", 0, 1},
                              {"k", big, 1, 2}});
  Status status;
  auto entries = Decode(bytes, 4, &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0], "uuid-a|{\"a\":1}|1700000000123|1700000000123456");
  EXPECT_EQ(entries[1], "(none)|dead letter|-5|0");
  EXPECT_EQ(entries[2], "||0|1");
  EXPECT_EQ(entries[3], "k|" + big + "|1|2");
}

TEST(OutboxEntries, BytesThatAreNotTheCountOfEntriesAreCorruptionNamingTheRow) {
  std::string bytes = Encode({{"uuid-a", "value", 1, 2}, {"uuid-b", "value", 3, 4}});
  Status status;
  Decode(bytes, 3, &status);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.ToString().find("outbox row 7: entry 3 of 3"), std::string::npos) << status;

  Decode(bytes, 1, &status);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
  EXPECT_NE(status.ToString().find("after its 1 entries"), std::string::npos) << status;

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    Decode(std::string_view(bytes).substr(0, cut), 2, &status);
    EXPECT_EQ(status.code(), StatusCode::kCorruption) << "cut at " << cut;
  }

  std::string negative;
  AppendVarlong(&negative, 1);
  AppendVarlong(&negative, 2);
  AppendVarint(&negative, -2);  // a key size below -1
  Decode(negative, 1, &status);
  EXPECT_EQ(status.code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace rtpipe
