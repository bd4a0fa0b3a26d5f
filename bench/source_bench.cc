// Source-stage micro benchmarks: generating users, parsing them, and the same-run ceiling (a
// simdjson DOM parse of the same bytes), so the report reads "ParseUser = X% of simdjson DOM".
//
//   build/bench/source_bench                   (all, 5 interleaved runs each, medians; then each
//                                              parser's share of the ceiling in back-to-back pairs)
//   build/bench/source_bench --benchmark_filter=Parse
//   build/bench/source_bench --benchmark_filter=NONE   (the paired shares only, in seconds)

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rtpipe/model/message.h"
#include "rtpipe/model/user.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

constexpr int kUsers = 2000;

// Varied users (all nationalities) as the API writes them, one text each.
const std::vector<std::string>& UserTexts() {
  static const std::vector<std::string> texts = [] {
    GeneratorRequest r;
    r.seed = "bench";
    r.results = kUsers;
    std::vector<std::string> out;
    for (auto& g : Generator().Records(r, 0, kUsers)) out.push_back(std::move(g.text));
    return out;
  }();
  return texts;
}

size_t TotalBytes(const std::vector<std::string>& texts) {
  size_t n = 0;
  for (const auto& t : texts) n += t.size();
  return n;
}

// The same texts as simdjson's own padded strings, as the ceiling parses them.
const std::vector<simdjson::padded_string>& PaddedStrings() {
  static const std::vector<simdjson::padded_string> padded = [] {
    std::vector<simdjson::padded_string> out;
    for (const auto& t : UserTexts()) out.emplace_back(t);
    return out;
  }();
  return padded;
}

// The same texts, each followed by kJsonPadding readable bytes (ParsePaddedUser's terms).
const std::vector<std::string>& TextsWithPadding() {
  static const std::vector<std::string> padded = [] {
    std::vector<std::string> out;
    for (const auto& t : UserTexts()) {
      out.push_back(t);
      out.back().reserve(t.size() + kJsonPadding);
    }
    return out;
  }();
  return padded;
}

void BM_GenerateResponse(benchmark::State& state) {
  Generator g;
  GeneratorRequest r;
  r.seed = "bench";
  r.results = static_cast<int>(state.range(0));
  int64_t page = 1;
  size_t bytes = 0;
  for (auto _ : state) {
    r.page = page++;
    std::string body = g.Response(r);
    bytes += body.size();
    benchmark::DoNotOptimize(body.data());
  }
  state.SetItemsProcessed(state.iterations() * r.results);
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_GenerateResponse)->Arg(500)->Unit(benchmark::kMillisecond);

void BM_GenerateRecords(benchmark::State& state) {
  Generator g(0.01);
  GeneratorRequest r;
  r.seed = "bench";
  r.results = 500;
  int64_t page = 1;
  for (auto _ : state) {
    r.page = page++;
    auto records = g.Records(r, 0, 500);
    benchmark::DoNotOptimize(records.data());
  }
  state.SetItemsProcessed(state.iterations() * 500);
}
BENCHMARK(BM_GenerateRecords)->Unit(benchmark::kMillisecond);

void BM_ParseUser(benchmark::State& state) {
  const auto& texts = UserTexts();
  size_t i = 0;
  for (auto _ : state) {
    auto user = ParseUser(texts[i]);
    benchmark::DoNotOptimize(user);
    if (++i == texts.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(texts) / texts.size()));
}
BENCHMARK(BM_ParseUser);

// Into a User reused record after record, from text followed by padding (as the DOM ceiling
// below parses it): the parser's own cost, without copying the input or allocating.
void BM_ParseUserReused(benchmark::State& state) {
  const auto& padded = TextsWithPadding();
  User user;
  size_t i = 0;
  for (auto _ : state) {
    Status status = ParsePaddedUser(padded[i], user);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(user);
    if (++i == padded.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(padded) / padded.size()));
}
BENCHMARK(BM_ParseUserReused);

