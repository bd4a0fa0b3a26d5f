#include "rtpipe/base/thread_name.h"

#include <gtest/gtest.h>

#include <thread>

namespace rtpipe {
namespace {

TEST(ThreadNameTest, NamesTheCallingThreadOnly) {
  const std::string before = ThreadName();
  std::string inside;
  std::thread([&] {
    SetThreadName("ingest-fetch");
    inside = ThreadName();
  }).join();
  EXPECT_EQ(inside, "ingest-fetch");
  EXPECT_EQ(ThreadName(), before);
}

TEST(ThreadNameTest, ALongNameKeepsItsFirst15Bytes) {
  std::string inside;
  std::thread([&] {
    SetThreadName("a-name-longer-than-fifteen");
    inside = ThreadName();
  }).join();
  EXPECT_EQ(inside, "a-name-longer-t");
}

}  // namespace
}  // namespace rtpipe
