// The embedded log's benchmark, every figure in one run on the same disk:
//   1. the disk's ceiling: dd if=/dev/zero bs=1M count=1024 conv=fdatasync into the bench directory;
//   2. durable append throughput (fsync=always, group commit) of 1 KiB records, and its ratio to dd;
//   3. append latency p50/p99/p99.9 at half that throughput, and at half the slower dd's bandwidth,
//      open loop (each append is scheduled at a fixed rate and timed from its schedule, so a stall
//      shows up as latency, not as fewer samples);
//   4. consume throughput from the page cache (in-process and read-only opener);
//   5. reopening a 1 GiB log after an unclean shutdown: with its recovery points (what a crash
//      costs) and without them (the full CRC scan, the worst case), in seconds per GB scanned;
//   6. the pipeline's own pattern: Send of 5000 keyed records at a time, one thread.
//
//   build/bench/log_bench [--dir DIR] [--seconds S] [--producers N] [--batch N] [--recovery-gib G]
//                         [--latency-batch N] [--latency-rate RECORDS_PER_S] [--steps 123456]
// DIR defaults to log_bench.data next to the binary (the build tree's disk); it is removed after.

#include <fmt/format.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/metrics.h"
#include "rtpipe/log/embedded/embedded_log.h"

namespace rtpipe {
namespace {

using Clock = std::chrono::steady_clock;
using embedded::EmbeddedLog;
using embedded::OpenEmbeddedLog;

struct Options {
  std::string dir;
  double seconds = 4;
  int producers = 8;  // two per partition: one writes while the other waits for the sync
  int partitions = 4;
  int batch = 256;          // records per append in the throughput run
  int latency_batch = 0;    // records per append in the latency run (0: the same as `batch`)
  double latency_rate = 0;  // records/s of an extra latency run (0: none)
  size_t record_bytes = 1024;
  double recovery_gib = 1;
  std::string steps = "123456";  // which of the numbered measurements to run
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::vector<Record> MakeRecords(int n, size_t bytes, int salt) {
  std::vector<Record> out(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    out[i].key = fmt::format("user-{}-{}", salt, i);
    out[i].value.assign(bytes, static_cast<char>('a' + (i + salt) % 26));
    out[i].timestamp = Timestamp{};
  }
  return out;
}

LogConfig BenchConfig(const Options& o, FsyncPolicy fsync) {
  LogConfig c;
  c.url = "file:" + o.dir;
  c.fsync = fsync;
  c.retention = std::chrono::milliseconds(-1);
  return c;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "?";
}

// 1. dd's durable sequential write bandwidth into the same directory, in MB/s.
double RunDd(const std::string& dir) {
  std::string file = dir + "/dd.tmp";
  std::string cmd = fmt::format("dd if=/dev/zero of='{}' bs=1M count=1024 conv=fdatasync 2>&1", file);
  auto start = Clock::now();
  FILE* p = ::popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int rc = p != nullptr ? ::pclose(p) : -1;
  double secs = Seconds(Clock::now() - start);
  std::filesystem::remove(file);
  if (rc != 0) {
    fmt::print(stderr, "dd failed: {}\n", out);
    return 0;
  }
  std::string last = out.substr(out.rfind('\n', out.size() - 2) + 1);
  fmt::print("  dd: {}", last);
  return 1024.0 * 1024 * 1024 / secs / 1e6;
}

// The disk's latency floor: one thread appends 256 KiB and fdatasyncs, for about a second.
void RunSyncProbe(const std::string& dir, Histogram* latency_us) {
  auto file = *FileSystem::Default().OpenFile(dir + "/probe.tmp", OpenMode::kCreateOrTrunc);
  std::string block(256 * 1024, 'p');
  auto start = Clock::now();
  while (Seconds(Clock::now() - start) < 1.0) {
    auto t0 = Clock::now();
    if (!file->Append(block).ok() || !file->Sync().ok()) break;
    latency_us->Record(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
  }
  std::filesystem::remove(dir + "/probe.tmp");
}

// Linux pressure stall information: the share of time tasks waited for the CPU / for IO over the
// last 10 s, to tell a busy machine from a slow log.
std::string Pressure() {
  std::string out;
  for (const char* what : {"cpu", "io"}) {
    std::ifstream in(std::string("/proc/pressure/") + what);
    std::string word;
    std::string avg10;
    in >> word >> avg10;  // "some avg10=12.34"
    out += fmt::format("{} {}% ", what, avg10.substr(avg10.find('=') + 1));
  }
  return out;
}

struct ThroughputResult {
  double records_per_s = 0;
  double mb_per_s = 0;
  uint64_t syncs = 0;
};

// 2. Producers append batches of 1 KiB records as fast as acknowledgements come back.
ThroughputResult RunThroughput(const Options& o) {
  auto log = *OpenEmbeddedLog(o.dir, BenchConfig(o, FsyncPolicy::kAlways), LogAccess::kReadWrite);
  (void)log->CreateTopic({"bench", o.partitions});
  auto producer = *log->NewProducer();
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> records{0};
  std::vector<std::thread> threads;
  auto start = Clock::now();
  for (int t = 0; t < o.producers; ++t) {
    threads.emplace_back([&, t] {
      auto batch = MakeRecords(o.batch, o.record_bytes, t);
      while (!stop) {
        auto r = producer->Append("bench", PartitionId(t % o.partitions), batch);
        if (!r.ok()) {
          fmt::print(stderr, "append failed: {}\n", r.status().message());
          return;
        }
        records += static_cast<uint64_t>(o.batch);
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& th : threads) th.join();
  double secs = Seconds(Clock::now() - start);
  ThroughputResult r;
  r.records_per_s = static_cast<double>(records) / secs;
  r.mb_per_s = r.records_per_s * static_cast<double>(o.record_bytes) / 1e6;
  for (int p = 0; p < o.partitions; ++p) r.syncs += *log->SyncRounds({"bench", PartitionId(p)});
  return r;
}

// 3. Open loop at `rate` records/s: requests of `per_request` records are due at fixed times;
// workers take the next due request, wait for its time, append it and time it from its due time.
void RunLatency(const Options& o, double rate, int per_request, Histogram* latency_us, double* achieved) {
  auto log = *OpenEmbeddedLog(o.dir, BenchConfig(o, FsyncPolicy::kAlways), LogAccess::kReadWrite);
  (void)log->EnsureTopic({"latency", o.partitions});
  auto producer = *log->NewProducer();
  const int requests_of = per_request;
  const double request_rate = rate / requests_of;
  const auto interval = std::chrono::duration<double>(1.0 / request_rate);
  const int64_t total = static_cast<int64_t>(request_rate * o.seconds);
  std::atomic<int64_t> next{0};
  auto start = Clock::now() + std::chrono::milliseconds(20);
  std::vector<std::thread> workers;
  // Enough workers that a request never waits for a free one at these rates (Little's law: rate x
  // latency in flight), so that what is measured is the log, not the harness.
  for (int w = 0; w < 64; ++w) {
    workers.emplace_back([&, w] {
      auto records = MakeRecords(requests_of, o.record_bytes, w);
      for (int64_t i = next++; i < total; i = next++) {
        auto due = start + std::chrono::duration_cast<Clock::duration>(interval * static_cast<double>(i));
        std::this_thread::sleep_until(due);
        auto r = producer->Append("latency", PartitionId(static_cast<int>(i % o.partitions)), records);
        if (!r.ok()) return;
        latency_us->Record(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due).count());
      }
    });
  }
  for (auto& th : workers) th.join();
  *achieved = static_cast<double>(total * requests_of) / Seconds(Clock::now() - start);
}

// 6. The pipeline's shape: one thread Sends batches of 5000 keyed ~1 KiB records (spread over the
// partitions by key hash) and waits for each to be durable, as the capture stage does.
void RunPipelineShaped(const Options& o, double* records_per_s, Histogram* latency_us) {
  auto log = *OpenEmbeddedLog(o.dir, BenchConfig(o, FsyncPolicy::kAlways), LogAccess::kReadWrite);
  (void)log->EnsureTopic({"pipeline", o.partitions});
  auto producer = *log->NewProducer();
  auto batch = MakeRecords(5000, o.record_bytes, 11);
  uint64_t records = 0;
  auto start = Clock::now();
  while (Seconds(Clock::now() - start) < o.seconds) {
    auto t0 = Clock::now();
    if (!producer->Send("pipeline", batch).ok()) return;
    latency_us->Record(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
    records += batch.size();
  }
  *records_per_s = static_cast<double>(records) / Seconds(Clock::now() - start);
}

// 4. Reads every record of `topic` from the start, through an in-process or a read-only log.
double RunConsume(const Options& o, LogAccess access, uint64_t* count) {
  auto log = *OpenEmbeddedLog(o.dir, BenchConfig(o, FsyncPolicy::kAlways), access);
  auto consumer = *log->NewConsumer();
  std::map<TopicPartition, Offset> positions;
  for (int p = 0; p < o.partitions; ++p) positions[{"bench", PartitionId(p)}] = Offset(0);
  (void)consumer->Assign(positions);
  *count = 0;
  auto start = Clock::now();
  while (true) {
    auto got = consumer->Poll(5000, std::chrono::milliseconds(0), {});  // process.batch_size
    if (!got.ok() || got->empty()) break;
    *count += got->size();
  }
  return static_cast<double>(*count) / Seconds(Clock::now() - start);
}

// 5. A child process writes `gib` GiB (fsync=always, the default) and exits without closing the
// log (no clean-shutdown marker, recovery points as its maintenance thread last left them); the
// parent then reopens it.
struct RecoveryResult {
  double seconds = 0;
  uint64_t bytes_scanned = 0;
};

bool WriteUncleanLog(const Options& o, const std::string& dir) {
  pid_t pid = ::fork();
  if (pid == 0) {
    Options c = o;
    c.dir = dir;
    auto log = *OpenEmbeddedLog(dir, BenchConfig(c, FsyncPolicy::kAlways), LogAccess::kReadWrite);
    (void)log->CreateTopic({"bench", o.partitions});
    auto producer = *log->NewProducer();
    auto batch = MakeRecords(1024, o.record_bytes, 7);
    auto target = static_cast<uint64_t>(o.recovery_gib * 1024 * 1024 * 1024);
    uint64_t written = 0;
    for (int i = 0; written < target; ++i) {
      if (!producer->Append("bench", PartitionId(i % o.partitions), batch).ok()) ::_exit(2);
      written += batch.size() * (o.record_bytes + 30);
    }
    ::_exit(0);  // at once, with no destructor: an unclean stop at an arbitrary moment
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

RecoveryResult TimeReopen(const Options& o, const std::string& dir) {
  Options c = o;
  c.dir = dir;
  auto start = Clock::now();
  auto log = OpenEmbeddedLog(dir, BenchConfig(c, FsyncPolicy::kAlways), LogAccess::kReadWrite);
  RecoveryResult r;
  r.seconds = Seconds(Clock::now() - start);
  if (!log.ok()) {
    fmt::print(stderr, "reopen failed: {}\n", log.status().message());
    return r;
  }
  r.bytes_scanned = (*log)->recovery_stats().bytes_scanned;
  (void)(*log)->Close();
  return r;
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".log") total += e.file_size();
  }
  return total;
}

int Main(int argc, char** argv) {
  Options o;
  o.dir = (std::filesystem::path(argv[0]).parent_path() / "log_bench.data").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    std::string value = argv[i + 1];
    if (flag == "--dir") o.dir = value;
    if (flag == "--seconds") o.seconds = std::stod(value);
    if (flag == "--producers") o.producers = std::stoi(value);
    if (flag == "--batch") o.batch = std::stoi(value);
    if (flag == "--latency-batch") o.latency_batch = std::stoi(value);
    if (flag == "--latency-rate") o.latency_rate = std::stod(value);
    if (flag == "--recovery-gib") o.recovery_gib = std::stod(value);
    if (flag == "--steps") o.steps = value;
  }
  auto step = [&o](char c) { return o.steps.find(c) != std::string::npos; };
  InitLogging(spdlog::level::warn);
  std::filesystem::remove_all(o.dir);
  std::filesystem::create_directories(o.dir);
  struct utsname u {};
  ::uname(&u);
  struct statfs sfs {};
  ::statfs(o.dir.c_str(), &sfs);
  fmt::print("log_bench: {} ; {} {} ; {} CPUs ; fs type {:#x} ; dir {}\n", CpuModel(), u.sysname, u.release,
             std::thread::hardware_concurrency(), static_cast<uint64_t>(sfs.f_type), o.dir);
  fmt::print("  machine pressure at start (tasks stalled, last 10 s): {}\n", Pressure());

  // The disk's speed drifts (it is shared): dd runs before and after the append run, A-B-A, and
  // the ratio uses their mean.
  double dd = 0;
  double dd_slowest = 0;  // MB/s
  double dd_before = step('1') ? RunDd(o.dir) : 0;
  if (!step('2') && !step('3') && !step('4')) o.seconds = 0.5;  // step 5 alone: no timed runs
  ThroughputResult t = RunThroughput(o);
  if (step('1')) {
    double dd_after = RunDd(o.dir);
    dd = (dd_before + dd_after) / 2;
    dd_slowest = std::min(dd_before, dd_after);
    fmt::print("1. dd 1 GiB conv=fdatasync:           {:8.0f} MB/s (mean of {:.0f} before and {:.0f} after run 2)\n",
               dd, dd_before, dd_after);
    Histogram probe;
    RunSyncProbe(o.dir, &probe);
    fmt::print(
        "   disk latency floor, 256 KiB append + fdatasync, one thread: p50 {:.2f} ms, p99 {:.2f} ms ({} syncs)\n",
        probe.Percentile(50) / 1000.0, probe.Percentile(99) / 1000.0, probe.count());
  }
  if (step('2'))
    fmt::print(
        "2. durable append (fsync=always):     {:8.0f} records/s of {} B = {:.0f} MB/s = {:.0f}% of dd "
        "({} producers x {} records/append, {} partitions, {} fdatasyncs, {:.0f} records/sync)\n",
        t.records_per_s, o.record_bytes, t.mb_per_s, dd > 0 ? 100 * t.mb_per_s / dd : 0, o.producers, o.batch,
        o.partitions, t.syncs, t.records_per_s * o.seconds / std::max<double>(1, static_cast<double>(t.syncs)));

  if (step('3')) {
    // Half of the throughput just measured, in appends of the same size (--latency-batch to vary).
    // The page cache absorbs a short run faster than the disk sustains, so also at half of the
    // slower dd (the disk's sustained bandwidth), when step 1 ran.
    int per_request = o.latency_batch > 0 ? o.latency_batch : o.batch;
    struct Load {
      const char* name;
      double records_per_s;
    };
    std::vector<Load> loads = {{"half load", t.records_per_s / 2}};
    if (dd_slowest > 0) loads.push_back({"half of slower dd", dd_slowest * 1e6 / o.record_bytes / 2});
    if (o.latency_rate > 0) loads.push_back({"--latency-rate", o.latency_rate});
    for (const Load& load : loads) {
      Histogram latency;
      double achieved = 0;
      RunLatency(o, load.records_per_s, per_request, &latency, &achieved);
      fmt::print(
          "3. append latency at {:<18} p50 {:.2f} ms, p99 {:.2f} ms, p99.9 {:.2f} ms, max {:.2f} ms "
          "({:.0f} records/s offered as {}-record appends, open loop)\n",
          std::string(load.name) + ":", latency.Percentile(50) / 1000.0, latency.Percentile(99) / 1000.0,
          latency.Percentile(99.9) / 1000.0, static_cast<double>(latency.max()) / 1000.0, achieved, per_request);
    }
  }

  uint64_t n = 0;
  uint64_t m = 0;
  double in_process = step('4') ? RunConsume(o, LogAccess::kReadWrite, &n) : 0;
  double read_only = step('4') ? RunConsume(o, LogAccess::kReadOnly, &m) : 0;
  if (step('4'))
    fmt::print(
        "4. consume from page cache:           {:8.0f} records/s in-process ({} records), {:.0f} records/s "
        "read-only opener ({} records)\n",
        in_process, n, read_only, m);

  std::string rdir = o.dir + "/recovery";
  std::filesystem::remove_all(rdir);
  if (!step('5')) {
  } else if (WriteUncleanLog(o, rdir)) {
    double gb = static_cast<double>(DirBytes(rdir)) / 1e9;
    RecoveryResult with_points = TimeReopen(o, rdir);
    // Worst case: no recovery points (e.g. a crash before the first checkpoint): scan everything.
    if (!WriteUncleanLog(o, rdir + "2")) return 1;
    for (const auto& e : std::filesystem::recursive_directory_iterator(rdir + "2")) {
      if (e.path().filename() == "recovery-point") std::filesystem::remove(e.path());
    }
    RecoveryResult full = TimeReopen(o, rdir + "2");
    fmt::print(
        "5. reopen after an unclean stop, {:.2f} GB log: {:.3f} s with recovery points ({:.0f} MB scanned); "
        "full scan {:.3f} s for {:.2f} GB = {:.2f} s/GB (page cache)\n",
        gb, with_points.seconds, static_cast<double>(with_points.bytes_scanned) / 1e6, full.seconds,
        static_cast<double>(full.bytes_scanned) / 1e9,
        full.seconds / std::max(1e-9, static_cast<double>(full.bytes_scanned) / 1e9));
  } else {
    fmt::print("5. recovery: the writer child failed\n");
  }
  if (step('6')) {
    double rate = 0;
    Histogram send_latency;
    RunPipelineShaped(o, &rate, &send_latency);
    fmt::print(
        "6. pipeline-shaped Send of 5000 keyed records over {} partitions: {:.0f} records/s, {:.0f} MB/s, "
        "per Send p50 {:.2f} ms p99 {:.2f} ms\n",
        o.partitions, rate, rate * static_cast<double>(o.record_bytes) / 1e6, send_latency.Percentile(50) / 1000.0,
        send_latency.Percentile(99) / 1000.0);
  }

  fmt::print("  machine pressure at end: {}\n", Pressure());
  std::filesystem::remove_all(o.dir);
  return 0;
}

}  // namespace
}  // namespace rtpipe

int main(int argc, char** argv) { return rtpipe::Main(argc, argv); }
