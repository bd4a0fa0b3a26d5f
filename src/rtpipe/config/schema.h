#pragma once
// The config schema: every key, its default, what it allows and what it does.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rtpipe/base/status.h"
#include "rtpipe/config/config.h"

namespace rtpipe {

struct ConfigKey {
  std::string name;          // dotted: "source.results"
  std::string default_text;  // the default as it would be written in rtpipe.yaml
  std::string allowed;       // "an integer between 1 and 5000", "always, interval or never"
  std::string doc;           // one sentence
  bool secret = false;       // `config show` masks it (only the password, for a URL)
  /// Parses `text` and stores it in `config`; the error says what is allowed.
  std::function<Status(std::string_view text, Config& config)> apply;
};

/// All keys, in documentation order.
const std::vector<ConfigKey>& ConfigKeys();
const ConfigKey* FindConfigKey(std::string_view name);

}  // namespace rtpipe
