// FileSource over responses the generator wrote to a temporary directory, as `rtpipe fetch` saves them.

#include "rtpipe/source/file_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <thread>

#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

// Runs `action` on a thread of its own after 50 ms, while the test waits in a Fetch.
std::jthread AfterAWhile(std::function<void()> action) {
  return std::jthread([action = std::move(action)] {
    std::this_thread::sleep_for(milliseconds(50));
    action();
  });
}

class FileSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("rtpipe_file_source_test_" + std::to_string(::getpid()) + "_" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    config_.url = "file:" + dir_.string();
    config_.seed = "s";
    config_.results = 5;
    config_.backoff_initial = milliseconds(1);
    config_.backoff_max = milliseconds(5);
    config_.max_attempts = 0;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Page `page` of `seed` as the API would answer it.
  static std::string Body(int64_t page, const std::string& seed = "s", int results = 5) {
    GeneratorRequest r;
    r.seed = seed;
    r.page = page;
    r.results = results;
    return Generator().Response(r);
  }
  // Saves the body as page `page`'s file and returns it.
  std::string SavePage(int64_t page, const std::string& seed = "s", int results = 5) const {
    std::string body = Body(page, seed, results);
    EXPECT_TRUE(FileSource::SavePage(dir_, page, body).ok());
    return body;
  }
  static std::vector<std::string> RawsOf(const std::string& body) {
    auto response = ParseResponse(body);
    EXPECT_TRUE(response.ok()) << response.status();
    std::vector<std::string> raws;
    for (const auto& record : response->records) raws.push_back(record.raw);
    return raws;
  }
  static std::vector<std::string> Raws(const SourceBatch& b) {
    std::vector<std::string> raws;
    for (const auto& r : b.records) raws.push_back(r.raw);
    return raws;
  }
  std::unique_ptr<FileSource> Make(const Clock& clock = Clock::System()) const {
    auto source = FileSource::Create(config_, clock);
    EXPECT_TRUE(source.ok()) << source.status();
    return source.ok() ? std::move(*source) : nullptr;
  }

  std::filesystem::path dir_;
  SourceConfig config_;
};

