#include "rtpipe/base/bounded_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace rtpipe {
namespace {

TEST(BoundedQueue, FullQueueBlocksProducerUntilConsumerTakes) {
  BoundedQueue<int> q(2);
  std::stop_source stop;
  ASSERT_TRUE(q.Push(1, stop.get_token()));
  ASSERT_TRUE(q.Push(2, stop.get_token()));
  std::atomic<bool> third_pushed{false};
  std::thread producer([&] {
    EXPECT_TRUE(q.Push(3, stop.get_token()));
    third_pushed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(third_pushed.load()) << "a full queue must block its producer";
  EXPECT_EQ(*q.Pop(stop.get_token()), 1);
  producer.join();
  EXPECT_TRUE(third_pushed.load());
  EXPECT_EQ(q.size(), 2u);
}

TEST(BoundedQueue, StopReleasesBlockedProducerAndConsumer) {
  BoundedQueue<int> q(1);
  std::stop_source stop;
  ASSERT_TRUE(q.Push(1, stop.get_token()));
  std::thread producer([&] { EXPECT_FALSE(q.Push(2, stop.get_token())); });
  BoundedQueue<int> empty(1);
  std::thread consumer([&] { EXPECT_FALSE(empty.Pop(stop.get_token()).has_value()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  stop.request_stop();
  producer.join();
  consumer.join();
}

TEST(BoundedQueue, TakeAvailableNeverWaits) {
  BoundedQueue<int> q(4);
  std::stop_source stop;
  EXPECT_TRUE(q.TakeAvailable(10).empty());
  for (int i = 1; i <= 3; ++i) ASSERT_TRUE(q.Push(i, stop.get_token()));
  EXPECT_EQ(q.TakeAvailable(2), (std::vector<int>{1, 2}));
  EXPECT_EQ(q.TakeAvailable(2), (std::vector<int>{3}));
}

TEST(BoundedQueue, CloseDrainsThenEnds) {
  BoundedQueue<int> q(4);
  std::stop_source stop;
  ASSERT_TRUE(q.Push(7, stop.get_token()));
  q.Close();
  EXPECT_FALSE(q.Push(8, stop.get_token()));
  EXPECT_EQ(*q.Pop(stop.get_token()), 7);
  EXPECT_FALSE(q.Pop(stop.get_token()).has_value());
}

}  // namespace
}  // namespace rtpipe
