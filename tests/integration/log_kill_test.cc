// The embedded log under real processes: `rtpipe produce` is killed with SIGKILL again and again
// while it appends; every record it acknowledged ("acked N" on stderr after each durable batch,
// --report-acks) must be readable exactly once afterwards. Also: `rtpipe consume --follow` in
// another process reads everything a writer process appends, and `--group` resumes where it left.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "../testing/test_env.h"

namespace rtpipe {
namespace {

using namespace std::chrono_literals;

// A child process with pipes to its stdin, stdout and stderr.
struct Child {
  pid_t pid = -1;
  int in = -1;   // write end of the child's stdin (-1: /dev/null)
  int out = -1;  // read end of its stdout
  int err = -1;  // read end of its stderr

  static Child Spawn(const std::vector<std::string>& argv, bool with_stdin) {
    int in_pipe[2] = {-1, -1};
    int out_pipe[2];
    int err_pipe[2];
    if (with_stdin) {
      EXPECT_EQ(::pipe2(in_pipe, O_CLOEXEC), 0);
    }
    EXPECT_EQ(::pipe2(out_pipe, O_CLOEXEC), 0);
    EXPECT_EQ(::pipe2(err_pipe, O_CLOEXEC), 0);
    Child c;
    c.pid = ::fork();
    if (c.pid == 0) {
      if (with_stdin) {
        ::dup2(in_pipe[0], STDIN_FILENO);
      } else {
        int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, STDIN_FILENO);
      }
      ::dup2(out_pipe[1], STDOUT_FILENO);
      ::dup2(err_pipe[1], STDERR_FILENO);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      ::execv(args[0], args.data());
      ::_exit(127);
    }
    if (with_stdin) {
      ::close(in_pipe[0]);
      c.in = in_pipe[1];
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    c.out = out_pipe[0];
    c.err = err_pipe[0];
    return c;
  }

  // Waits for the exit; the stdout/stderr ends belong to their PipeReaders.
  int Wait() {
    if (in >= 0) ::close(in);
    in = -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
};

// Reads a pipe to its end on a thread (and closes it); `on_line` sees each complete line as it arrives.
class PipeReader {
 public:
  PipeReader(int fd, std::function<void(const std::string&)> on_line = {})
      : thread_([this, fd, on_line = std::move(on_line)] {
          char buf[65536];
          std::string partial;
          ssize_t n = 0;
          while ((n = ::read(fd, buf, sizeof buf)) > 0) {
            std::lock_guard lock(mu_);
            text_.append(buf, static_cast<size_t>(n));
            if (on_line) {
              partial.append(buf, static_cast<size_t>(n));
              size_t nl = 0;
              while ((nl = partial.find('\n')) != std::string::npos) {
                on_line(partial.substr(0, nl));
                partial.erase(0, nl + 1);
              }
            }
          }
          ::close(fd);
        }) {}
  ~PipeReader() {
    if (thread_.joinable()) thread_.join();
  }
  std::string Join() {
    if (thread_.joinable()) thread_.join();
    return text_;
  }
  size_t Lines() {
    std::lock_guard lock(mu_);
    return static_cast<size_t>(std::count(text_.begin(), text_.end(), '\n'));
  }

