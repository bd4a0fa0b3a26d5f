// `rtpipe bench`: the end-to-end benchmark on embedded defaults with a fixed seed.
//
// 0. The generator renders the users of seed "bench" as API responses in files, before anything is
//    timed: the runs read them with the file: source (receive and parse, as from the API), so the
//    figures are the pipeline's own cost, not the cost of making up users.
// 1. Each stage alone on the same data, to name the bottleneck: ingest (saved pages -> landing)
//    lands N records; capture moves them to the log; process takes them from the log to the store.
// 2. The whole pipeline on N fresh records (every stage at once on the same cores), and as
//    `rtpipe run` runs by default: with the generator in the process. The CPU time each thread
//    spends per record in the whole pipeline says what bounds it when the cores are busy. Then what
//    the windowed aggregation costs: alternating runs of N/3 records with and without it
//    (AggregationPairs).
// 3. Source-to-store latency at a fixed offered load (users every 100 ms, from saved pages), into
//    stores that hold --store-users users when it starts (filled first, at full speed).
// The bytes the whole pipeline writes are set against the disk's durable sequential write rate,
// measured in the same directory before the runs, as dd measures it; its CPU time per record against
// the machine's speed, measured right before and after its run (JsonParseRate).
// Each timed run starts on a settled disk (Settle).
// Durability stays on (log.fsync=always; a SQLite store's commit is on disk before the next stage
// reads it, docs/architecture.md, "Where state lives"). Peak RSS is measured per phase
// (Linux: /proc/self/status VmHWM, reset through /proc/self/clear_refs before each phase, once the
// allocator has given back what the phases before freed), so the figure of the whole pipeline is
// that of one `rtpipe run`, not of the phases before it.

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "rtpipe/app/cli.h"
#include "rtpipe/app/pipeline.h"
#include "rtpipe/app/status_report.h"
#include "rtpipe/base/file_system.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/base/thread_name.h"
#include "rtpipe/capture/capture_service.h"
#include "rtpipe/log/log_factory.h"
#include "rtpipe/process/process_service.h"
#include "rtpipe/source/file_source.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

struct BenchOptions {
  int64_t records = 300'000;
  int64_t rate = 50'000;
  int seconds = 10;
  int64_t store_users = 0;  // users the stores hold when the latency run starts
  std::string dir;
  bool keep = false;
};

constexpr int kUsersPerRequest = 5000;  // the API's maximum
constexpr const char* kSeed = "bench";

// `source_url`: file:DIRECTORY of pages RenderPages saved, or "generator".
Config BenchConfig(const Config& base, const std::filesystem::path& dir, const std::string& source_url) {
  Config c = base;
  c.source.url = source_url;
  c.source.seed = kSeed;
  c.source.results = kUsersPerRequest;
  c.source.interval = std::chrono::milliseconds(0);
  c.source.bad_rate = 0;
  c.landing.url = "sqlite:" + (dir / "landing.db").string();
  c.log.url = "file:" + (dir / "log").string();
  c.sink.url = "sqlite:" + (dir / "analytics.db").string();
  c.run.status_interval = std::chrono::milliseconds(1000);
  return c;
}

// mimalloc's, when the binary allocates with it (sanitizer builds do not): gives the system back
// the memory that threads which ended had freed.
extern "C" void mi_collect(bool force) __attribute__((weak));

// Starts a new peak-RSS measurement: the memory the allocator kept from the runs before is given
// back (40-86 MiB of it), and VmHWM becomes the current RSS.
void ResetPeakRss() {
  if (mi_collect != nullptr) mi_collect(true);
  std::ofstream("/proc/self/clear_refs") << "5";
}

// The number on the line "`field`: <number> ..." of /proc/self/`file` (0 when there is none).
int64_t ProcSelfNumber(const std::string& file, std::string_view field) {
  std::ifstream in("/proc/self/" + file);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > field.size() && line.starts_with(field) && line[field.size()] == ':') {
      return std::stoll(line.substr(field.size() + 1));
    }
  }
  return 0;
}

// The peak RSS since the last ResetPeakRss, in MiB.
double PeakRssMiB() { return static_cast<double>(ProcSelfNumber("status", "VmHWM")) / 1024.0; }

// The bytes this process has handed to write system calls so far.
int64_t BytesWritten() { return ProcSelfNumber("io", "wchar"); }

double Seconds(MonoTime since) { return std::chrono::duration<double>(Clock::System().Monotonic() - since).count(); }

