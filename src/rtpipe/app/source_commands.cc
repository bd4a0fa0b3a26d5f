// `rtpipe fetch` (one raw response body on stdout) and `rtpipe mock-api` (the generator served
// over HTTP, with fault injection).

#include <fmt/format.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "rtpipe/app/cli.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/config/url.h"
#include "rtpipe/config/values.h"
#include "rtpipe/source/file_source.h"
#include "rtpipe/source/generator.h"
#include "rtpipe/source/http_source.h"
#include "rtpipe/source/mock_api_server.h"

namespace rtpipe {
namespace {

struct FetchFlags {
  std::optional<int> results;
  std::optional<std::string> url;
  std::optional<std::string> seed;
  int64_t page = 1;
  int64_t pages = 1;
  std::optional<std::string> out;
};

// Response bodies from the generator or the API, page by page.
using BodyFetcher = std::function<Result<std::string>(int64_t page)>;

Result<BodyFetcher> MakeBodyFetcher(const SourceConfig& config, std::stop_token stop) {
  if (auto url = ParseUrl(config.url); url.ok() && url->scheme == "file") {  // read as FileSource reads it
    return Status::InvalidArgument(
        "source.url = \"{}\": rtpipe fetch reads the generator or an http(s):// URL; the pages of a file: source "
        "are already saved, as {}",
        config.url, FileSource::PagePath(url->path, 1).string());
  }
  if (config.url == "generator") {
    GeneratorRequest request = RequestFromQuery([&](std::string_view name) -> std::optional<std::string> {
      if (name == "nat" && !config.nat.empty()) return config.nat;
      return std::nullopt;
    });
    request.seed = config.seed;
    request.results = config.results;
    return BodyFetcher([request, generator = Generator(config.bad_rate)](int64_t page) mutable -> Result<std::string> {
      request.page = page;
      return generator.Response(request);
    });
  }
  RTPIPE_ASSIGN_OR_RETURN(std::shared_ptr<HttpSource> source, HttpSource::Create(config, Clock::System()));
  return BodyFetcher([source, &config, stop](int64_t page) -> Result<std::string> {
    auto fetched = source->FetchPage({config.seed, page, 0}, static_cast<size_t>(config.results), stop);
    if (!fetched.ok()) return fetched.status().WithContext("fetching from " + config.url);
    return std::move(fetched->body);
  });
}

int RunFetch(const GlobalOptions& global, const FetchFlags& flags) {
  std::vector<std::pair<std::string, std::string>> extra;
  if (flags.results) extra.emplace_back("source.results", std::to_string(*flags.results));
  if (flags.url) extra.emplace_back("source.url", *flags.url);
  if (flags.seed) extra.emplace_back("source.seed", *flags.seed);
  std::stop_source stop = InstallShutdownHandler();
  auto loaded = LoadEffectiveConfig(global, std::move(extra));
  if (!loaded.ok()) return ReportError(loaded.status());
  const SourceConfig& config = loaded->config.source;
  if (!flags.out && flags.pages != 1) return ReportError(Status::InvalidArgument("--pages: needs --out DIRECTORY"));
  if (flags.out && config.seed.empty()) {
    return ReportError(Status::InvalidArgument("--out: saved pages are replayed by seed and page; set --seed"));
  }
  auto fetch = MakeBodyFetcher(config, stop.get_token());
  if (!fetch.ok()) return ReportError(fetch.status());

  if (!flags.out) {
    auto body = (*fetch)(flags.page);
    if (!body.ok()) return ReportError(body.status());
    std::fwrite(body->data(), 1, body->size(), stdout);
    return std::fflush(stdout) == 0 ? kExitOk : kExitFailure;
  }
  for (int64_t i = 0; i < flags.pages; ++i) {
    const int64_t page = flags.page + i;
    auto body = (*fetch)(page);
    if (!body.ok()) return ReportError(body.status());
    if (Status s = FileSource::SavePage(*flags.out, page, *body); !s.ok()) return ReportError(s);
    fmt::print(stderr, "saved {} ({} bytes; page {} of {})\n", FileSource::PagePath(*flags.out, page).string(),
               body->size(), i + 1, flags.pages);
  }
  return kExitOk;
}

struct MockFlags {
  MockApiOptions options;
  std::string slow_delay = "2s";
};

int RunMockApi(const GlobalOptions& global, MockFlags flags) {
  std::stop_source stop = InstallShutdownHandler();  // before any thread starts
  auto loaded = LoadEffectiveConfig(global);
  if (!loaded.ok()) return ReportError(loaded.status());
  auto delay = ParseDuration(flags.slow_delay);
  if (!delay.ok()) return ReportError(delay.status().WithContext("--slow-delay"));
  flags.options.slow_delay = *delay;
  MockApiServer server(flags.options);
  if (Status s = server.Start(); !s.ok()) return ReportError(s);
  fmt::print("mock randomuser.me API listening on http://{}:{}/api/ and /api/1.4/ (Ctrl-C to stop)\n",
             flags.options.host, server.port());
  std::fflush(stdout);
  while (SleepFor(std::chrono::hours(1), stop.get_token())) {
  }
  server.Stop();
  fmt::print("mock API stopped after {} requests\n", server.requests());
  return kExitOk;
}

}  // namespace

void AddSourceCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  auto fetch_flags = std::make_shared<FetchFlags>();
  auto* fetch = app.add_subcommand(
      "fetch",
      "Print one raw randomuser.me response body (from source.url; the generator gives a generated one), or save\n"
      "pages of responses for the file: source (--out)");
  fetch->add_option("--results", fetch_flags->results, "Users in the response (source.results)")
      ->check(CLI::Range(1, 5000));
  fetch->add_option("--url", fetch_flags->url, "generator, or the API's base URL (source.url)");
  fetch->add_option("--seed", fetch_flags->seed, "Seed to page through; \"\" for a random sample (source.seed)");
  fetch->add_option("--page", fetch_flags->page, "Page of the seed (default 1)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 53));
  fetch->add_option("--out", fetch_flags->out,
                    "Save the responses as DIRECTORY/page-<p>.json, for source.url: file:DIRECTORY, instead of "
                    "printing one");
  fetch->add_option("--pages", fetch_flags->pages, "With --out: how many pages to save, from --page on (default 1)")
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 32));
  fetch->callback([&global, &selected, fetch_flags] {
    selected = [&global, fetch_flags] { return RunFetch(global, *fetch_flags); };
  });

  auto mock_flags = std::make_shared<MockFlags>();
  MockApiOptions& o = mock_flags->options;
  auto* mock = app.add_subcommand("mock-api",
                                  "Serve the generator as the randomuser.me API at /api/ and /api/1.4/, with optional "
                                  "fault injection (runs until Ctrl-C)");
  mock->add_option("--host", o.host, "Address to listen on")->capture_default_str();
  mock->add_option("--port", o.port, "Port; 0 picks a free one (printed)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  mock->add_option("--bad-rate", o.bad_rate, "Fraction of deliberately bad records (never malformed: see docs)")
      ->check(CLI::Range(0.0, 1.0));
  mock->add_option("--rate-limit-first", o.rate_limit_first, "Answer the first K requests with 429");
  mock->add_option("--rate-limit-every", o.rate_limit_every, "Answer every Nth request with 429");
  mock->add_option("--retry-after", o.retry_after_seconds, "Retry-After seconds on 429/503; -1 for none")
      ->capture_default_str();
  mock->add_flag("--retry-after-date", o.retry_after_date, "Send Retry-After as an HTTP date");
  mock->add_option("--unavailable-first", o.unavailable_first, "Then answer the next K requests with 503");
  mock->add_option("--unavailable-every", o.unavailable_every, "Answer every Nth request with 503");
  mock->add_option("--empty-first", o.empty_first, "Then answer the next K requests with an empty `results`");
  mock->add_option("--empty-every", o.empty_every, "Answer every Nth request with an empty `results`");
  mock->add_option("--error-first", o.error_first, "Then answer the next K requests with the API's error body");
  mock->add_option("--error-every", o.error_every, "Answer every Nth request with the API's error body");
  mock->add_option("--slow-first", o.slow_first, "Then delay the next K responses by --slow-delay");
  mock->add_option("--slow-every", o.slow_every, "Delay every Nth response by --slow-delay");
  mock->add_option("--slow-delay", mock_flags->slow_delay, "Delay of a slow response, e.g. 2s, 500ms")
      ->capture_default_str();
  mock->callback([&global, &selected, mock_flags] {
    selected = [&global, mock_flags] { return RunMockApi(global, *mock_flags); };
  });
}

}  // namespace rtpipe
