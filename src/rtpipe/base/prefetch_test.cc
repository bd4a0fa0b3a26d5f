#include "rtpipe/base/prefetch.h"

#include <gtest/gtest.h>

#include <numeric>
#include <string>
#include <vector>

namespace rtpipe {
namespace {

TEST(VisitInOrder, VisitsInTheOrderGivenAndFetchesWhatItemsPointToAhead) {
  std::vector<std::string> items(20);
  for (size_t i = 0; i < items.size(); ++i) items[i] = std::string(100, static_cast<char>('a' + i));
  std::vector<uint32_t> order(items.size());
  std::iota(order.rbegin(), order.rend(), 0u);  // 19, 18, ..., 0
  std::vector<uint32_t> visited;
  std::vector<const std::string*> fetched;
  Status status = VisitInOrder<std::string>(
      items, order, [&](const std::string& s) { fetched.push_back(&s); },
      [&](uint32_t i) {
        visited.push_back(i);
        return Status::OK();
      });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(visited, order);
  // Each item but the first four is fetched, four places before its visit.
  ASSERT_EQ(fetched.size(), items.size() - 4);
  for (size_t j = 0; j < fetched.size(); ++j) EXPECT_EQ(fetched[j], &items[order[j + 4]]) << j;
}

TEST(VisitInOrder, StopsAtTheFirstFailure) {
  std::vector<int> items(10, 0);
  std::vector<uint32_t> order(items.size());
  std::iota(order.begin(), order.end(), 0u);
  int visits = 0;
  Status status = VisitInOrder<int>(
      items, order, [](const int&) {},
      [&](uint32_t i) {
        ++visits;
        return i == 3 ? Status::IoError("disk full") : Status::OK();
      });
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_EQ(visits, 4);
}

}  // namespace
}  // namespace rtpipe
