// PostgreSQL landing and change capture throughput, side by side with `psql \copy` of the same
// rows into the same table, in one run (bench/postgres/run starts the server and also times the
// whole pipeline). Repetitions alternate the contestants (landing, \copy, landing, \copy...).
//
//   postgres_throughput --url postgresql://postgres:rtpipe@127.0.0.1:15440/postgres
//                       [--records 200000] [--batch 5000] [--reps 2] [--psql PATH]
//
// Landing: PostgresLandingStore::Write of every batch (one transaction each), into a fresh
// database. \copy: psql loading the same rows (exported from the first landing run) into the users
// table of another fresh database with the same schema (and a slot, as landing has), once in
// COPY's text format (psql's default) and once in its binary format (what the landing store sends).
// Capture: PostgresChangeFeed reading and committing every change the landing run left in its
// slot (the WAL is decoded by the server's walsender: that is part of the cost).

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stop_token>
#include <string>
#include <vector>

#include "rtpipe/base/logging.h"
#include "rtpipe/capture/postgres_change_feed.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/postgres_landing_store.h"
#include "rtpipe/landing/postgres_schema.h"
#include "rtpipe/model/message.h"
#include "rtpipe/source/source.h"

namespace rtpipe {
namespace {

struct Args {
  std::string url;
  int64_t records = 200'000;
  int batch = 5000;
  int reps = 2;
  std::string psql = "/usr/lib/postgresql/15/bin/psql";
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "postgres_throughput: %s\n", what.c_str());
  std::exit(1);
}

template <typename T>
T Check(Result<T> r, std::string_view what) {
  if (!r.ok()) Die(fmt::format("{}: {}", what, r.status().ToString()));
  return std::move(*r);
}
void Check(const Status& s, std::string_view what) {
  if (!s.ok()) Die(fmt::format("{}: {}", what, s.ToString()));
}

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string DbUrl(const std::string& url, const std::string& db) {
  auto u = Check(ParseUrl(url), "--url");
  return fmt::format("postgresql://{}:{}@{}/{}", u.user, u.password, u.HostList(5432), db);
}

void Recreate(PgConnection& admin, const std::string& db) {
  Check(admin.Exec(fmt::format("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE "
                               "database = '{}'",
                               db),
                   "dropping old slots"),
        "dropping old slots");
  Check(admin.Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", db), "dropping"), "drop database");
  Check(admin.Exec(fmt::format("CREATE DATABASE {}", db), "creating"), "create database");
  Check(admin.Exec("CHECKPOINT", "checkpoint"), "checkpoint");
}

std::string Setting(PgConnection& c, const std::string& name) {
  auto r = Check(c.Query("SELECT current_setting($1)", {name}, "setting"), "setting");
  return std::string(r.Text(0, 0));
}

}  // namespace
}  // namespace rtpipe

