#include "rtpipe/source/file_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "rtpipe/base/backoff.h"
#include "rtpipe/base/file_system.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"
#include "rtpipe/config/url.h"

namespace rtpipe {

Result<std::unique_ptr<FileSource>> FileSource::Create(const SourceConfig& config, const Clock& clock) {
  auto url = ParseUrl(config.url);
  if (!url.ok() || url->scheme != "file" || url->path.empty()) {
    return Status::InvalidArgument("source.url = \"{}\": expected file:DIRECTORY", config.url);
  }
  if (config.seed.empty()) {
    return Status::InvalidArgument("source.seed: a file: source replays the pages of one seed; set the seed");
  }
  return std::unique_ptr<FileSource>(new FileSource(config, clock, url->path));
}

FileSource::FileSource(const SourceConfig& config, const Clock& clock, std::filesystem::path directory)
    : config_(config), clock_(clock), directory_(std::move(directory)) {}

std::filesystem::path FileSource::PagePath(const std::filesystem::path& directory, int64_t page) {
  return directory / fmt::format("page-{}.json", page);
}

Status FileSource::SavePage(const std::filesystem::path& directory, int64_t page, std::string_view body) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return Status::IoError("creating {}: {}", directory.string(), error.message());
  FileSystem& fs = FileSystem::Default();
  const std::string path = PagePath(directory, page).string();
  const std::string aside = path + ".tmp";
  {
    RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(aside, OpenMode::kCreateOrTrunc));
    RTPIPE_RETURN_IF_ERROR(file->Append(std::span<const char>(body.data(), body.size())));
  }
  return fs.Rename(aside, path);
}

Result<std::string_view> FileSource::ReadBody(const std::string& path) {
  RTPIPE_ASSIGN_OR_RETURN(auto file, FileSystem::Default().OpenFile(path, OpenMode::kReadOnly));
  RTPIPE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  body_.resize(size + kJsonPadding);  // clears only what it adds beyond the last page's size
  RTPIPE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(0, std::span<char>(body_.data(), size)));
  std::memset(body_.data() + n, 0, kJsonPadding);
  return std::string_view(body_.data(), n);
}

Result<Response> FileSource::ReadPage(const SourcePosition& at, size_t needed, std::stop_token stop) {
  const std::string path = PagePath(directory_, at.page).string();
  Backoff backoff(BackoffPolicy{config_.backoff_initial, config_.backoff_max, 2.0});
  for (int attempt = 1;; ++attempt) {
    if (stop.stop_requested()) return Status::Cancelled("source stopped");
    metrics_.requests.Add();
    auto body = ReadBody(path);
    if (body.ok()) {
      metrics_.bytes.Add(body->size());
      auto response = ParsePaddedResponse(*body, users_);
      if (!response.ok()) {
        metrics_.error_bodies.Add();
        return response.status().WithContext(path);
      }
      if (response->info && response->info->seed != at.seed) {
        return Status::FailedPrecondition("{} holds seed \"{}\", not source.seed \"{}\"", path, response->info->seed,
                                          at.seed);
      }
      if (response->records.size() < needed) {
        metrics_.empty_results.Add();
        return Status::FailedPrecondition("{} holds {} users; pages of source.results = {} need {}", path,
                                          response->records.size(), config_.results, needed);
      }
      return response;
    }
    if (body.status().code() != StatusCode::kNotFound) return body.status().WithContext("reading " + path);
    if (config_.max_attempts > 0 && attempt >= config_.max_attempts) {
      return Status::Unavailable("no {} after {} attempts", path, attempt);
    }
    std::chrono::milliseconds delay = backoff.Next();
    GetLogger("source")->warn(
        "no {} yet; looking again in {} (attempt {} of {})", path, FormatDuration(delay), attempt + 1,
        config_.max_attempts > 0 ? std::to_string(config_.max_attempts) : std::string("unlimited"));
    metrics_.retries.Add();
    if (!SleepFor(delay, stop)) return Status::Cancelled("source stopped while waiting for {}", path);
  }
}

Result<SourceBatch> FileSource::Fetch(const SourcePosition& position, int max_users, std::stop_token stop) {
  if (max_users < 1) return Status::InvalidArgument("Fetch: max_users must be at least 1, got {}", max_users);
  if (position.seed != config_.seed) {
    return Status::FailedPrecondition("{} replays seed \"{}\", asked for seed \"{}\"", config_.url, config_.seed,
                                      position.seed);
  }
  const int results = std::clamp(config_.results, 1, 5000);
  const SourcePosition at = Normalize(position, results);
  const int count = std::min(max_users, results - at.skip);
  RTPIPE_ASSIGN_OR_RETURN(Response page, ReadPage(at, static_cast<size_t>(at.skip + count), stop));

  SourceBatch batch;
  auto first = page.records.begin() + at.skip;
  batch.records.assign(std::make_move_iterator(first), std::make_move_iterator(first + count));
  batch.position = at;
  batch.next = Advance(at, count, results);
  batch.first_event_time = clock_.Now();
  metrics_.records.Add(batch.records.size());
  return batch;
}

}  // namespace rtpipe