// A response of 500 generated users, followed by kJsonPadding bytes as the sources pad a body.
struct PaddedResponse {
  std::string text;
  std::string_view body;
};
const PaddedResponse& ResponseBody() {
  static const PaddedResponse response = [] {
    GeneratorRequest r;
    r.seed = "bench";
    r.results = 500;
    PaddedResponse p{Generator().Response(r), {}};
    const size_t size = p.text.size();
    p.text.append(kJsonPadding, '\0');
    p.body = std::string_view(p.text).substr(0, size);
    return p;
  }();
  return response;
}
constexpr int kResponseUsers = 500;

// A response as the ingest stage reads it from a source: parsed where it lies, each user read on
// the way into `users` (ParsePaddedResponse with users); a record not read so would be parsed into
// `user` (none of the generator's).
void ReadResponse(std::vector<User>& users, User& user) {
  auto response = ParsePaddedResponse(ResponseBody().body, users);
  for (const SourceRecord& record : response->records) {
    if (record.parsed != nullptr) {
      benchmark::DoNotOptimize(record.parsed);
      continue;
    }
    Status status = ParseUser(record.raw, user);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(user);
  }
}

// The same response split only, then each record parsed into one reused User: how the ingest stage
// read it before the users were read on the way, and still reads a record that is not in order.
void SplitResponseThenParse(User& user) {
  auto response = ParsePaddedResponse(ResponseBody().body);
  for (const SourceRecord& record : response->records) {
    Status status = ParseUser(record.raw, user);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(user);
  }
}

void BM_ParseResponse(benchmark::State& state) {
  std::vector<User> users;
  User user;
  for (auto _ : state) ReadResponse(users, user);
  state.SetItemsProcessed(state.iterations() * kResponseUsers);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * ResponseBody().body.size()));
}
BENCHMARK(BM_ParseResponse)->Unit(benchmark::kMicrosecond);

// The ceiling: simdjson's DOM parser over the same user texts, already padded (no copy).
void BM_SimdjsonDomBaseline(benchmark::State& state) {
  const auto& padded = PaddedStrings();
  simdjson::dom::parser parser;
  size_t i = 0;
  for (auto _ : state) {
    simdjson::dom::element doc;
    auto error = parser.parse(padded[i]).get(doc);
    benchmark::DoNotOptimize(error);
    benchmark::DoNotOptimize(doc);
    if (++i == padded.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * TotalBytes(UserTexts()) / UserTexts().size()));
}
BENCHMARK(BM_SimdjsonDomBaseline);

