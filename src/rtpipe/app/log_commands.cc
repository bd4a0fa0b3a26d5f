// `rtpipe topics list|create|describe|delete`, `rtpipe produce`, `rtpipe consume` and
// `rtpipe log dump`: the command-line tools of the log at `log.url` (kafka-topics.sh,
// kafka-console-producer.sh and kafka-console-consumer.sh for the embedded log).

#include <fmt/format.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rtpipe/app/cli.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/config/values.h"
#include "rtpipe/log/embedded/dump.h"
#include "rtpipe/log/log_factory.h"

namespace rtpipe {
namespace {

struct LogCommandOptions {
  // topics
  std::string topic;
  int partitions = 0;  // 0: log.partitions
  // produce
  std::optional<int> partition;
  std::string key_separator;
  bool report_acks = false;
  // consume
  bool from_beginning = false;
  std::string group;
  std::optional<int64_t> offset;
  int64_t max_records = -1;
  bool follow = false;
  std::string idle_exit = "2s";
  bool print_key = false;
  bool print_offset = false;
  // log dump
  std::string path;
  bool records = false;
};

Result<std::unique_ptr<Log>> OpenConfiguredLog(const GlobalOptions& global, LogAccess access, LogConfig* config) {
  RTPIPE_ASSIGN_OR_RETURN(LoadedConfig loaded, LoadEffectiveConfig(global));
  *config = loaded.config.log;
  return OpenLog(*config, access);
}

std::string SizeText(int64_t bytes) {
  if (bytes < 0) return "?";
  if (bytes < 10 * 1024) return fmt::format("{} B", bytes);
  if (bytes < 10 * 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024);
  return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024 * 1024));
}

int TopicsList(const GlobalOptions& global) {
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadOnly, &config);
  if (!log.ok() && log.status().code() == StatusCode::kNotFound) return kExitOk;  // no log yet: no topics
  if (!log.ok()) return ReportError(log.status());
  auto names = (*log)->ListTopics();
  if (!names.ok()) return ReportError(names.status());
  for (const auto& name : *names) fmt::print("{}\n", name);
  return kExitOk;
}

int TopicsCreate(const GlobalOptions& global, const LogCommandOptions& o) {
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadWrite, &config);
  if (!log.ok()) return ReportError(log.status());
  int partitions = o.partitions > 0 ? o.partitions : config.partitions;
  Status s = (*log)->CreateTopic({o.topic, partitions});
  if (!s.ok()) return ReportError(s);
  fmt::print("created topic {} with {} partition{}\n", o.topic, partitions, partitions == 1 ? "" : "s");
  return kExitOk;
}

int TopicsDescribe(const GlobalOptions& global, const LogCommandOptions& o) {
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadOnly, &config);
  if (!log.ok()) return ReportError(log.status());
  auto info = (*log)->DescribeTopic(o.topic);
  if (!info.ok()) return ReportError(info.status());
  int64_t records = 0;
  int64_t bytes = 0;
  for (const auto& p : info->partitions) {
    records += p.end_offset - p.start_offset;
    bytes += p.size_bytes;
  }
  fmt::print("topic {}: {} partitions, {} records, {}\n", info->name, info->partitions.size(), records,
             SizeText(bytes));
  fmt::print("{:>9}  {:>12}  {:>12}  {:>12}  {:>10}  {:>8}\n", "partition", "start", "end", "records", "size",
             "segments");
  for (const auto& p : info->partitions) {
    fmt::print("{:>9}  {:>12}  {:>12}  {:>12}  {:>10}  {:>8}\n", p.partition.value(), p.start_offset.value(),
               p.end_offset.value(), p.end_offset - p.start_offset, SizeText(p.size_bytes), p.segments);
  }
  return kExitOk;
}

int TopicsDelete(const GlobalOptions& global, const LogCommandOptions& o) {
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadWrite, &config);
  if (!log.ok()) return ReportError(log.status());
  Status s = (*log)->DeleteTopic(o.topic);
  if (!s.ok()) return ReportError(s);
  fmt::print("deleted topic {}\n", o.topic);
  return kExitOk;
}

