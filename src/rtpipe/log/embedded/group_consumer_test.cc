// The embedded log's consumer-group member: one per group, owning every partition; where it
// starts (the listener's offsets, else the group's committed ones, else the start); commits;
// OnRevoked on Close; a second member of the same group is refused until the first closes.

#include "rtpipe/log/embedded/group_consumer.h"

#include <gtest/gtest.h>

#include "rtpipe/log/embedded/testing/log_test_util.h"

namespace rtpipe::embedded {
namespace {

using rtpipe::testing::FaultInjectionFileSystem;
using rtpipe::testing::kMemRoot;
using rtpipe::testing::MemOptions;
using rtpipe::testing::Numbered;
using rtpipe::testing::TestConfig;

class Listener : public RebalanceListener {
 public:
  Result<std::map<TopicPartition, Offset>> OnAssigned(const std::vector<TopicPartition>& partitions) override {
    assigned = partitions;
    if (!fail.ok()) return fail;
    return starts;
  }
  void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) override {
    revoked = partitions;
    revoked_lost = lost;
    if (consumer != nullptr) commit_on_revoke = consumer->Commit(consumer->Positions());
  }

  std::map<TopicPartition, Offset> starts;
  Status fail;
  std::vector<TopicPartition> assigned;
  std::vector<TopicPartition> revoked;
  bool revoked_lost = true;
  GroupConsumer* consumer = nullptr;
  Status commit_on_revoke = Status::Internal("not called");
};

class EmbeddedGroupConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = OpenEmbeddedLog(kMemRoot, TestConfig(), LogAccess::kReadWrite, MemOptions(&fs_));
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    ASSERT_TRUE(log_->CreateTopic({"t", 3}).ok());
    auto producer = log_->NewProducer();
    ASSERT_TRUE(producer.ok());
    for (int p = 0; p < 3; ++p) ASSERT_TRUE((*producer)->Append("t", PartitionId(p), Numbered("v", 0, 10)).ok());
  }

  std::vector<ConsumedRecord> PollAll(GroupConsumer& consumer) {
    std::vector<ConsumedRecord> all;
    while (true) {
      auto got = consumer.Poll(100, std::chrono::milliseconds(0), {});
      EXPECT_TRUE(got.ok()) << got.status();
      if (!got.ok() || got->empty()) return all;
      all.insert(all.end(), got->begin(), got->end());
    }
  }

  FaultInjectionFileSystem fs_;
  std::unique_ptr<EmbeddedLog> log_;
};

const TopicPartition kP0{"t", PartitionId(0)}, kP1{"t", PartitionId(1)}, kP2{"t", PartitionId(2)};

TEST_F(EmbeddedGroupConsumerTest, OwnsEveryPartitionAndStartsWhereTheListenerOrTheGroupSays) {
  ASSERT_TRUE(log_->CommitOffsets("g", {{kP1, Offset(4)}}).ok());
  Listener listener;
  listener.starts = {{kP0, Offset(7)}};  // p1: the group's commit (4); p2: the start (0)
  auto consumer = log_->NewGroupConsumer("g", {"t"}, listener);
  ASSERT_TRUE(consumer.ok()) << consumer.status();
  listener.consumer = consumer->get();
  EXPECT_TRUE((*consumer)->Positions().empty()) << "nothing is owned before the first poll";
  auto records = PollAll(**consumer);
  std::vector<TopicPartition> all = {kP0, kP1, kP2};
  EXPECT_EQ(listener.assigned, all);
  std::map<int32_t, int> count;
  for (const auto& r : records) ++count[r.partition.value()];
  EXPECT_EQ(count[0], 3);   // 7..9
  EXPECT_EQ(count[1], 6);   // 4..9
  EXPECT_EQ(count[2], 10);  // 0..9
  std::map<TopicPartition, Offset> ends = {{kP0, Offset(10)}, {kP1, Offset(10)}, {kP2, Offset(10)}};
  EXPECT_EQ((*consumer)->Positions(), ends);

  ASSERT_TRUE((*consumer)->Close().ok());
  EXPECT_EQ(listener.revoked, all);
  EXPECT_FALSE(listener.revoked_lost);
  EXPECT_TRUE(listener.commit_on_revoke.ok()) << listener.commit_on_revoke;
  auto committed = log_->CommittedOffsets("g", "t");
  ASSERT_TRUE(committed.ok());
  EXPECT_EQ(*committed, ends);
  EXPECT_EQ((*consumer)->Poll(1, std::chrono::milliseconds(0), {}).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(EmbeddedGroupConsumerTest, ASecondMemberOfTheGroupIsRefusedUntilTheFirstCloses) {
  Listener first_listener, second_listener;
  auto first = log_->NewGroupConsumer("g", {"t"}, first_listener);
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = log_->NewGroupConsumer("g", {"t"}, second_listener);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("one member per group"), std::string::npos) << second.status();
  Listener other_group;
  EXPECT_TRUE(log_->NewGroupConsumer("h", {"t"}, other_group).ok()) << "another group is independent";
  first->reset();  // the destructor closes it
  EXPECT_TRUE(log_->NewGroupConsumer("g", {"t"}, second_listener).ok());
}

TEST_F(EmbeddedGroupConsumerTest, AListenerFailureFailsThePollAndCommitsNeedOwnedPartitions) {
  Listener listener;
  listener.fail = Status::Unavailable("store down");
  auto consumer = log_->NewGroupConsumer("g", {"t"}, listener);
  ASSERT_TRUE(consumer.ok());
  auto polled = (*consumer)->Poll(10, std::chrono::milliseconds(0), {});
  ASSERT_FALSE(polled.ok());
  EXPECT_NE(polled.status().message().find("store down"), std::string::npos) << polled.status();
  listener.fail = Status::OK();
  EXPECT_EQ(PollAll(**consumer).size(), 30u) << "the next poll asks the listener again";
  EXPECT_EQ((*consumer)->Commit({{{"other", PartitionId(0)}, Offset(1)}}).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(log_->NewGroupConsumer("g", {"missing"}, listener).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rtpipe::embedded