// Writes each parsed user as `write(user, out)` does, into one string.
template <typename Write>
void BM_WriteUsers(benchmark::State& state, Write write) {
  std::vector<User> users;
  for (const auto& t : UserTexts()) users.push_back(*ParseUser(t));
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    out.clear();
    write(users[i], out);
    benchmark::DoNotOptimize(out.data());
    if (++i == users.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_WriteUsers, UserJson, [](const User& u, std::string& out) { AppendUserJson(u, out); });
BENCHMARK_CAPTURE(BM_WriteUsers, MessageJsonFromMessage,
                  [](const User& u, std::string& out) { AppendMessageJson(ToMessage(u), out); });
BENCHMARK_CAPTURE(BM_WriteUsers, MessageJsonFromUser,
                  [](const User& u, std::string& out) { AppendMessageJson(u, out); });

// Console output as usual, then the generator rates (medians) in one place.
class RatesReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      // With --benchmark_repetitions, the median stands for the benchmark.
      if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "median") continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      std::string name = run.run_name.function_name;
      if (!run.run_name.args.empty()) name += "/" + run.run_name.args;
      rates_[name] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const auto& [bench, rate] : rates_) {
      if (bench.starts_with("BM_Generate")) fmt::print("{:<28} {:.0f}k users/s\n", bench, rate / 1e3);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

// Seconds one call of `pass` takes.
template <typename Pass>
double Seconds(Pass&& pass) {
  auto start = std::chrono::steady_clock::now();
  pass();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A parser's speed as a share of the ceiling's, in pairs: a pass of the DOM parser over the user
// texts, then one of the parser (the order alternating), kPairs times; each pair gives a ratio of
// per-user times, and the median and quartiles of those are reported. A pair lasts milliseconds,
// so the drift of a shared machine, which moves whole benchmark runs by tens of percent, cancels
// out within it.
void PrintPairedShare(std::string_view name, int users_per_pass, const std::function<void()>& pass) {
  constexpr int kPairs = 201;
  const auto& padded = PaddedStrings();
  simdjson::dom::parser parser;
  auto ceiling = [&] {
    for (const auto& p : padded) {
      simdjson::dom::element doc;
      auto error = parser.parse(p).get(doc);
      benchmark::DoNotOptimize(error);
      benchmark::DoNotOptimize(doc);
    }
  };
  ceiling();  // warm-up: the parsers' buffers
  pass();
  std::vector<double> shares;
  double ceiling_total = 0;
  for (int k = 0; k < kPairs; ++k) {
    double ceiling_s = 0, pass_s = 0;
    if (k % 2 == 0) {
      ceiling_s = Seconds(ceiling);
      pass_s = Seconds(pass);
    } else {
      pass_s = Seconds(pass);
      ceiling_s = Seconds(ceiling);
    }
    ceiling_total += ceiling_s;
    shares.push_back((ceiling_s / static_cast<double>(padded.size())) / (pass_s / users_per_pass));
  }
  std::sort(shares.begin(), shares.end());
  double ceiling_rate = kPairs * static_cast<double>(padded.size()) / ceiling_total;
  fmt::print("{:<20} {:3.0f}% of the ceiling (quartiles {:.0f}-{:.0f}%; ceiling {:.2f} M users/s during the pairs)\n",
             name, 100 * shares[kPairs / 2], 100 * shares[kPairs / 4], 100 * shares[3 * kPairs / 4],
             ceiling_rate / 1e6);
}

void PrintPairedShares() {
  fmt::print("\nParsers against the same-run simdjson DOM ceiling, in back-to-back pairs of passes:\n");
  const auto& texts = UserTexts();
  PrintPairedShare("ParseUser", static_cast<int>(texts.size()), [&] {
    for (const auto& t : texts) {
      auto user = ParseUser(t);
      benchmark::DoNotOptimize(user);
    }
  });
  User user;
  PrintPairedShare("ParseUserReused", static_cast<int>(texts.size()), [&] {
    for (const auto& p : TextsWithPadding()) {
      Status status = ParsePaddedUser(p, user);
      benchmark::DoNotOptimize(status);
      benchmark::DoNotOptimize(user);
    }
  });
  std::vector<User> users;
  PrintPairedShare("ParseResponse", kResponseUsers, [&] { ReadResponse(users, user); });
  PrintPairedShare("ParseResponseSplit", kResponseUsers, [&] { SplitResponseThenParse(user); });
}

}  // namespace
}  // namespace rtpipe

int main(int argc, char** argv) {
  // By default each benchmark runs 5 times, in random order with the others, and the medians are
  // reported: the ratios then hold on a shared machine whose speed drifts. Flags given override.
  static char repetitions[] = "--benchmark_repetitions=5";
  static char interleaving[] = "--benchmark_enable_random_interleaving=true";
  static char aggregates[] = "--benchmark_report_aggregates_only=true";
  std::vector<char*> args(argv, argv + argc);
  args.insert(args.begin() + 1, {repetitions, interleaving, aggregates});
  int count = static_cast<int>(args.size());
  benchmark::Initialize(&count, args.data());
  if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
  rtpipe::RatesReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  rtpipe::PrintPairedShares();
  return 0;
}