// Reads what stdin has now (waiting for it, up to 100 ms at a time, until a stop request).
// Returns 0 at the end of input.
Result<size_t> ReadStdin(std::string* buffer, std::stop_token stop) {
  while (!stop.stop_requested()) {
    pollfd pfd{STDIN_FILENO, POLLIN, 0};
    int ready = ::poll(&pfd, 1, 100);
    if (ready < 0 && errno != EINTR) return Status::FromErrno(errno, "waiting for stdin");
    if (ready <= 0) continue;
    size_t old = buffer->size();
    buffer->resize(old + (size_t{1} << 20));
    ssize_t n = ::read(STDIN_FILENO, buffer->data() + old, size_t{1} << 20);
    if (n < 0) {
      buffer->resize(old);
      if (errno == EINTR || errno == EAGAIN) continue;
      return Status::FromErrno(errno, "reading stdin");
    }
    buffer->resize(old + static_cast<size_t>(n));
    return static_cast<size_t>(n);
  }
  return Status::Cancelled("stopped");
}

int Produce(const GlobalOptions& global, const LogCommandOptions& o) {
  std::stop_source stop = InstallShutdownHandler();
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadWrite, &config);
  if (!log.ok()) return ReportError(log.status());
  std::string topic = o.topic.empty() ? config.topic : o.topic;
  Status s = (*log)->EnsureTopic({topic, config.partitions});
  if (!s.ok()) return ReportError(s);
  auto producer = (*log)->NewProducer();
  if (!producer.ok()) return ReportError(producer.status());
  std::string pending;
  std::vector<Record> batch;
  int64_t acked = 0;
  bool eof = false;
  while (!eof) {
    auto n = ReadStdin(&pending, stop.get_token());
    if (!n.ok()) {
      if (n.status().IsCancelled()) break;
      return ReportError(n.status());
    }
    eof = *n == 0;
    // Every complete line is a record; at the end of input the last line need not end in '\n'.
    batch.clear();
    size_t start = 0;
    while (true) {
      size_t nl = pending.find('\n', start);
      if (nl == std::string::npos && !(eof && start < pending.size())) break;
      size_t end = nl == std::string::npos ? pending.size() : nl;
      std::string_view line(pending.data() + start, end - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      Record& r = batch.emplace_back();
      size_t sep = o.key_separator.empty() ? std::string_view::npos : line.find(o.key_separator);
      if (sep != std::string_view::npos) {
        r.key = std::string(line.substr(0, sep));
        r.value = std::string(line.substr(sep + o.key_separator.size()));
      } else {
        r.value = std::string(line);
      }
      start = nl == std::string::npos ? pending.size() : nl + 1;
    }
    pending.erase(0, start);
    if (batch.empty()) continue;
    // The batch is acknowledged (durable under log.fsync) before the next input is read.
    Status sent = o.partition ? (*producer)->Append(topic, PartitionId(*o.partition), batch).status()
                              : (*producer)->Send(topic, batch);
    if (!sent.ok()) {
      std::fprintf(stderr, "rtpipe: %lld records acknowledged before the failure\n", static_cast<long long>(acked));
      return ReportError(sent);
    }
    acked += static_cast<int64_t>(batch.size());
    if (o.report_acks) std::fprintf(stderr, "acked %lld\n", static_cast<long long>(acked));
  }
  std::fprintf(stderr, "produced %lld records to %s\n", static_cast<long long>(acked), topic.c_str());
  return kExitOk;
}

Result<std::map<TopicPartition, Offset>> StartPositions(Log& log, const LogCommandOptions& o,
                                                        const std::string& topic) {
  RTPIPE_ASSIGN_OR_RETURN(TopicInfo info, log.DescribeTopic(topic));
  std::map<TopicPartition, Offset> committed;
  if (!o.group.empty()) {
    RTPIPE_ASSIGN_OR_RETURN(committed, log.CommittedOffsets(o.group, topic));
  }
  std::map<TopicPartition, Offset> positions;
  for (const auto& p : info.partitions) {
    if (o.partition && p.partition.value() != *o.partition) continue;
    TopicPartition tp{topic, p.partition};
    if (o.offset) {
      positions[tp] = Offset(*o.offset);
    } else if (auto it = committed.find(tp); it != committed.end()) {
      positions[tp] = it->second;
    } else {
      positions[tp] = o.from_beginning ? p.start_offset : p.end_offset;
    }
  }
  if (positions.empty()) {
    return Status::InvalidArgument("topic {} has {} partitions: there is no partition {}", topic,
                                   info.partitions.size(), o.partition.value_or(-1));
  }
  return positions;
}