// The baseline the pipeline's writes are set against: the disk's durable sequential write rate in
// `dir`, bytes/s, measured as `dd if=/dev/zero bs=1M count=512 conv=fdatasync` does (512 MiB in
// 1 MiB blocks, then fdatasync).
Result<double> DiskWriteRate(const std::filesystem::path& dir) {
  constexpr int kBlocks = 512;
  FileSystem& fs = FileSystem::Default();
  const std::string path = (dir / "disk-baseline.tmp").string();
  const std::vector<char> block(size_t{1} << 20, 0);
  MonoTime started = Clock::System().Monotonic();
  {
    RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(path, OpenMode::kCreateOrTrunc));
    for (int i = 0; i < kBlocks; ++i) RTPIPE_RETURN_IF_ERROR(file->Append(block));
    RTPIPE_RETURN_IF_ERROR(file->Sync());
  }
  const double seconds = Seconds(started);
  RTPIPE_RETURN_IF_ERROR(fs.RemoveFile(path));
  return static_cast<double>(kBlocks) * static_cast<double>(block.size()) / seconds;
}

// The machine's speed, the baseline of the pipeline's CPU time: the rate at which simdjson's DOM
// parser reads the saved pages in `pages` (up to 64 MB of them) on this thread, bytes/s, the best of
// three passes. These machines are shared, and how fast they run varies from hour to hour: the
// pipeline's CPU time per record times this rate, the JSON that parser reads in that time, moves
// much less with the machine than the time itself.
Result<double> JsonParseRate(const std::filesystem::path& pages) {
  constexpr size_t kMaxBytes = size_t{64} << 20;
  std::vector<simdjson::padded_string> texts;
  size_t bytes = 0;
  for (int64_t page = 1; bytes < kMaxBytes; ++page) {
    const std::filesystem::path path = FileSource::PagePath(pages, page);
    if (!std::filesystem::exists(path)) break;
    auto text = simdjson::padded_string::load(path.string());
    if (text.error() != simdjson::SUCCESS) {
      return Status::IoError("{}: {}", path.string(), simdjson::error_message(text.error()));
    }
    bytes += text.value().size();
    texts.push_back(std::move(text).value());
  }
  if (texts.empty()) return Status::NotFound("no saved pages in {}", pages.string());
  simdjson::dom::parser parser;
  double best = 0;
  for (int pass = 0; pass < 3; ++pass) {
    MonoTime started = Clock::System().Monotonic();
    for (const auto& text : texts) {
      simdjson::dom::element doc;
      if (auto e = parser.parse(text).get(doc)) return Status::Corruption("saved page: {}", simdjson::error_message(e));
    }
    best = std::max(best, static_cast<double>(bytes) / Seconds(started));
  }
  return best;
}

// The pages of `results` users that hold the first `records` users of the seed, as the API serves
// them, saved in `dir` for the file: source. Returns the generator's rate, users/s.
Result<double> RenderPages(const std::filesystem::path& dir, int results, int64_t records) {
  GeneratorRequest request;
  request.seed = kSeed;
  request.results = results;
  const Generator generator;
  std::chrono::nanoseconds generating{0};
  int64_t page = 1;
  for (; (page - 1) * results < records; ++page) {
    request.page = page;
    MonoTime started = Clock::System().Monotonic();
    std::string body = generator.Response(request);
    generating += Clock::System().Monotonic() - started;
    RTPIPE_RETURN_IF_ERROR(FileSource::SavePage(dir, page, body));
  }
  return static_cast<double>((page - 1) * results) / std::chrono::duration<double>(generating).count();
}

Result<double> RunPipeline(const Config& c, Role role, int64_t records, std::stop_token stop) {
  PipelineOptions options;
  options.role = role;
  options.record_limit = records;
  RTPIPE_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(c, options));
  MonoTime started = Clock::System().Monotonic();
  RTPIPE_RETURN_IF_ERROR(pipeline->Run(stop));
  return Seconds(started);
}

Result<double> CaptureAll(const Config& c, std::stop_token stop) {
  RTPIPE_ASSIGN_OR_RETURN(auto log, OpenLog(c.log, LogAccess::kReadWrite));
  RTPIPE_ASSIGN_OR_RETURN(auto feed, OpenChangeFeed(c));
  CaptureMetrics metrics;
  RTPIPE_ASSIGN_OR_RETURN(auto capture, CaptureService::Create(c, *feed, *log, metrics));
  MonoTime started = Clock::System().Monotonic();
  for (;;) {
    RTPIPE_ASSIGN_OR_RETURN(size_t n, capture->RunOnce(stop, std::chrono::milliseconds(0)));
    if (n == 0 || stop.stop_requested()) break;
  }
  return Seconds(started);
}

