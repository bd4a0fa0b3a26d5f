#include "rtpipe/base/recycler.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace rtpipe {
namespace {

TEST(Recycler, GivesBackWhatWasGivenAndANewObjectWhenEmpty) {
  Recycler<std::string> recycler(2);
  EXPECT_EQ(recycler.Take(), "");
  std::string a = "a", b = "b";
  a.reserve(1000);
  const char* a_memory = a.data();
  recycler.Give(std::move(b));
  recycler.Give(std::move(a));
  EXPECT_EQ(recycler.size(), 2u);
  std::string taken = recycler.Take();  // the last given first
  EXPECT_EQ(taken, "a");
  EXPECT_EQ(taken.data(), a_memory);  // the same memory, not a copy
  EXPECT_EQ(recycler.Take(), "b");
  EXPECT_EQ(recycler.Take(), "");
}

TEST(Recycler, KeepsNoMoreThanItsCapacity) {
  Recycler<std::vector<int>> recycler(2);
  for (int i = 0; i < 5; ++i) {
    std::vector<int> v(100, i);
    EXPECT_EQ(recycler.Give(std::move(v)), i < 2) << i;
    if (i >= 2) {
      EXPECT_EQ(v, std::vector<int>(100, i)) << "not kept: stays with the caller";
    }
  }
  EXPECT_EQ(recycler.size(), 2u);
  EXPECT_EQ(recycler.Take(), std::vector<int>(100, 1));
  EXPECT_EQ(recycler.Take(), std::vector<int>(100, 0));
  EXPECT_TRUE(recycler.Take().empty());
}

// Every object kept is taken once, intact, and no more (run under TSan by `make tsan`).
TEST(Recycler, TwoThreadsPassObjectsBackAndForth) {
  Recycler<std::vector<int>> recycler(4);
  constexpr int kRounds = 20'000;
  int kept = 0;
  std::thread giver([&] {
    for (int i = 1; i <= kRounds; ++i) kept += recycler.Give(std::vector<int>(3, i)) ? 1 : 0;
  });
  int taken = 0;
  for (int i = 0; i < kRounds; ++i) {
    std::vector<int> v = recycler.Take();
    if (v.empty()) continue;
    ++taken;
    ASSERT_EQ(v.size(), 3u);
    EXPECT_TRUE(v[0] > 0 && v[0] == v[1] && v[1] == v[2]);
  }
  giver.join();
  EXPECT_EQ(kept, taken + static_cast<int>(recycler.size()));
  EXPECT_GT(kept, 0);
}

}  // namespace
}  // namespace rtpipe
