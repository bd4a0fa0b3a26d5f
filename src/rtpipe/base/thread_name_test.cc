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

}  // namespace
}  // namespace rtpipe
