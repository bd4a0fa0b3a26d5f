#include "rtpipe/base/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>

namespace rtpipe {
namespace {

constexpr const char* kPattern = "%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ [%n] %v";

// Writes log lines to stderr; on a terminal, erases the status line first and redraws it after.
class TerminalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  TerminalSink() : is_terminal_(::isatty(STDERR_FILENO) == 1) {}

  bool is_terminal() const { return is_terminal_; }

  void SetStatus(const std::string& text) {
    std::lock_guard lock(mutex_);
    if (!is_terminal_) {
      std::fprintf(stderr, "%s\n", text.c_str());
      std::fflush(stderr);
      return;
    }
    status_ = text;
    std::fprintf(stderr, "\r\033[K%s", status_.c_str());
    std::fflush(stderr);
  }

  void ClearStatus() {
    std::lock_guard lock(mutex_);
    if (is_terminal_ && !status_.empty()) {
      std::fprintf(stderr, "\r\033[K%s\n", status_.c_str());  // leave the final status visible
      std::fflush(stderr);
    }
    status_.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    if (is_terminal_ && !status_.empty()) std::fputs("\r\033[K", stderr);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
    if (is_terminal_ && !status_.empty()) std::fputs(status_.c_str(), stderr);
    std::fflush(stderr);
  }
  void flush_() override { std::fflush(stderr); }

 private:
  const bool is_terminal_;
  std::string status_;  // guarded by base_sink::mutex_
};

struct LoggingState {
  std::shared_ptr<TerminalSink> sink = std::make_shared<TerminalSink>();
  std::mutex mutex;  // guards level and logger creation
  spdlog::level::level_enum level = spdlog::level::info;
};

LoggingState& State() {
  static LoggingState* state = [] {
    auto* s = new LoggingState();  // intentionally leaked: loggers are used until process exit
    s->sink->set_formatter(std::make_unique<spdlog::pattern_formatter>(kPattern, spdlog::pattern_time_type::utc));
    return s;
  }();
  return *state;
}

}  // namespace

Result<spdlog::level::level_enum> ParseLogLevel(std::string_view text) {
  if (text == "trace") return spdlog::level::trace;
  if (text == "debug") return spdlog::level::debug;
  if (text == "info") return spdlog::level::info;
  if (text == "warn") return spdlog::level::warn;
  if (text == "error") return spdlog::level::err;
  if (text == "off") return spdlog::level::off;
  return Status::InvalidArgument("unknown log level \"{}\" (allowed: trace, debug, info, warn, error, off)", text);
}

void InitLogging(spdlog::level::level_enum level) {
  auto& state = State();
  std::lock_guard lock(state.mutex);
  state.level = level;
  spdlog::apply_all([level](const std::shared_ptr<spdlog::logger>& l) { l->set_level(level); });
}

std::shared_ptr<spdlog::logger> GetLogger(const std::string& component) {
  auto& state = State();
  std::lock_guard lock(state.mutex);
  if (auto existing = spdlog::get(component)) return existing;
  auto logger = std::make_shared<spdlog::logger>(component, state.sink);
  logger->set_level(state.level);
  spdlog::register_logger(logger);
  return logger;
}

void StatusLine::Set(const std::string& text) { State().sink->SetStatus(text); }
void StatusLine::Clear() { State().sink->ClearStatus(); }
bool StatusLine::IsTerminal() { return State().sink->is_terminal(); }

}  // namespace rtpipe
