// kafka_produce_bench: the Kafka backend's client throughput against a running broker, driven by
// bench/kafka/run (which starts the broker, runs kcat on the same data as the peer, and prints the
// ratios). It needs a broker, so it lives in build/bench/kafka/ (outside `make bench`'s
// build/bench/*_bench) and fails with a usage message when called without a mode.
//
//   kafka_produce_bench generate --records N --out FILE
//       N users_created messages from the offline generator (seed "rtpipe"), one "key<TAB>value"
//       line each: key = id (login.uuid), value = the brief's JSON. The same file feeds kcat -P.
//   kafka_produce_bench produce --bootstrap HOST:PORT --topic T --file FILE [--batch 10000] [--threads 1]
//       Sends the file's records through the Log seam (Producer::Send: keys placed by murmur2,
//       idempotent, acks=all, every call waits for its delivery reports) and prints records/s.
//   kafka_produce_bench consume --bootstrap HOST:PORT --topic T --records N
//       Reads N records from the start of every partition (Consumer::Poll) and prints records/s.
//
// Each mode prints one line: "<mode>: <N> records in <S> s = <R> records/s (<MB/s>)".

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "rtpipe/base/logging.h"
#include "rtpipe/log/log_factory.h"
#include "rtpipe/model/message.h"
#include "rtpipe/source/source.h"

namespace {

using namespace rtpipe;
using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "kafka_produce_bench: " << message << "\n";
  std::exit(2);
}

[[noreturn]] void Usage() {
  Die("usage:\n"
      "  kafka_produce_bench generate --records N --out FILE\n"
      "  kafka_produce_bench produce --bootstrap HOST:PORT --topic T --file FILE [--batch N] [--threads N]\n"
      "  kafka_produce_bench consume --bootstrap HOST:PORT --topic T --records N\n"
      "It needs a running Kafka broker: bench/kafka/run starts one and runs every mode.");
}

struct Args {
  std::string mode;
  std::map<std::string, std::string> flags;
  std::string Get(const std::string& name, const std::string& fallback = "") const {
    auto it = flags.find(name);
    if (it != flags.end()) return it->second;
    if (fallback.empty()) Die("--" + name + " is required");
    return fallback;
  }
  int64_t Int(const std::string& name, const std::string& fallback = "") const {
    return std::stoll(Get(name, fallback));
  }
};

Args Parse(int argc, char** argv) {
  if (argc < 2) Usage();
  Args a;
  a.mode = argv[1];
  for (int i = 2; i < argc; i += 2) {
    std::string flag = argv[i];
    if (!flag.starts_with("--") || i + 1 >= argc) Usage();
    a.flags[flag.substr(2)] = argv[i + 1];
  }
  return a;
}

void Report(const std::string& mode, size_t records, size_t bytes, Clock::duration took, const std::string& extra) {
  double s = std::chrono::duration<double>(took).count();
  fmt::print("{}: {} records in {:.3f} s = {:.0f} records/s ({:.1f} MB/s){}\n", mode, records, s,
             static_cast<double>(records) / s, static_cast<double>(bytes) / s / 1e6, extra);
}

int Generate(const Args& a) {
  int64_t wanted = a.Int("records");
  std::ofstream out(a.Get("out"));
  SourceConfig config;
  config.results = 5000;
  auto source = MakeSource(config, rtpipe::Clock::System());
  if (!source.ok()) Die(source.status().ToString());
  SourcePosition position{config.seed, 1, 0};
  std::stop_source stop;
  int64_t written = 0;
  std::string json;
  while (written < wanted) {
    auto batch = (*source)->Fetch(position, config.results, stop.get_token());
    if (!batch.ok()) Die(batch.status().ToString());
    for (const auto& r : batch->records) {
      if (written == wanted) break;
      auto user = ParseUser(r.raw);
      if (!user.ok()) continue;
      UsersCreatedMessage m = ToMessage(*user);
      json.clear();
      AppendMessageJson(m, json);
      out << m.id.value_or("") << '\t' << json << '\n';
      ++written;
    }
    position = batch->next;
  }
  fmt::print("generate: {} records written to {}\n", written, a.Get("out"));
  return 0;
}

std::unique_ptr<Log> Connect(const Args& a) {
  LogConfig config;
  config.url = "kafka://" + a.Get("bootstrap");
  auto log = OpenLog(config, LogAccess::kReadWrite);
  if (!log.ok()) Die(log.status().ToString());
  return std::move(*log);
}

int Produce(const Args& a) {
  std::vector<Record> records;
  size_t bytes = 0;
  {
    std::ifstream in(a.Get("file"));
    for (std::string line; std::getline(in, line);) {
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      Record& r = records.emplace_back();
      r.key = line.substr(0, tab);
      r.value = line.substr(tab + 1);
      bytes += line.size() - 1;
    }
  }
  if (records.empty()) Die("no records in " + a.Get("file"));
  size_t batch = static_cast<size_t>(a.Int("batch", "10000"));
  int threads = static_cast<int>(a.Int("threads", "1"));
  auto log = Connect(a);
  auto producer = log->NewProducer();
  if (!producer.ok()) Die(producer.status().ToString());
  std::string topic = a.Get("topic");
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto started = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      while (!failed) {
        size_t from = next.fetch_add(batch);
        if (from >= records.size()) return;
        size_t n = std::min(batch, records.size() - from);
        Status s = (*producer)->Send(topic, std::span<const Record>(records.data() + from, n));
        if (!s.ok()) {
          std::cerr << "kafka_produce_bench: " << s.ToString() << "\n";
          failed = true;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed) return 1;
  Report("produce (rtpipe Producer::Send)", records.size(), bytes, Clock::now() - started,
         fmt::format(", {} records per call, {} thread(s)", batch, threads));
  return 0;
}

int Consume(const Args& a) {
  auto log = Connect(a);
  std::string topic = a.Get("topic");
  size_t wanted = static_cast<size_t>(a.Int("records"));
  auto info = log->DescribeTopic(topic);
  if (!info.ok()) Die(info.status().ToString());
  std::map<TopicPartition, Offset> from;
  for (const auto& p : info->partitions) from[{topic, p.partition}] = p.start_offset;
  auto consumer = log->NewConsumer();
  if (!consumer.ok()) Die(consumer.status().ToString());
  auto started = Clock::now();
  if (Status s = (*consumer)->Assign(from); !s.ok()) Die(s.ToString());
  size_t got = 0;
  size_t bytes = 0;
  std::stop_source stop;
  while (got < wanted) {
    auto records = (*consumer)->Poll(10000, std::chrono::seconds(10), stop.get_token());
    if (!records.ok()) Die(records.status().ToString());
    if (records->empty()) Die(fmt::format("only {} of {} records arrived", got, wanted));
    got += records->size();
    for (const auto& r : *records) bytes += r.value.value_or("").size() + r.key.value_or("").size();
  }
  Report("consume (rtpipe Consumer::Poll)", got, bytes, Clock::now() - started, "");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  InitLogging(spdlog::level::warn);
  Args a = Parse(argc, argv);
  if (a.mode == "generate") return Generate(a);
  if (a.mode == "produce") return Produce(a);
  if (a.mode == "consume") return Consume(a);
  Usage();
}