 private:
  std::mutex mu_;
  std::string text_;  // guarded by mu_ while the thread runs
  std::thread thread_;
};

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class LogProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);  // a killed producer closes its stdin pipe under our writer
    binary_ = testing::RequiredEnv("RTPIPE_BINARY");
    ASSERT_FALSE(binary_.empty());
  }
  std::vector<std::string> Command(std::vector<std::string> args) {
    std::vector<std::string> argv{
        binary_,       "--set", "log.url=file:" + dir_.path() + "/log", "--set", "log.segment_bytes=256KiB",
        "--log-level", "warn"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }
  std::vector<std::string> ConsumeAll(const std::string& topic) {
    Child c = Child::Spawn(Command({"consume", "--topic", topic, "--from-beginning", "--idle-exit", "500ms"}), false);
    PipeReader out(c.out);
    PipeReader err(c.err);
    EXPECT_EQ(c.Wait(), 0) << err.Join();
    return SplitLines(out.Join());
  }

  std::string binary_;
  testing::TempDir dir_;
};

TEST_F(LogProcessTest, AcknowledgedRecordsSurviveRepeatedKill9) {
  constexpr int kRounds = 8;
  std::mt19937 rng(12345);
  std::vector<int64_t> acked(kRounds, 0);
  std::vector<int64_t> written(kRounds, 0);
  for (int round = 0; round < kRounds; ++round) {
    Child producer = Child::Spawn(Command({"produce", "--topic", "t", "--report-acks"}), true);
    std::atomic<int64_t> last_ack{0};
    PipeReader err(producer.err, [&](const std::string& line) {
      if (line.rfind("acked ", 0) == 0) last_ack = std::stoll(line.substr(6));
    });
    PipeReader out(producer.out);
    std::atomic<bool> stop{false};
    std::thread feeder([&] {
      std::string chunk;
      for (int64_t i = 0; !stop; ++i) {
        chunk += "r" + std::to_string(round) + "-" + std::to_string(i) + "\n";
        if (chunk.size() < 4096) continue;
        if (::write(producer.in, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) break;
        written[round] = i + 1;
        chunk.clear();
      }
    });
    // The kill comes at a random moment once the producer acknowledges: its start (with recovery
    // of the last round's kill) can take longer than the shortest wait on a busy machine.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (last_ack == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 600));
    ASSERT_EQ(::kill(producer.pid, SIGKILL), 0);
    int status = 0;
    ::waitpid(producer.pid, &status, 0);
    stop = true;
    feeder.join();
    ::close(producer.in);
    producer.in = -1;
    err.Join();
    out.Join();
    ASSERT_TRUE(WIFSIGNALED(status)) << "the producer ended before it was killed: " << err.Join();
    acked[round] = last_ack;
    ASSERT_GT(acked[round], 0) << "round " << round << " acknowledged nothing before the kill";
  }

  std::vector<std::string> lines = ConsumeAll("t");
  std::map<std::string, int> seen;
  for (const auto& line : lines) ++seen[line];
  int64_t expected = 0;
  for (int round = 0; round < kRounds; ++round) {
    for (int64_t i = 0; i < acked[round]; ++i) {
      std::string value = "r" + std::to_string(round) + "-" + std::to_string(i);
      ASSERT_EQ(seen[value], 1) << value << " was acknowledged (round " << round << " acked " << acked[round]
                                << ") but is read " << seen[value] << " times";
    }
    expected += acked[round];
  }
  for (const auto& [value, count] : seen) {
    ASSERT_EQ(count, 1) << value << " is stored more than once";
    auto dash = value.find('-');
    ASSERT_TRUE(value[0] == 'r' && dash != std::string::npos) << "garbage record: " << value;
    int round = std::stoi(value.substr(1, dash - 1));
    ASSERT_LT(std::stoll(value.substr(dash + 1)), written[round] + 4096) << "never written: " << value;
  }
  EXPECT_GE(static_cast<int64_t>(lines.size()), expected);
  for (int round = 0; round < kRounds; ++round) {
    std::printf("round %d: %lld lines fed, %lld acknowledged before SIGKILL\n", round,
                static_cast<long long>(written[round]), static_cast<long long>(acked[round]));
  }
  std::printf("%zu records readable, %lld acknowledged\n", lines.size(), static_cast<long long>(expected));
}

TEST_F(LogProcessTest, ConsumerProcessFollowsAWriterProcess) {
  constexpr int kLines = 30000;
  Child consumer = Child::Spawn(Command({"consume", "--topic", "f", "--from-beginning", "--follow"}), false);
  PipeReader consumed(consumer.out);
  PipeReader consumer_err(consumer.err);
  EXPECT_NE(consumer.Wait(), 0) << "consume of a missing topic must fail";
  consumed.Join();
  EXPECT_NE(consumer_err.Join().find("error"), std::string::npos);

  ASSERT_EQ(testing::RunProcess(Command({"topics", "create", "f", "--partitions", "3"})), 0);
  Child follower = Child::Spawn(Command({"consume", "--topic", "f", "--from-beginning", "--follow"}), false);
  PipeReader followed(follower.out);
  PipeReader follower_err(follower.err);
  Child producer = Child::Spawn(Command({"produce", "--topic", "f"}), true);
  PipeReader producer_err(producer.err);
  std::string input;
  for (int i = 0; i < kLines; ++i) input += "line-" + std::to_string(i) + "\n";
  for (size_t at = 0; at < input.size();) {
    ssize_t n = ::write(producer.in, input.data() + at, std::min<size_t>(8192, input.size() - at));
    ASSERT_GT(n, 0);
    at += static_cast<size_t>(n);
  }
  ::close(producer.in);
  producer.in = -1;
  ASSERT_EQ(producer.Wait(), 0) << producer_err.Join();
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (followed.Lines() < kLines && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
  ::kill(follower.pid, SIGTERM);
  EXPECT_EQ(follower.Wait(), 0) << follower_err.Join();
  std::set<std::string> got;
  for (const auto& line : SplitLines(followed.Join())) EXPECT_TRUE(got.insert(line).second) << "twice: " << line;
  EXPECT_EQ(got.size(), size_t{kLines});
}

TEST_F(LogProcessTest, GroupResumesAtItsCommittedPosition) {
  Child producer = Child::Spawn(Command({"produce", "--topic", "g", "--partition", "0"}), true);
  PipeReader producer_err(producer.err);
  std::string input;
  for (int i = 0; i < 100; ++i) input += std::to_string(i) + "\n";
  ASSERT_EQ(::write(producer.in, input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(producer.in);
  producer.in = -1;
  ASSERT_EQ(producer.Wait(), 0) << producer_err.Join();
  std::string first;
  ASSERT_EQ(
      testing::RunProcess(
          Command({"consume", "--topic", "g", "--group", "grp", "--from-beginning", "--max-records", "30"}), &first),
      0);
  std::string second;
  ASSERT_EQ(
      testing::RunProcess(Command({"consume", "--topic", "g", "--group", "grp", "--idle-exit", "300ms"}), &second), 0);
  auto a = SplitLines(first);
  auto b = SplitLines(second);
  // RunProcess merges stderr: drop the summary lines.
  std::erase_if(a, [](const std::string& l) { return l.rfind("consumed", 0) == 0; });
  std::erase_if(b, [](const std::string& l) { return l.rfind("consumed", 0) == 0; });
  ASSERT_EQ(a.size(), 30u);
  EXPECT_EQ(a.front(), "0");
  EXPECT_EQ(a.back(), "29");
  ASSERT_EQ(b.size(), 70u);
  EXPECT_EQ(b.front(), "30");
  EXPECT_EQ(b.back(), "99");
}

}  // namespace
}  // namespace rtpipe