Result<double> ProcessAll(const Config& c, std::stop_token stop) {
  RTPIPE_ASSIGN_OR_RETURN(auto log, OpenLog(c.log, LogAccess::kReadWrite));
  RTPIPE_ASSIGN_OR_RETURN(auto sink, OpenSink(c));
  ProcessMetrics metrics;
  ProcessOptions options;
  options.stop_at_end = true;
  RTPIPE_ASSIGN_OR_RETURN(auto process, ProcessService::Create(c, *log, *sink, metrics, options));
  MonoTime started = Clock::System().Monotonic();
  RTPIPE_RETURN_IF_ERROR(process->Run(stop));
  return Seconds(started);
}

struct LatencyFigures {
  double offered = 0, achieved = 0;
  int64_t p50_us = 0, p99_us = 0, p999_us = 0;
};

// Offered load: rate/10 users every 100 ms.
int LatencyUsersPerRequest(const BenchOptions& o) {
  return static_cast<int>(std::clamp<int64_t>(o.rate / 10, 1, kUsersPerRequest));
}
int64_t LatencyRecords(const BenchOptions& o) { return int64_t{LatencyUsersPerRequest(o)} * 10 * o.seconds; }

// `c` reads pages of LatencyUsersPerRequest users, of which the stores hold the first o.store_users.
Result<LatencyFigures> MeasureLatency(Config c, const BenchOptions& o, std::stop_token stop) {
  c.source.interval = std::chrono::milliseconds(100);
  LatencyFigures f;
  f.offered = static_cast<double>(c.source.results) * 10;
  PipelineOptions options;
  options.record_limit = o.store_users + LatencyRecords(o);
  RTPIPE_ASSIGN_OR_RETURN(auto pipeline, Pipeline::Open(c, options));
  MonoTime started = Clock::System().Monotonic();
  RTPIPE_RETURN_IF_ERROR(pipeline->Run(stop));
  double seconds = Seconds(started);
  const Histogram& latency = pipeline->LatencyMicros();
  f.achieved = static_cast<double>(LatencyRecords(o)) / seconds;
  f.p50_us = latency.Percentile(50);
  f.p99_us = latency.Percentile(99);
  f.p999_us = latency.Percentile(99.9);
  return f;
}