int main(int argc, char** argv) {
  using namespace rtpipe;
  Args args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value after " + a);
      return argv[++i];
    };
    if (a == "--url")
      args.url = next();
    else if (a == "--records")
      args.records = std::stoll(next());
    else if (a == "--batch")
      args.batch = std::stoi(next());
    else if (a == "--reps")
      args.reps = std::stoi(next());
    else if (a == "--psql")
      args.psql = next();
    else
      Die("unknown argument " + a + " (see the comment at the top of bench/postgres/postgres_throughput.cc)");
  }
  if (args.url.empty()) Die("--url postgresql://USER:PASSWORD@HOST:PORT/DB is required");
  InitLogging(spdlog::level::warn);

  // The rows: generator pages of --batch users, the same for every contestant.
  Config config;
  config.source.results = args.batch;
  auto source = Check(MakeSource(config.source, Clock::System()), "source");
  std::vector<SourceBatch> pages;
  std::stop_source stop;
  SourcePosition at{"postgres-bench", 1, 0};
  int64_t users = 0;
  while (users < args.records) {
    int want = static_cast<int>(std::min<int64_t>(args.batch, args.records - users));
    SourceBatch b = Check(source->Fetch(at, want, stop.get_token()), "generator");
    at = b.next;
    users += static_cast<int64_t>(b.records.size());
    pages.push_back(std::move(b));
  }
  std::vector<LandingBatch> batches;
  std::vector<User> parsed;  // the landing rows point into it: never reallocated
  parsed.reserve(static_cast<size_t>(users));
  for (const auto& b : pages) {
    LandingBatch batch;
    batch.next_position = b.next;
    batch.source_records = static_cast<int64_t>(b.records.size());
    for (size_t i = 0; i < b.records.size(); ++i) {
      auto user = ParseUser(b.records[i].raw);
      if (!user.ok()) continue;
      parsed.push_back(std::move(*user));
      batch.users.push_back(LandingUserOf(parsed.back(), b.records[i].raw, b.EventTime(i), ""));
    }
    batches.push_back(std::move(batch));
  }
  // psql loads the rows the first landing run stored, exported from it (so they are the same
  // bytes), in COPY's text format (psql's default) and in its binary format (what landing sends).
  std::string text_file = fmt::format("/tmp/rtpipe-pg-bench-{}.txt", ::getpid());
  std::string binary_file = fmt::format("/tmp/rtpipe-pg-bench-{}.bin", ::getpid());
  fmt::print("rows: {} users in batches of {}\n", users, args.batch);
  std::string admin_url = args.url;
  auto admin_endpoint = Check(PgEndpoint::FromUrl(admin_url, "rtpipe-bench"), "--url");
  auto admin = Check(PgConnection::Connect(admin_endpoint), "connect");
  fmt::print("server: PostgreSQL {}, fsync={}, synchronous_commit={}, shared_buffers={}, wal_level={}\n",
             Setting(*admin, "server_version"), Setting(*admin, "fsync"), Setting(*admin, "synchronous_commit"),
             Setting(*admin, "shared_buffers"), Setting(*admin, "wal_level"));
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  fmt::print("box: {} cores, load average at start {:.2f} {:.2f} {:.2f}\n\n", sysconf(_SC_NPROCESSORS_ONLN), load[0],
             load[1], load[2]);

  auto u = Check(ParseUrl(args.url), "--url");
  auto psql = [&](const std::string& db, const std::string& command) {
    std::string line =
        fmt::format("PGPASSWORD='{}' '{}' -X -q -h {} -p {} -U {} -d {} -c \"{}\"", u.password, args.psql,
                    u.hosts[0].host, u.hosts[0].port != 0 ? u.hosts[0].port : 5432, u.user, db, command);
    auto t0 = std::chrono::steady_clock::now();
    if (std::system(line.c_str()) != 0) Die("psql failed: " + line);
    return Seconds(std::chrono::steady_clock::now() - t0);
  };
  std::string columns = PostgresLandingStore::CopyColumns();
  std::vector<double> landing_rates, text_rates, binary_rates, capture_rates;
  for (int rep = 1; rep <= args.reps; ++rep) {
    // Landing.
    std::string land_db = fmt::format("bench_land_{}", rep);
    Recreate(*admin, land_db);
    PostgresLandingStore::Options o;
    o.url = DbUrl(args.url, land_db);
    o.slot = land_db;
    auto store = Check(PostgresLandingStore::Open(o), "landing store");
    RunId run = Check(store->BeginRun(), "begin run");
    Check(store->LoadIngestState(), "ingest state");
    auto t0 = std::chrono::steady_clock::now();
    int64_t landed = 0;
    for (auto& batch : batches) {
      batch.run = run;
      landed += Check(store->Write(batch), "landing").inserted;
    }
    double land_s = Seconds(std::chrono::steady_clock::now() - t0);
    if (landed != users) Die(fmt::format("landed {} of {} users", landed, users));
    landing_rates.push_back(static_cast<double>(users) / land_s);
    store.reset();
    if (rep == 1) {
      psql(land_db, fmt::format("\\copy (SELECT {} FROM users) TO '{}'", columns, text_file));
      psql(land_db, fmt::format("\\copy (SELECT {} FROM users) TO '{}' (FORMAT binary)", columns, binary_file));
    }

    // psql \copy of the same rows into the same table (a fresh database with the same schema and a
    // slot, as landing has), in text and in binary format.
    double copy_s[2] = {0, 0};
    for (int binary = 0; binary < 2; ++binary) {
      std::string copy_db = fmt::format("bench_copy_{}_{}", rep, binary);
      Recreate(*admin, copy_db);
      o.url = DbUrl(args.url, copy_db);
      o.slot = copy_db;
      Check(PostgresLandingStore::Open(o), "schema for \\copy").reset();
      copy_s[binary] = psql(copy_db, fmt::format("\\copy users ({}) FROM '{}'{}", columns,
                                                 binary ? binary_file : text_file, binary ? " (FORMAT binary)" : ""));
      (void)admin->Exec(fmt::format("SELECT pg_drop_replication_slot('{}')", copy_db), "cleanup");
      (void)admin->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", copy_db), "cleanup");
    }
    text_rates.push_back(static_cast<double>(users) / copy_s[0]);
    binary_rates.push_back(static_cast<double>(users) / copy_s[1]);

    // Capture of everything the landing run left in its slot.
    PostgresChangeFeed::Options fo;
    fo.url = DbUrl(args.url, land_db);
    fo.slot = land_db;
    auto feed = Check(PostgresChangeFeed::Open(fo), "change feed");
    CaptureCheckpoint cp = Check(feed->LoadCheckpoint(), "checkpoint");
    t0 = std::chrono::steady_clock::now();
    int64_t captured = 0;
    while (captured < users) {
      auto read = Check(feed->Read(cp.position, 5000, std::chrono::milliseconds(100), stop.get_token()), "capture");
      if (read.first.empty()) Die(fmt::format("capture stopped at {} of {} changes", captured, users));
      captured += static_cast<int64_t>(read.first.size());
      cp.position = read.second;
      Check(feed->Commit(cp), "commit");
    }
    double capture_s = Seconds(std::chrono::steady_clock::now() - t0);
    capture_rates.push_back(static_cast<double>(users) / capture_s);
    feed.reset();
    fmt::print(
        "rep {}: landing {:6.0f} rows/s ({:.2f}s) | psql \\copy text {:6.0f} rows/s ({:.2f}s), binary {:6.0f} rows/s "
        "({:.2f}s) | landing/\\copy text {:5.1f}%, /binary {:5.1f}% | capture {:6.0f} rows/s ({:.2f}s)\n",
        rep, landing_rates.back(), land_s, text_rates.back(), copy_s[0], binary_rates.back(), copy_s[1],
        100 * landing_rates.back() / text_rates.back(), 100 * landing_rates.back() / binary_rates.back(),
        capture_rates.back(), capture_s);
    (void)admin->Exec(fmt::format("SELECT pg_drop_replication_slot('{}')", land_db), "cleanup");
    (void)admin->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", land_db), "cleanup");
  }
  std::remove(text_file.c_str());
  std::remove(binary_file.c_str());
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  };
  getloadavg(load, 3);
  fmt::print(
      "\nmedian: landing {:.0f} rows/s; psql \\copy text {:.0f} rows/s (landing {:.1f}% of it), binary {:.0f} rows/s "
      "({:.1f}%); capture {:.0f} rows/s (load average at end {:.2f})\n",
      median(landing_rates), median(text_rates), 100 * median(landing_rates) / median(text_rates), median(binary_rates),
      100 * median(landing_rates) / median(binary_rates), median(capture_rates), load[0]);
  return 0;
}