TEST_F(FileSourceTest, PartialFetchesWalkTheSavedPagesWithoutLossOrDuplicates) {
  std::vector<std::string> page1 = RawsOf(SavePage(1));
  std::vector<std::string> page2 = RawsOf(SavePage(2));
  ManualClock clock(TimestampFromMillis(1'700'000'000'000));
  auto source = Make(clock);
  ASSERT_NE(source, nullptr);

  auto a = source->Fetch({"s", 1, 0}, 3, {});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(Raws(*a), std::vector<std::string>(page1.begin(), page1.begin() + 3));
  EXPECT_EQ(a->position, (SourcePosition{"s", 1, 0}));
  EXPECT_EQ(a->next, (SourcePosition{"s", 1, 3}));
  EXPECT_EQ(ToMillis(a->first_event_time), 1'700'000'000'000);  // read time, as for the API
  EXPECT_EQ(a->event_time_step.count(), 0);
  for (const auto& record : a->records) EXPECT_TRUE(ParseUser(record.raw).ok()) << record.raw;

  auto b = source->Fetch(a->next, 3, {});  // the rest of page 1 only
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(Raws(*b), std::vector<std::string>(page1.begin() + 3, page1.end()));
  EXPECT_EQ(b->next, (SourcePosition{"s", 2, 0}));

  auto c = source->Fetch(b->next, 5, {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(Raws(*c), page2);
  EXPECT_EQ(c->next, (SourcePosition{"s", 3, 0}));
  EXPECT_EQ(source->metrics().records.value(), 10u);
  EXPECT_EQ(source->metrics().requests.value(), 3u);
}

TEST_F(FileSourceTest, EachUserOfTheGeneratorsPagesComesReadWithItsRecord) {
  // The generator writes users as the API does, so the page's parse reads every one on the way
  // (ParsePaddedResponse with users), and landing does not parse them again.
  config_.results = 500;
  SavePage(1, "s", 500);
  SavePage(2, "s", 500);
  auto source = Make();
  ASSERT_NE(source, nullptr);
  SourcePosition at{"s", 1, 0};
  for (int fetch = 0; fetch < 3; ++fetch) {
    auto batch = source->Fetch(at, 300, {});
    ASSERT_TRUE(batch.ok()) << batch.status();
    for (const SourceRecord& record : batch->records) {
      ASSERT_NE(record.parsed, nullptr) << record.raw;
      auto alone = ParseUser(record.raw);
      ASSERT_TRUE(alone.ok()) << alone.status();
      EXPECT_EQ(*record.parsed, *alone) << record.raw;
    }
    at = batch->next;
  }
  EXPECT_EQ(at, (SourcePosition{"s", 2, 300}));  // a fetch takes from one page only
}

TEST_F(FileSourceTest, PagesOfAnySizeInAnyOrderAreReadWhole) {
  // One buffer holds each page read: a page after a bigger one must not see the bigger one's bytes.
  std::vector<std::string> pages[4];
  for (int64_t page : {1, 2, 3}) {
    pages[page] = RawsOf(SavePage(page, "s", page == 2 ? 5 : 40));  // 40 users: 8 times the bytes
    pages[page].resize(5);                                          // source.results = 5 are taken
  }
  auto source = Make();
  ASSERT_NE(source, nullptr);
  for (int64_t page : {1, 2, 3, 2}) {
    auto batch = source->Fetch({"s", page, 0}, 5, {});
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(Raws(*batch), pages[page]) << "page " << page;
  }
}

TEST_F(FileSourceTest, AMissingPageIsWaitedForThenGivenUpAfterMaxAttempts) {
  config_.max_attempts = 3;
  auto source = Make();
  ASSERT_NE(source, nullptr);
  auto missing = source->Fetch({"s", 4, 0}, 5, {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(missing.status().message(), HasSubstr("page-4.json after 3 attempts"));
  EXPECT_EQ(source->metrics().requests.value(), 3u);
  EXPECT_EQ(source->metrics().retries.value(), 2u);
}

TEST_F(FileSourceTest, APageSavedWhileWaitingIsRead) {
  auto source = Make();
  ASSERT_NE(source, nullptr);
  const std::string body = Body(1);
  std::jthread writer = AfterAWhile([&] { EXPECT_TRUE(FileSource::SavePage(dir_, 1, body).ok()); });
  auto batch = source->Fetch({"s", 1, 0}, 5, {});
  writer.join();
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(Raws(*batch), RawsOf(body));
  EXPECT_GE(source->metrics().retries.value(), 1u);
}

TEST_F(FileSourceTest, AStopEndsTheWaitForAMissingPage) {
  auto source = Make();
  ASSERT_NE(source, nullptr);
  std::stop_source stop;
  std::jthread stopper = AfterAWhile([&] { stop.request_stop(); });
  auto batch = source->Fetch({"s", 1, 0}, 5, stop.get_token());
  stopper.join();
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), StatusCode::kCancelled);
}

TEST_F(FileSourceTest, SavePageMakesTheDirectoryAndLeavesOnlyThePage) {
  const std::filesystem::path nested = dir_ / "a" / "b";
  ASSERT_TRUE(FileSource::SavePage(nested, 7, "{\"results\":[]}").ok());
  ASSERT_TRUE(FileSource::SavePage(nested, 7, Body(7)).ok());  // saving again replaces the page
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(nested)) names.push_back(entry.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"page-7.json"});
  std::ifstream in(FileSource::PagePath(nested, 7));
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), Body(7));
}

TEST_F(FileSourceTest, AWrongSeedAShortPageAndABadBodyAreErrorsNamingTheFile) {
  SavePage(1, "other");
  SavePage(2, "s", 3);
  std::ofstream(FileSource::PagePath(dir_, 3)) << "<html>not json</html>";
  auto source = Make();
  ASSERT_NE(source, nullptr);

  auto seed = source->Fetch({"s", 1, 0}, 5, {});
  ASSERT_FALSE(seed.ok());
  EXPECT_EQ(seed.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(seed.status().message(), HasSubstr("page-1.json holds seed \"other\", not source.seed \"s\""));

  auto shorter = source->Fetch({"s", 2, 0}, 5, {});
  ASSERT_FALSE(shorter.ok());
  EXPECT_THAT(shorter.status().message(), HasSubstr("page-2.json holds 3 users; pages of source.results = 5 need 5"));
  auto enough = source->Fetch({"s", 2, 0}, 3, {});  // the page holds what this fetch takes
  EXPECT_TRUE(enough.ok()) << enough.status();

  auto bad = source->Fetch({"s", 3, 0}, 5, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("page-3.json: not a randomuser.me response"));
  EXPECT_EQ(source->metrics().error_bodies.value(), 1u);
}

TEST_F(FileSourceTest, CreateNeedsADirectoryAndASeed) {
  config_.seed = "";
  auto unseeded = FileSource::Create(config_, Clock::System());
  ASSERT_FALSE(unseeded.ok());
  EXPECT_THAT(unseeded.status().message(), HasSubstr("source.seed"));
  config_.seed = "s";
  config_.url = "file:";
  EXPECT_FALSE(FileSource::Create(config_, Clock::System()).ok());
  config_.url = "file:" + dir_.string();
  auto made = MakeSource(config_, Clock::System());
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_NE(dynamic_cast<FileSource*>(made->get()), nullptr);
}

}  // namespace
}  // namespace rtpipe