// CPU time per record of each thread of the whole pipeline, the busiest first, and the rate the
// machine's cores would allow if they did nothing else. Returns the total, microseconds.
double PrintCpuPerRecord(const std::map<std::string, std::chrono::nanoseconds>& cpu, int64_t records) {
  std::vector<std::pair<std::string, double>> per_record;  // thread, microseconds per record
  double total = 0;
  for (const auto& [thread, used] : cpu) {
    double us = std::chrono::duration<double, std::micro>(used).count() / static_cast<double>(records);
    per_record.emplace_back(thread, us);
    total += us;
  }
  std::sort(per_record.begin(), per_record.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  fmt::print("CPU per record end to end: {:.1f} us, so {} cores allow at most {:.0f} records/s; by thread:\n", total,
             cores, total > 0 ? cores * 1e6 / total : 0.0);
  for (const auto& [thread, us] : per_record) {
    if (us >= 0.05) fmt::print("  {:<16} {:>6.1f} us  {:>3.0f}%\n", thread, us, 100.0 * us / total);
  }
  return total;
}

// Before each timed run: the data of the runs before it that nothing reads again goes (unless
// --keep), and what is left is written out (sync), so no run pays for another's writes. Without
// this the latency run, last, shared the disk with the writeback of the gigabytes the runs before
// it had left in the page cache: its p99 was 0.59-0.89 s, and 0.18-0.34 s with it.
void Settle(const BenchOptions& o, std::initializer_list<std::filesystem::path> done_with) {
  if (!o.keep) {
    std::error_code ignored;
    for (const auto& dir : done_with) std::filesystem::remove_all(dir, ignored);
  }
  ::sync();
}

// What the windowed aggregation costs: the whole pipeline on o.records / kAggregationPairs records
// (so that each kind of run lands o.records in all, as the e2e run does), with and without it,
// kAggregationPairs times in the order with, without, without, with, with, without, so that a
// machine that speeds up or slows down over the runs favours neither; each run on a settled disk
// (the caller settles it for the first). This shared machine's speed swings from run to run (19.3
// and 24.3 us of CPU per record in two runs in a row of the same 100,000 records), so the bench
// prints each pair's figure beside that of all the runs: single pairs of 300,000-record runs put the
// extra time anywhere from -2% to +29%, three pairs from -11% to +14%, where CPU-time samples put
// the aggregation's own work at about 2.5% of the CPU.
constexpr int kAggregationPairs = 3;
struct AggregationFigures {
  int64_t records = 0;                    // per run
  std::vector<double> with_s, without_s;  // by pair
};
Result<AggregationFigures> AggregationPairs(const Config& base, const BenchOptions& o,
                                            const std::filesystem::path& root, const std::string& saved,
                                            std::stop_token stop) {
  AggregationFigures f;
  f.records = std::max<int64_t>(o.records / kAggregationPairs, 1);
  f.with_s.resize(kAggregationPairs);
  f.without_s.resize(kAggregationPairs);
  for (int run = 0; run < 2 * kAggregationPairs; ++run) {
    const bool with = run % 4 == 0 || run % 4 == 3;
    const int pair = run / 2;
    const std::filesystem::path dir = root / fmt::format("aggregation-{}-{}", with ? "on" : "off", pair + 1);
    Config c = BenchConfig(base, dir, saved);
    c.process.window.enabled = with;
    RTPIPE_ASSIGN_OR_RETURN((with ? f.with_s : f.without_s)[pair], RunPipeline(c, Role::kAll, f.records, stop));
    Settle(o, {dir});  // the disk the next run starts on
  }
  return f;
}

// How much longer runs with aggregation took than those without, in percent.
double ExtraTimePercent(double with_s, double without_s) { return 100.0 * (with_s / without_s - 1.0); }

Status RunBench(const Config& base, const BenchOptions& o, std::stop_token stop) {
  std::filesystem::path root = o.dir.empty()
                                   ? std::filesystem::temp_directory_path() / fmt::format("rtpipe-bench-{}", ::getpid())
                                   : std::filesystem::path(o.dir);
  std::filesystem::remove_all(root);
  auto log = GetLogger("bench");
  log->info(
      "benchmark data under {} ({} records, seed \"{}\", log.fsync={}, each SQLite commit on disk before the next "
      "stage reads it)",
      root.string(), o.records, kSeed, base.log.fsync == FsyncPolicy::kAlways ? "always" : "not always");

  log->info("0/3 the generator saves the source's pages");
  const std::filesystem::path pages = root / fmt::format("pages-{}", kUsersPerRequest);
  const std::filesystem::path latency_pages = root / fmt::format("pages-{}", LatencyUsersPerRequest(o));
  const int64_t latency_users = o.store_users + LatencyRecords(o);
  RTPIPE_ASSIGN_OR_RETURN(
      double generator_rate,
      RenderPages(pages, kUsersPerRequest, pages == latency_pages ? std::max(o.records, latency_users) : o.records));
  if (latency_pages != pages) {
    RTPIPE_RETURN_IF_ERROR(RenderPages(latency_pages, LatencyUsersPerRequest(o), latency_users).status());
  }
  const std::string saved = "file:" + pages.string();
  log->info("the disk's durable sequential write rate, the baseline of the pipeline's writes");
  Settle(o, {});
  RTPIPE_ASSIGN_OR_RETURN(double disk_rate, DiskWriteRate(root));

  Config staged = BenchConfig(base, root / "staged", saved);
  log->info("1/3 each stage alone");
  Settle(o, {});
  RTPIPE_ASSIGN_OR_RETURN(double ingest_s, RunPipeline(staged, Role::kIngest, o.records, stop));
  Settle(o, {});
  RTPIPE_ASSIGN_OR_RETURN(double capture_s, CaptureAll(staged, stop));
  Settle(o, {});
  RTPIPE_ASSIGN_OR_RETURN(double process_s, ProcessAll(staged, stop));
  log->info("2/3 the whole pipeline, again with the generator in the process, and with and without aggregation");
  log->info("the machine's speed before and after the first of them, the baseline of the pipeline's CPU time");
  RTPIPE_ASSIGN_OR_RETURN(double parse_rate_before, JsonParseRate(pages));
  Settle(o, {root / "staged"});
  ResetPeakRss();
  TakeEndedThreadCpu();
  const std::chrono::nanoseconds main_cpu_before = ThreadCpuTime();
  const int64_t written_before = BytesWritten();
  RTPIPE_ASSIGN_OR_RETURN(double e2e_s,
                          RunPipeline(BenchConfig(base, root / "e2e", saved), Role::kAll, o.records, stop));
  const auto e2e_written = static_cast<double>(BytesWritten() - written_before);
  double e2e_rss = PeakRssMiB();
  std::map<std::string, std::chrono::nanoseconds> e2e_cpu = TakeEndedThreadCpu();
  e2e_cpu["(main)"] += ThreadCpuTime() - main_cpu_before;
  RTPIPE_ASSIGN_OR_RETURN(double parse_rate_after, JsonParseRate(pages));
  Settle(o, {root / "e2e"});
  ResetPeakRss();
  RTPIPE_ASSIGN_OR_RETURN(double generated_s, RunPipeline(BenchConfig(base, root / "e2e-generator", "generator"),
                                                          Role::kAll, o.records, stop));
  double generated_rss = PeakRssMiB();
  Settle(o, {root / "e2e-generator"});
  log->info("what the windowed aggregation costs: {} alternating pairs of runs with and without it", kAggregationPairs);
  RTPIPE_ASSIGN_OR_RETURN(AggregationFigures aggregation, AggregationPairs(base, o, root, saved, stop));
  log->info("3/3 latency at a fixed offered load");
  Config latency_config = BenchConfig(base, root / "latency", "file:" + latency_pages.string());
  latency_config.source.results = LatencyUsersPerRequest(o);
  if (o.store_users > 0) {
    log->info("the latency run's stores first take {} users, at full speed", o.store_users);
    RTPIPE_RETURN_IF_ERROR(RunPipeline(latency_config, Role::kAll, o.store_users, stop).status());
    Settle(o, {});
  }
  ResetPeakRss();
  RTPIPE_ASSIGN_OR_RETURN(LatencyFigures latency, MeasureLatency(latency_config, o, stop));
  double latency_rss = PeakRssMiB();
  if (!o.keep) std::filesystem::remove_all(root);

  auto records = static_cast<double>(o.records);
  struct Stage {
    const char* name;
    double rate;
  } stages[] = {{"ingest   (saved pages -> landing)", records / ingest_s},
                {"capture  (outbox -> log)", records / capture_s},
                {"process  (log -> store)", records / process_s}};
  const Stage* slowest = &stages[0];
  for (const auto& s : stages) slowest = s.rate < slowest->rate ? &s : slowest;
  double e2e = records / e2e_s;
  StatusLine::Clear();
  fmt::print(
      "rtpipe bench: {} records, durable (log.fsync=always; a SQLite store's commit is on disk before the next "
      "stage reads it)\n",
      o.records);
  fmt::print(
      "source: seed \"{}\" saved as API responses by the generator ({:.0f} records/s on one thread) and read\n"
      "back with the file: source, so the figures are the pipeline's own cost; the last end-to-end line\n"
      "runs the generator in the process, as `rtpipe run` does by default\n",
      kSeed, generator_rate);
  fmt::print("{:<34} {:>12}\n", "stage alone", "records/s");
  for (const auto& s : stages) fmt::print("{:<34} {:>12.0f}\n", s.name, s.rate);
  fmt::print("{:<34} {:>12.0f}   ({:.2f} x the slowest stage alone: {})\n", "end to end (all stages at once)", e2e,
             e2e / slowest->rate, slowest->name);
  fmt::print("{:<34} {:>12.0f}   ({:.2f} x the rate from saved pages)\n", "end to end, generator in process",
             records / generated_s, e2e_s / generated_s);
  const double with_s = std::accumulate(aggregation.with_s.begin(), aggregation.with_s.end(), 0.0);
  const double without_s = std::accumulate(aggregation.without_s.begin(), aggregation.without_s.end(), 0.0);
  const auto records_per_kind = static_cast<double>(aggregation.records * kAggregationPairs);  // with, or without
  std::vector<std::string> pairs;
  for (int i = 0; i < kAggregationPairs; ++i) {
    pairs.push_back(fmt::format("{:+.1f}%", ExtraTimePercent(aggregation.with_s[i], aggregation.without_s[i])));
  }
  fmt::print("{:<34} {:>12.0f}   (with it {:.0f}/s, time {:+.1f}%; over {} alternating pairs of runs\n",
             "end to end without aggregation", records_per_kind / without_s, records_per_kind / with_s,
             ExtraTimePercent(with_s, without_s), kAggregationPairs);
  fmt::print("{:<34} {:>12}   of {} records each, pair by pair {})\n", "", "", aggregation.records,
             fmt::join(pairs, ", "));
  const double cpu_us = PrintCpuPerRecord(e2e_cpu, o.records);
  fmt::print(
      "machine speed: simdjson's DOM parser read the saved pages at {:.0f} MB/s on one thread before that run\n"
      "and {:.0f} MB/s after it (best of 3 passes); at their mean, a record's CPU time is that of parsing {:.1f} KB\n",
      parse_rate_before / 1e6, parse_rate_after / 1e6, cpu_us * (parse_rate_before + parse_rate_after) / 2 / 1e9);
  fmt::print(
      "writes end to end: {:.1f} KB per record, {:.0f} MB/s = {:.2f} x the disk's durable sequential rate\n"
      "({:.0f} MB/s in the same directory, as dd bs=1M count=512 conv=fdatasync measures it)\n",
      e2e_written / records / 1e3, e2e_written / e2e_s / 1e6, e2e_written / e2e_s / disk_rate, disk_rate / 1e6);
  fmt::print(
      "latency at {:.0f} records/s offered ({} users every 100 ms, into stores growing from {} to {} users; "
      "achieved {:.0f}/s): p50 {} p99 {} p99.9 {}\n",
      latency.offered, LatencyUsersPerRequest(o), o.store_users, latency_users, latency.achieved,
      FormatDuration(std::chrono::microseconds(latency.p50_us)),
      FormatDuration(std::chrono::microseconds(latency.p99_us)),
      FormatDuration(std::chrono::microseconds(latency.p999_us)));
  fmt::print(
      "peak RSS {:.1f} MiB end to end ({} users per request, no pacing; {:.1f} MiB with the generator in process), "
      "{:.1f} MiB at the offered load\n",
      e2e_rss, kUsersPerRequest, generated_rss, latency_rss);
  return Status::OK();
}

}  // namespace

void AddBenchCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  auto options = std::make_shared<BenchOptions>();
  auto* bench = app.add_subcommand(
      "bench",
      "End-to-end benchmark on embedded defaults with a fixed seed. The generator first saves the source's\n"
      "pages as files, read back with the file: source, so the figures are the pipeline's own cost. Then:\n"
      "each stage alone (to name the bottleneck); the whole pipeline with the CPU each thread spends per\n"
      "record, and again with the generator in the process (as `rtpipe run` by default); what the windowed\n"
      "aggregation costs, over alternating runs with and without it; source-to-store\n"
      "latency at a fixed offered load, into stores that hold --store-users users when it starts; peak RSS;\n"
      "the bytes written per record, against the disk's durable sequential write rate measured in the same\n"
      "directory; the CPU time per record, against the machine's speed right before and after that run (the\n"
      "rate at which simdjson's DOM parser reads the saved pages on one thread). Durability stays on. Each\n"
      "timed run starts on a settled disk: the earlier runs' data removed (unless --keep) and the rest written\n"
      "out.");
  bench->add_option("--records", options->records, "Records for the throughput runs")->check(CLI::PositiveNumber);
  bench->add_option("--rate", options->rate, "Offered load of the latency run, records/s")->check(CLI::PositiveNumber);
  bench->add_option("--seconds", options->seconds, "Length of the latency run")->check(CLI::PositiveNumber);
  bench
      ->add_option("--store-users", options->store_users,
                   "Users the stores hold when the latency run starts (filled first, at full speed; default 0)")
      ->check(CLI::NonNegativeNumber);
  bench->add_option("--dir", options->dir, "Where to put the benchmark's data (default: a temporary directory)");
  bench->add_flag("--keep", options->keep, "Keep every run's data (by default each goes once no later run reads it)");
  bench->callback([&global, &selected, options] {
    selected = [&global, options] {
      std::stop_source stop = InstallShutdownHandler();
      auto loaded = LoadEffectiveConfig(global);
      if (!loaded.ok()) return ReportError(loaded.status());
      Status s = RunBench(loaded->config, *options, stop.get_token());
      return s.ok() ? kExitOk : ReportError(s);
    };
  });
}

}  // namespace rtpipe
