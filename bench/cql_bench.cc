// cql_bench: rows/s of prepared upserts into a running Cassandra node through rtpipe's CQL client,
// with a fixed number of requests in flight. Rows come from a TSV file shared with the Python peer
// (bench/cassandra/run generates it), so both write exactly the same data into the same table
// (bench/cassandra/schema.cql: rtpipe_bench.created_users).
//
//   cql_bench --host 127.0.0.1:19042 --rows-file rows.tsv [--concurrency 256] [--connections 2]
//             [--consistency LOCAL_QUORUM] [--limit N] [--batch N]
//
// The host may also come from $RTPIPE_BENCH_CASSANDRA. Without one it fails: it needs a real node
// (bench/cassandra/run starts one). After the timed run it checks that the table holds every row.
// Prints one line: "cql_bench: <rows> rows in <s> s = <rows/s> rows/s ...".

#include <fmt/format.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <vector>

#include "rtpipe/base/logging.h"
#include "rtpipe/sink/cassandra/session.h"

namespace {

using namespace rtpipe;
using namespace rtpipe::cql;

constexpr int kTextColumns = 10;
constexpr const char* kInsert =
    "INSERT INTO rtpipe_bench.created_users (id, first_name, last_name, gender, address, post_code, email, "
    "username, registered_date, phone, picture, dob, age) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

struct Args {
  std::string host;
  std::string rows_file;
  int concurrency = 256;
  int connections = 2;
  int batch = 1;
  size_t limit = 0;
  Consistency consistency = Consistency::kLocalQuorum;
};

[[noreturn]] void Die(const std::string& message) {
  std::cerr << "cql_bench: " << message << "\n";
  std::exit(2);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (const char* env = std::getenv("RTPIPE_BENCH_CASSANDRA")) a.host = env;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(flag + " needs a value");
      return argv[++i];
    };
    if (flag == "--host") {
      a.host = value();
    } else if (flag == "--rows-file") {
      a.rows_file = value();
    } else if (flag == "--concurrency") {
      a.concurrency = std::stoi(value());
    } else if (flag == "--connections") {
      a.connections = std::stoi(value());
    } else if (flag == "--batch") {
      a.batch = std::stoi(value());
    } else if (flag == "--limit") {
      a.limit = std::stoul(value());
    } else if (flag == "--consistency") {
      auto c = ParseConsistency(value());
      if (!c.ok()) Die(c.status().message());
      a.consistency = *c;
    } else {
      Die("unknown flag " + flag +
          " (flags: --host, --rows-file, --concurrency, --connections, --batch, --limit, --consistency)");
    }
  }
  if (a.host.empty()) {
    Die("needs a running Cassandra node: pass --host host:port or set RTPIPE_BENCH_CASSANDRA "
        "(bench/cassandra/run starts a node and runs this benchmark against it)");
  }
  if (a.rows_file.empty()) Die("needs --rows-file (bench/cassandra/gen_rows.py writes one)");
  return a;
}