int Consume(const GlobalOptions& global, const LogCommandOptions& o) {
  std::stop_source stop = InstallShutdownHandler();
  auto idle = ParseDuration(o.idle_exit);
  if (!idle.ok())
    return ReportError(Status::InvalidArgument("--idle-exit {}: {}", o.idle_exit, idle.status().message()));
  if (o.offset && !o.partition) return ReportError(Status::InvalidArgument("--offset needs --partition"));
  LogConfig config;
  auto log = OpenConfiguredLog(global, LogAccess::kReadOnly, &config);
  if (!log.ok()) return ReportError(log.status());
  std::string topic = o.topic.empty() ? config.topic : o.topic;
  auto positions = StartPositions(**log, o, topic);
  if (!positions.ok()) return ReportError(positions.status());
  auto consumer = (*log)->NewConsumer();
  if (!consumer.ok()) return ReportError(consumer.status());
  Status s = (*consumer)->Assign(*positions);
  if (!s.ok()) return ReportError(s);

  using Clock = std::chrono::steady_clock;
  auto last_data = Clock::now();
  auto last_commit = Clock::now();
  int64_t printed = 0;
  auto committed = *positions;
  auto commit = [&]() -> Status {
    if (o.group.empty()) return Status::OK();
    auto now_positions = (*consumer)->Positions();
    if (now_positions == committed) return Status::OK();
    RTPIPE_RETURN_IF_ERROR((*log)->CommitOffsets(o.group, now_positions));
    committed = std::move(now_positions);
    last_commit = Clock::now();
    return Status::OK();
  };
  std::string out;
  while (!stop.stop_requested() && (o.max_records < 0 || printed < o.max_records)) {
    auto wait = std::chrono::milliseconds(200);
    if (!o.follow) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*idle - (Clock::now() - last_data));
      if (left.count() <= 0) break;
      wait = std::min(wait, left);
    }
    size_t max = o.max_records < 0 ? 10000 : static_cast<size_t>(std::min<int64_t>(10000, o.max_records - printed));
    auto records = (*consumer)->Poll(max, wait, stop.get_token());
    if (!records.ok()) return ReportError(records.status());
    if (!records->empty()) {
      last_data = Clock::now();
      out.clear();
      for (const auto& r : *records) {
        if (o.print_offset) out += fmt::format("{}:{}\t", r.partition.value(), r.offset.value());
        if (o.print_key) out += r.key ? *r.key + "\t" : std::string("null\t");
        out += r.value.value_or("null");
        out += '\n';
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);  // a kill after this poll loses nothing it printed
      printed += static_cast<int64_t>(records->size());
    }
    if (Clock::now() - last_commit >= std::chrono::milliseconds(200)) {
      Status c = commit();
      if (!c.ok()) return ReportError(c);
    }
  }
  Status c = commit();
  if (!c.ok()) return ReportError(c);
  std::fprintf(stderr, "consumed %lld records from %s\n", static_cast<long long>(printed), topic.c_str());
  return kExitOk;
}

int Dump(const LogCommandOptions& o) {
  InitLogging(spdlog::level::warn);
  Status s = embedded::DumpLogPath(FileSystem::Default(), o.path, {o.records}, stdout);
  std::fflush(stdout);
  return s.ok() ? kExitOk : ReportError(s);
}

}  // namespace

void AddLogCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  auto o = std::make_shared<LogCommandOptions>();

  auto* topics = app.add_subcommand("topics", "List, create, describe and delete topics of the log at log.url");
  topics->require_subcommand(1);
  topics->add_subcommand("list", "Print the topics, one per line")->callback([&global, &selected] {
    selected = [&global] { return TopicsList(global); };
  });
  auto* create = topics->add_subcommand("create", "Create a topic");
  create->add_option("topic", o->topic, "Topic name (letters, digits, '_', '-', '.')")->required();
  create->add_option("-p,--partitions", o->partitions, "Number of partitions (default: log.partitions)")
      ->check(CLI::Range(1, 10000));
  create->callback([&global, &selected, o] { selected = [&global, o] { return TopicsCreate(global, *o); }; });
  auto* describe = topics->add_subcommand("describe", "Print each partition's offsets, size and segments");
  describe->add_option("topic", o->topic, "Topic name")->required();
  describe->callback([&global, &selected, o] { selected = [&global, o] { return TopicsDescribe(global, *o); }; });
  auto* del = topics->add_subcommand("delete", "Delete a topic and all its records");
  del->add_option("topic", o->topic, "Topic name")->required();
  del->callback([&global, &selected, o] { selected = [&global, o] { return TopicsDelete(global, *o); }; });

  auto* produce = app.add_subcommand(
      "produce",
      "Append stdin to a topic, one record per line (kafka-console-producer). Lines are sent in batches; each\n"
      "batch is acknowledged durable (log.fsync) before more input is read. Prints the count to stderr at the end.\n"
      "Creates the topic with log.partitions partitions if it does not exist.");
  produce->add_option("-t,--topic", o->topic, "Topic (default: log.topic)");
  produce->add_option("-p,--partition", o->partition,
                      "Append every record to this partition (default: by key hash; keyless lines round robin, one "
                      "batch at a time)");
  produce->add_option("-k,--key-separator", o->key_separator,
                      "Split each line at the first occurrence of this text into key and value (default: no key)");
  produce->add_flag("--report-acks", o->report_acks,
                    "After each durable batch print \"acked N\" (the running total) to stderr");
  produce->callback([&global, &selected, o] { selected = [&global, o] { return Produce(global, *o); }; });

  auto* consume = app.add_subcommand(
      "consume",
      "Print a topic's records to stdout, one value per line (kafka-console-consumer). Starts at the end of each\n"
      "partition unless --from-beginning, --offset or a --group's committed position says otherwise. Exits when\n"
      "nothing new arrived for --idle-exit (unless --follow), after --max-records, or on SIGINT/SIGTERM.\n"
      "Reads read-only: it can run while another process writes the log.");
  consume->add_option("-t,--topic", o->topic, "Topic (default: log.topic)");
  consume->add_flag("--from-beginning", o->from_beginning, "Start at the first stored record");
  consume->add_option("-g,--group", o->group,
                      "Consumer group: start at its committed positions and commit them as records are printed");
  consume->add_option("-p,--partition", o->partition, "Read only this partition");
  consume->add_option("--offset", o->offset, "Start at this offset (needs --partition)")->check(CLI::NonNegativeNumber);
  consume->add_option("-n,--max-records", o->max_records, "Exit after printing this many records");
  consume->add_flag("-f,--follow", o->follow, "Keep waiting for new records until interrupted");
  consume->add_option("--idle-exit", o->idle_exit, "Exit when nothing arrived for this long (e.g. 500ms, 2s, 1m)")
      ->capture_default_str();
  consume->add_flag("--print-key", o->print_key, "Print the key (\"null\" when none) and a tab before the value");
  consume->add_flag("--print-offset", o->print_offset, "Print partition:offset and a tab first");
  consume->callback([&global, &selected, o] { selected = [&global, o] { return Consume(global, *o); }; });

  auto* log = app.add_subcommand("log", "Inspect the embedded log's files");
  log->require_subcommand(1);
  auto* dump = log->add_subcommand(
      "dump",
      "Print the batches of a segment file (or of every segment of a partition directory): offsets, record\n"
      "count, timestamps, size, codec and whether the CRC is ok; .index and .timeindex files print their entries.");
  dump->add_option("path", o->path, "A .log/.index/.timeindex file, or a partition directory")->required();
  dump->add_flag("--records", o->records, "Also print every record (key, value, headers)");
  dump->callback([&selected, o] { selected = [o] { return Dump(*o); }; });
}

}  // namespace rtpipe
