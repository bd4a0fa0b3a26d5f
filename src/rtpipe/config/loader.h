#pragma once
// Loading the effective configuration: defaults, then rtpipe.yaml, then the brief's environment
// variables, then command-line overrides. Each value remembers where it came from.

#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "rtpipe/base/result.h"
#include "rtpipe/config/config.h"

namespace rtpipe {

enum class ConfigOrigin { kDefault, kFile, kEnv, kFlag };

struct ConfigValue {
  std::string key;
  std::string text;  // the value as given
  ConfigOrigin origin = ConfigOrigin::kDefault;
  std::string detail;  // file path, environment variable(s) or flag that set it
};

struct ConfigInputs {
  /// --config; empty means ./rtpipe.yaml when that file exists.
  std::string file_path;
  /// key=value overrides from the command line (`--set k=v` and flags such as `fetch --url`).
  std::vector<std::pair<std::string, std::string>> overrides;
  /// How environment variables are read (tests substitute a map).
  std::function<const char*(const char*)> getenv = [](const char* name) -> const char* { return std::getenv(name); };
};

struct LoadedConfig {
  Config config;
  std::vector<ConfigValue> values;  // one per key, in documentation order
  std::string file_path;            // the file that was read, or empty
};

/// Errors name the key, the value, where it came from and what is allowed, e.g.
/// `source.results = "0" (from rtpipe.yaml): expected an integer between 1 and 5000`.
Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs);

/// The `rtpipe config show` table: key, value (passwords masked), origin.
std::string RenderConfig(const LoadedConfig& loaded);

/// The reference table of docs/configuration.md: one row per key with default, allowed values and doc.
std::string ConfigReferenceMarkdown();

/// The value as `config show` prints it: passwords in URLs masked.
std::string DisplayValue(const std::string& key, const std::string& text);

}  // namespace rtpipe
