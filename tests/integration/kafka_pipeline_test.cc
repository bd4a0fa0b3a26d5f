// The rtpipe binary with its log on Kafka (fixture "kafka"):
//   - `rtpipe run --records 20000 --set log.url=kafka://...` ends with created_users and the dead
//     letters exactly as the oracle computes them, and kcat reading users_created sees the brief's
//     message: 12 keys in the brief's order, with the record key = id;
//   - `rtpipe topics create|list|describe|delete`, `produce` and `consume` against the broker.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "../e2e/pipeline_oracle.h"
#include "kafka_test_util.h"

namespace rtpipe::testing {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class KafkaPipelineTest : public ::testing::Test {
 protected:
  int Rtpipe(std::vector<std::string> args, std::string* output) {
    std::vector<std::string> argv = {RequiredEnv("RTPIPE_BINARY")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--set");
    argv.push_back("log.url=kafka://" + KafkaBootstrap());
    return RunProcess(argv, output, dir_.path());
  }
  TempDir dir_;
};

TEST_F(KafkaPipelineTest, RunLandsExactlyTheOraclesRowsAndKcatSeesTheBriefsMessage) {
  auto log = OpenKafkaOrDie(KafkaConfig());
  ASSERT_TRUE(log);
  for (const char* topic : {"users_created", "users_created.dlq"}) {
    Status s = log->DeleteTopic(topic);  // a rerun against the same broker starts clean
    ASSERT_TRUE(s.ok() || s.code() == StatusCode::kNotFound) << s;
  }
  Config config = PipelineConfig(dir_.path(), "source:\n  results: 1000\n  interval: 0\n  bad_rate: 0.01\n");
  config.log.url = "kafka://" + KafkaBootstrap();
  std::string output;
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(Rtpipe({"run", "--records", "20000"}, &output), 0) << output;
  fmt::print("rtpipe run --records 20000 on Kafka: {:.1f}s\n",
             std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());

  PipelineOutcome want = ExpectedOutcome(config, 20'000);
  PipelineOutcome got = ActualOutcome(config);
  EXPECT_GT(want.dead_letters.size(), 50u);
  EXPECT_EQ(got.row_count, static_cast<int64_t>(got.rows.size())) << "duplicate ids in created_users";
  ASSERT_EQ(got.rows.size(), want.rows.size());
  size_t mismatches = 0;
  for (const auto& [id, row] : want.rows) {
    auto it = got.rows.find(id);
    if (it == got.rows.end() || !(it->second == row)) ++mismatches;
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_TRUE(got.dead_letters == want.dead_letters) << got.dead_letters.size() << " vs " << want.dead_letters.size();

  // What the brief's `kcat -C` shows.
  auto info = log->DescribeTopic("users_created");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->partitions.size(), 4u) << "log.partitions";
  int64_t stored = 0;
  for (const auto& p : info->partitions) stored += p.end_offset - p.start_offset;
  std::string kcat;
  ASSERT_EQ(RunProcess({"/usr/bin/kcat", "-b", KafkaBootstrap(), "-t", "users_created", "-C", "-e", "-q", "-f",
                        "%p\t%k\t%s\n"},
                       &kcat),
            0)
      << kcat.substr(0, 2000);
  auto lines = Lines(kcat);
  ASSERT_EQ(static_cast<int64_t>(lines.size()), stored);
  const std::vector<std::string> kBriefKeys = {"id",      "first_name",      "last_name", "gender",
                                               "address", "post_code",       "email",     "username",
                                               "dob",     "registered_date", "phone",     "picture"};
  std::set<std::string> ids;
  for (const auto& line : lines) {
    size_t tab1 = line.find('\t');
    size_t tab2 = line.find('\t', tab1 + 1);
    ASSERT_NE(tab2, std::string::npos) << line;
    int partition = std::stoi(line.substr(0, tab1));
    std::string key = line.substr(tab1 + 1, tab2 - tab1 - 1);
    auto message = nlohmann::ordered_json::parse(line.substr(tab2 + 1), nullptr, false);
    ASSERT_FALSE(message.is_discarded()) << line;
    std::vector<std::string> keys;
    for (const auto& item : message.items()) keys.push_back(item.key());
    ASSERT_EQ(keys, kBriefKeys) << line;
    ASSERT_EQ(message["id"], key) << "the record key is the id (login.uuid)";
    EXPECT_TRUE(message["post_code"].is_string()) << line;
    EXPECT_EQ(PartitionFor(key, 4).value(), partition);
    ids.insert(key);
  }
  EXPECT_EQ(ids.size(), lines.size()) << "a user was published twice";
  for (const auto& [id, row] : want.rows) ASSERT_TRUE(ids.contains(id)) << id << " is in the store but not the topic";

  std::string count;
  ASSERT_EQ(Rtpipe({"query", "SELECT COUNT(*) FROM spark_streams.created_users"}, &count), 0) << count;
  EXPECT_NE(count.find(std::to_string(want.rows.size())), std::string::npos) << count;
}

TEST_F(KafkaPipelineTest, TopicProduceAndConsumeCommandsWorkOnKafka) {
  std::string topic = UniqueName("cli");
  std::string output;
  ASSERT_EQ(Rtpipe({"topics", "create", topic, "-p", "3"}, &output), 0) << output;
  EXPECT_NE(output.find("created topic " + topic + " with 3 partitions"), std::string::npos) << output;
  output.clear();
  ASSERT_EQ(Rtpipe({"topics", "list"}, &output), 0) << output;
  EXPECT_NE(output.find(topic + "\n"), std::string::npos) << output;

  std::string binary = RequiredEnv("RTPIPE_BINARY");
  std::string url = "log.url=kafka://" + KafkaBootstrap();
  output.clear();
  ASSERT_EQ(RunProcess({"/bin/sh", "-c",
                        "printf 'alpha:one\\nbeta:two\\ngamma:three\\nalpha:four\\n' | " + binary + " produce -t " +
                            topic + " -k : --set " + url},
                       &output, dir_.path()),
            0)
      << output;
  EXPECT_NE(output.find("produced 4 records to " + topic), std::string::npos) << output;

  output.clear();
  ASSERT_EQ(Rtpipe({"topics", "describe", topic}, &output), 0) << output;
  EXPECT_NE(output.find("3 partitions, 4 records"), std::string::npos) << output;

  std::string printed;
  ASSERT_EQ(Rtpipe({"consume", "-t", topic, "--from-beginning", "--print-key", "--print-offset", "--idle-exit", "1s"},
                   &printed),
            0)
      << printed;
  for (std::string key : {"alpha", "beta", "gamma"}) {
    EXPECT_NE(printed.find(key + "\t"), std::string::npos) << printed;
  }
  size_t alpha_one = printed.find("alpha\tone");
  size_t alpha_four = printed.find("alpha\tfour");
  ASSERT_NE(alpha_one, std::string::npos) << printed;
  ASSERT_NE(alpha_four, std::string::npos) << printed;
  EXPECT_LT(alpha_one, alpha_four) << "records of one key keep their order";
  EXPECT_NE(printed.find(fmt::format("{}:0\talpha\tone", PartitionFor("alpha", 3).value())), std::string::npos)
      << printed;

  // A group remembers where it stopped.
  std::string group = UniqueName("cli-group");
  printed.clear();
  ASSERT_EQ(Rtpipe({"consume", "-t", topic, "--from-beginning", "-g", group, "--idle-exit", "1s"}, &printed), 0);
  EXPECT_NE(printed.find("consumed 4 records"), std::string::npos) << printed;
  printed.clear();
  ASSERT_EQ(Rtpipe({"consume", "-t", topic, "-g", group, "--idle-exit", "1s"}, &printed), 0);
  EXPECT_NE(printed.find("consumed 0 records"), std::string::npos) << printed;

  output.clear();
  ASSERT_EQ(Rtpipe({"topics", "delete", topic}, &output), 0) << output;
  output.clear();
  EXPECT_NE(Rtpipe({"topics", "describe", topic}, &output), 0) << output;

  // An unreachable broker: a clear error naming it, quickly.
  std::string dead = "127.0.0.1:" + std::to_string(FreePort());
  output.clear();
  EXPECT_NE(
      RunProcess({binary, "topics", "list", "--set", "log.url=kafka://" + dead, "--set", "log.connect_timeout=1s"},
                 &output, dir_.path()),
      0);
  EXPECT_NE(output.find(dead), std::string::npos) << output;
}

}  // namespace
}  // namespace rtpipe::testing
