#include "rtpipe/base/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace rtpipe {
namespace {

// What a new thread reads back after naming itself `name`.
std::string NameSetInANewThread(std::string_view name) {
  std::string seen;
  std::thread([&] {
    SetThreadName(name);
    seen = ThreadName();
  }).join();
  return seen;
}

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  const std::string before = ThreadName();
  EXPECT_EQ(NameSetInANewThread("ingest-fetch"), "ingest-fetch");
  EXPECT_EQ(ThreadName(), before);
}

TEST(ThreadNameTest, ALongNameKeepsItsFirst15Bytes) {
  EXPECT_EQ(NameSetInANewThread("a-name-longer-than-fifteen"), "a-name-longer-t");
}

TEST(ThreadCpuTest, AnEndedNamedThreadCountsUnderItsNameOnce) {
  using std::chrono::milliseconds;
  TakeEndedThreadCpu();  // what other tests' threads left
  std::chrono::nanoseconds used{0};
  std::thread([&] {
    SetThreadName("cpu-test");
    while (ThreadCpuTime() < milliseconds(20)) {
    }
    used = ThreadCpuTime();
  }).join();
  std::thread([] {}).join();  // unnamed: not counted
  auto ended = TakeEndedThreadCpu();
  ASSERT_EQ(ended.size(), 1u);
  ASSERT_TRUE(ended.contains("cpu-test"));
  EXPECT_GE(ended["cpu-test"], used);
  EXPECT_LT(ended["cpu-test"], used + milliseconds(20));
  EXPECT_TRUE(TakeEndedThreadCpu().empty());
}

}  // namespace
}  // namespace rtpipe
