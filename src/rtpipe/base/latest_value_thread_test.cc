#include "rtpipe/base/latest_value_thread.h"

#include <gtest/gtest.h>

#include <future>
#include <vector>

namespace rtpipe {
namespace {

TEST(LatestValueThreadTest, RunsUnderItsNameOnEachValue) {
  std::promise<std::string> name;
  std::promise<int> value;
  LatestValueThread<int> thread("latest-test", [&](int v) {
    name.set_value(ThreadName());
    value.set_value(v);
    return true;
  });
  ASSERT_TRUE(thread.Hand(7));
  EXPECT_EQ(value.get_future().get(), 7);
  EXPECT_EQ(name.get_future().get(), "latest-test");
}

TEST(LatestValueThreadTest, ValuesHandedWhileItRunsAreMergedIntoTheLast) {
  std::mutex mutex;
  std::vector<int> taken;
  std::promise<void> first_started, release_first, last_done;
  std::shared_future<void> released = release_first.get_future().share();
  LatestValueThread<int> thread("latest-test", [&](int v) {
    {
      std::lock_guard lock(mutex);
      taken.push_back(v);
    }
    if (v == 1) {
      first_started.set_value();
      released.wait();
    }
    if (v == 4) last_done.set_value();
    return true;
  });
  ASSERT_TRUE(thread.Hand(1));
  first_started.get_future().wait();
  for (int v : {2, 3, 4}) ASSERT_TRUE(thread.Hand(v));
  release_first.set_value();
  last_done.get_future().wait();
  thread.Stop();
  EXPECT_EQ(taken, (std::vector<int>{1, 4}));
}

TEST(LatestValueThreadTest, ARunThatReturnsFalseEndsTheThread) {
  std::promise<void> ended;
  int runs = 0;
  LatestValueThread<int> thread("latest-test", [&](int) {
    ++runs;
    ended.set_value();
    return false;
  });
  ASSERT_TRUE(thread.Hand(1));
  ended.get_future().wait();
  // The thread marks itself ended right after the run returns; Hand says so from then on.
  bool refused = false;
  for (int tries = 0; tries < 1000 && !refused; ++tries) {
    refused = !thread.Hand(2);
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(refused);
  thread.Stop();
  EXPECT_EQ(runs, 1);
}

}  // namespace
}  // namespace rtpipe
