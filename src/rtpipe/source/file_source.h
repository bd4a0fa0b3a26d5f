#pragma once
// FileSource: randomuser.me responses saved as files, replayed (source.url: file:DIRECTORY).
//
// Page p of the seed is DIRECTORY/page-<p>.json, one response body as the API sends it
// (`rtpipe fetch --seed S --pages N --out DIRECTORY` saves pages 1..N). Every page must hold at
// least source.results users; a response that names its seed (`info.seed`) must name source.seed.
// A page that is not there yet is retried like an outage of the API (source.max_attempts,
// source.backoff_*), so files can be added while the pipeline runs. The seed must not be empty:
// files have no unpaged sample.
//
// Event time: the wall-clock time the page was read (event_time_step 0), as for the API.

#include <filesystem>
#include <string>
#include <vector>

#include "rtpipe/source/source.h"

namespace rtpipe {

class FileSource final : public Source {
 public:
  /// `config.url` is "file:DIRECTORY".
  static Result<std::unique_ptr<FileSource>> Create(const SourceConfig& config, const Clock& clock);

  Result<SourceBatch> Fetch(const SourcePosition& position, int max_users, std::stop_token stop) override;
  const SourceMetrics& metrics() const override { return metrics_; }

  /// Where page `page` of a replayed seed is: DIRECTORY/page-<page>.json.
  static std::filesystem::path PagePath(const std::filesystem::path& directory, int64_t page);
  /// Saves `body` as page `page` in `directory` (made if missing): written aside and renamed, so a
  /// source reading the directory never sees half a page.
  static Status SavePage(const std::filesystem::path& directory, int64_t page, std::string_view body);

 private:
  FileSource(const SourceConfig& config, const Clock& clock, std::filesystem::path directory);
  // The page's users, retrying while its file is missing.
  Result<Response> ReadPage(const SourcePosition& at, size_t needed, std::stop_token stop);
  // The file at `path`, read into `body_` and followed there by kJsonPadding zero bytes
  // (ParsePaddedResponse's terms).
  Result<std::string_view> ReadBody(const std::string& path);

  const SourceConfig config_;
  const Clock& clock_;
  const std::filesystem::path directory_;
  SourceMetrics metrics_;
  // Holds one page at a time, and keeps its size from page to page: a page is megabytes, which a
  // fresh buffer would allocate and clear each time.
  std::string body_;
  std::vector<User> users_;  // the users of the page last read, where its records' `parsed` point
};

}  // namespace rtpipe
