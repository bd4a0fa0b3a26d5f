#pragma once
// Shared plumbing of the `rtpipe` sub-commands: global options, config loading, exit codes.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/config/loader.h"

namespace rtpipe {

/// Exit codes: 0 success, 1 runtime failure, 2 bad usage or bad configuration.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct GlobalOptions {
  std::string config_path;        // --config
  std::vector<std::string> sets;  // --set key=value
  std::string log_level;          // --log-level (overrides run.log_level)
};

/// The body of the sub-command the user chose; returns the exit code.
using CommandBody = std::function<int()>;

/// Loads the effective config (file, env, --set, then `extra` flag overrides), sets up logging
/// at its level, and prints a clear error on failure.
Result<LoadedConfig> LoadEffectiveConfig(const GlobalOptions& global,
                                         std::vector<std::pair<std::string, std::string>> extra = {});

/// Prints "rtpipe: error: <message>" and returns the exit code fitting the status.
int ReportError(const Status& status);

// Each command file adds its sub-commands; the chosen one stores its body in `selected`.
void AddConfigCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddSourceCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddLogCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddRunCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddQueryCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddBenchCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected);
void AddCaptureCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected);

}  // namespace rtpipe
