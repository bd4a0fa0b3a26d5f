#include "rtpipe/app/cli.h"

#include <fmt/format.h>

#include <cstdio>

#include "rtpipe/base/logging.h"

namespace rtpipe {

Result<LoadedConfig> LoadEffectiveConfig(const GlobalOptions& global,
                                         std::vector<std::pair<std::string, std::string>> extra) {
  ConfigInputs inputs;
  inputs.file_path = global.config_path;
  for (const auto& set : global.sets) {
    size_t eq = set.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("--set expects key=value, got \"{}\"", set);
    }
    inputs.overrides.emplace_back(set.substr(0, eq), set.substr(eq + 1));
  }
  if (!global.log_level.empty()) inputs.overrides.emplace_back("run.log_level", global.log_level);
  for (auto& kv : extra) inputs.overrides.push_back(std::move(kv));
  RTPIPE_ASSIGN_OR_RETURN(LoadedConfig loaded, LoadConfig(inputs));
  RTPIPE_ASSIGN_OR_RETURN(auto level, ParseLogLevel(loaded.config.run.log_level));
  InitLogging(level);
  return loaded;
}

int ReportError(const Status& status) {
  StatusLine::Clear();
  std::fprintf(stderr, "rtpipe: error: %s\n", status.message().c_str());
  return status.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailure;
}

}  // namespace rtpipe