// One TSV line: id, 10 text columns, dob (YYYY-MM-DD), age.
Result<std::vector<CqlValue>> ParseRow(const std::string& line) {
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    size_t tab = line.find('\t', start);
    fields.emplace_back(std::string_view(line).substr(start, tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  if (fields.size() != 2 + kTextColumns + 1) {
    return Status::InvalidArgument("row has {} fields, want {}", fields.size(), 2 + kTextColumns + 1);
  }
  std::vector<CqlValue> values;
  values.reserve(fields.size());
  RTPIPE_ASSIGN_OR_RETURN(Uuid id, Uuid::Parse(fields[0]));
  values.push_back(CqlValue::FromUuid(id));
  for (int c = 1; c <= kTextColumns; ++c) values.push_back(CqlValue::Text(std::string(fields[static_cast<size_t>(c)])));
  RTPIPE_ASSIGN_OR_RETURN(CqlDate dob, CqlDate::Parse(fields[kTextColumns + 1]));
  values.push_back(CqlValue::FromDate(dob));
  values.push_back(CqlValue::Int(std::stoi(std::string(fields[kTextColumns + 2]))));
  return values;
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  InitLogging(spdlog::level::err);
  Args args = ParseArgs(argc, argv);

  std::vector<std::vector<CqlValue>> rows;
  {
    std::ifstream in(args.rows_file);
    if (!in) Die("cannot read " + args.rows_file);
    std::string line;
    while (std::getline(in, line) && (args.limit == 0 || rows.size() < args.limit)) {
      auto row = ParseRow(line);
      if (!row.ok()) Die(fmt::format("{} line {}: {}", args.rows_file, rows.size() + 1, row.status().message()));
      rows.push_back(std::move(*row));
    }
  }

  CqlOptions options;
  options.hosts = {args.host};
  options.connections_per_host = args.connections;
  options.max_in_flight = args.concurrency;
  options.consistency = args.consistency;
  auto session = CqlSession::Connect(options);
  if (!session.ok()) Die(session.status().ToString());
  auto& s = **session;
  Status reset = s.Execute("TRUNCATE rtpipe_bench.created_users").status();
  if (!reset.ok()) Die("TRUNCATE (create the schema with bench/cassandra/schema.cql first): " + reset.ToString());
  auto insert = s.Prepare(kInsert);
  if (!insert.ok()) Die(insert.status().ToString());

  std::mutex mu;
  std::condition_variable cv;
  size_t completed = 0;  // guarded by mu
  std::atomic<size_t> failures{0};
  std::string first_failure;  // guarded by mu
  auto on_done = [&](const Status& st, size_t n) {
    std::lock_guard lock(mu);
    if (!st.ok() && failures.fetch_add(n) == 0) first_failure = st.ToString();
    completed += n;
    if (completed == rows.size()) cv.notify_all();
  };

  // Values are moved into the requests: copy them out of `rows` first so the timing covers only
  // the client's own work (encoding, sending, completing).
  std::vector<std::vector<CqlValue>> work = rows;
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  if (args.batch <= 1) {
    for (auto& values : work) {
      s.ExecuteAsync(*insert, std::move(values), [&](Result<CqlRows> r) { on_done(r.status(), 1); });
    }
  } else {
    for (size_t i = 0; i < work.size(); i += static_cast<size_t>(args.batch)) {
      CqlBatch batch;
      size_t end = std::min(work.size(), i + static_cast<size_t>(args.batch));
      for (size_t j = i; j < end; ++j) batch.Add(*insert, std::move(work[j]));
      s.BatchAsync(std::move(batch), [&, n = end - i](Status st) { on_done(st, n); });
    }
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return completed == rows.size(); });
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu_start;

  QueryOptions all;
  all.consistency = Consistency::kOne;
  auto count = s.Execute("SELECT COUNT(*) FROM rtpipe_bench.created_users", {}, all);
  int64_t stored = count.ok() ? count->row(0).Get<int64_t>(0).ValueOr(-1) : -1;
  auto stats = s.stats();
  fmt::print(
      "cql_bench: {} rows in {:.2f} s = {:.0f} rows/s (client CPU {:.2f} s = {:.0f} rows per CPU-second; "
      "concurrency {}, {} connection(s), batch {}, consistency {}, {} failures, {} retries; table holds {} "
      "rows)\n",
      rows.size(), secs, static_cast<double>(rows.size()) / secs, cpu, static_cast<double>(rows.size()) / cpu,
      args.concurrency, args.connections, args.batch, ConsistencyName(args.consistency), failures.load(), stats.retries,
      stored);
  if (failures.load() != 0) {
    std::cerr << "cql_bench: first failure: " << first_failure << "\n";
    return 1;
  }
  if (stored != static_cast<int64_t>(rows.size())) {
    std::cerr << "cql_bench: the table holds " << stored << " rows, not " << rows.size() << "\n";
    return 1;
  }
  return 0;
}
