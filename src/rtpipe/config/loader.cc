#include "rtpipe/config/loader.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include "rtpipe/config/schema.h"
#include "rtpipe/config/url.h"

namespace rtpipe {
namespace {

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string Suggestion(std::string_view unknown) {
  const ConfigKey* best = nullptr;
  size_t best_distance = 4;
  for (const auto& key : ConfigKeys()) {
    size_t d = EditDistance(unknown, key.name);
    if (d < best_distance) {
      best_distance = d;
      best = &key;
    }
  }
  return best != nullptr ? fmt::format(" (did you mean \"{}\"?)", best->name) : "";
}

Status Flatten(const YAML::Node& node, const std::string& prefix, std::map<std::string, std::string>& out) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      for (const auto& item : node) {
        std::string key = item.first.as<std::string>();
        RTPIPE_RETURN_IF_ERROR(Flatten(item.second, prefix.empty() ? key : prefix + "." + key, out));
      }
      return Status::OK();
    case YAML::NodeType::Sequence: {
      std::string joined;
      for (const auto& item : node) {
        if (!item.IsScalar()) return Status::InvalidArgument("{}: expected a list of plain values", prefix);
        joined += (joined.empty() ? "" : ",") + item.as<std::string>();
      }
      out[prefix] = joined;
      return Status::OK();
    }
    case YAML::NodeType::Scalar:
      out[prefix] = node.as<std::string>();
      return Status::OK();
    case YAML::NodeType::Null:
      out[prefix] = "";
      return Status::OK();
    case YAML::NodeType::Undefined:
      break;
  }
  return Status::InvalidArgument("{}: unsupported YAML value", prefix);
}

Result<std::map<std::string, std::string>> ReadFile(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Status::NotFound("config file {} cannot be read", path);
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config file {} is not valid YAML: line {}, column {}: {}", path, e.mark.line + 1,
                                   e.mark.column + 1, e.msg);
  }
  std::map<std::string, std::string> flat;
  if (root.IsNull()) return flat;
  if (!root.IsMap()) return Status::InvalidArgument("config file {} must be a mapping of keys to values", path);
  try {
    RTPIPE_RETURN_IF_ERROR(Flatten(root, "", flat));
  } catch (const YAML::Exception& e) {
    return Status::InvalidArgument("config file {}: {}", path, e.msg);
  }
  return flat;
}

struct EnvValue {
  std::string key;
  std::string text;
  std::string variables;
};

// The brief's environment variables, mapped onto keys.
std::vector<EnvValue> ReadEnvironment(const ConfigInputs& inputs) {
  std::vector<EnvValue> out;
  auto get = [&](const char* name) -> std::optional<std::string> {
    const char* v = inputs.getenv(name);
    if (v == nullptr || *v == '\0') return std::nullopt;
    return std::string(v);
  };
  if (auto v = get("KAFKA_BOOTSTRAP_SERVERS")) out.push_back({"log.url", "kafka://" + *v, "KAFKA_BOOTSTRAP_SERVERS"});
  if (auto v = get("KAFKA_TOPIC")) out.push_back({"log.topic", *v, "KAFKA_TOPIC"});
  auto host = get("POSTGRES_HOST"), port = get("POSTGRES_PORT"), db = get("POSTGRES_DB"), user = get("POSTGRES_USER"),
       password = get("POSTGRES_PASSWORD");
  if (host || port || db || user || password) {
    std::string names;
    for (auto [name, value] : {std::pair{"POSTGRES_HOST", &host},
                               {"POSTGRES_PORT", &port},
                               {"POSTGRES_DB", &db},
                               {"POSTGRES_USER", &user},
                               {"POSTGRES_PASSWORD", &password}}) {
      if (*value) names += (names.empty() ? "" : ",") + std::string(name);
    }
    std::string u = user.value_or("postgres");
    std::string url =
        fmt::format("postgresql://{}{}@{}:{}/{}", PercentEncode(u), password ? ":" + PercentEncode(*password) : "",
                    host.value_or("localhost"), port.value_or("5432"), PercentEncode(db.value_or(u)));
    out.push_back({"landing.url", url, names});
  }
  if (auto v = get("CASSANDRA_HOST")) out.push_back({"sink.url", "cassandra://" + *v, "CASSANDRA_HOST"});
  if (auto v = get("CASSANDRA_KEYSPACE")) out.push_back({"sink.keyspace", *v, "CASSANDRA_KEYSPACE"});
  return out;
}

std::string OriginText(const ConfigValue& v) {
  switch (v.origin) {
    case ConfigOrigin::kDefault:
      return "default";
    case ConfigOrigin::kFile:
      return "file " + v.detail;
    case ConfigOrigin::kEnv:
      return "env " + v.detail;
    case ConfigOrigin::kFlag:
      return "flag " + v.detail;
  }
  return "";
}

// Rules that involve more than one key.
Status CheckAcrossKeys(const Config& c, const std::map<std::string, ConfigValue>& values) {
  const auto& w = c.process.window;
  if (w.slide > w.size || w.size.count() % w.slide.count() != 0) {
    return Status::InvalidArgument(
        "config keys process.window.size = \"{}\" ({}) and process.window.slide = \"{}\" ({}): the slide must "
        "divide the size (equal for tumbling windows)",
        values.at("process.window.size").text, OriginText(values.at("process.window.size")),
        values.at("process.window.slide").text, OriginText(values.at("process.window.slide")));
  }
  if (c.source.url.starts_with("file:") && c.source.seed.empty()) {
    return Status::InvalidArgument(
        "config keys source.url = \"{}\" ({}) and source.seed = \"\" ({}): saved pages are replayed by seed and "
        "page, so a file: source needs a seed",
        values.at("source.url").text, OriginText(values.at("source.url")), OriginText(values.at("source.seed")));
  }
  return Status::OK();
}

}  // namespace

Result<LoadedConfig> LoadConfig(const ConfigInputs& inputs) {
  LoadedConfig loaded;
  const auto& keys = ConfigKeys();
  std::map<std::string, ConfigValue> values;
  for (const auto& key : keys) values[key.name] = {key.name, key.default_text, ConfigOrigin::kDefault, ""};

  std::string path = inputs.file_path;
  if (path.empty() && std::filesystem::exists("rtpipe.yaml")) path = "rtpipe.yaml";
  if (!path.empty()) {
    RTPIPE_ASSIGN_OR_RETURN(auto flat, ReadFile(path));
    for (auto& [name, text] : flat) {
      if (!values.contains(name)) {
        return Status::InvalidArgument("unknown key \"{}\" in {}{}", name, path, Suggestion(name));
      }
      values[name] = {name, text, ConfigOrigin::kFile, path};
    }
    loaded.file_path = path;
  }
  for (auto& env : ReadEnvironment(inputs)) {
    values[env.key] = {env.key, env.text, ConfigOrigin::kEnv, env.variables};
  }
  for (const auto& [name, text] : inputs.overrides) {
    if (!values.contains(name)) {
      return Status::InvalidArgument("unknown key \"{}\" given on the command line{}", name, Suggestion(name));
    }
    values[name] = {name, text, ConfigOrigin::kFlag, "--set " + name};
  }

  for (const auto& key : keys) {
    ConfigValue& v = values[key.name];
    Status s = key.apply(v.text, loaded.config);
    if (!s.ok()) {
      return Status::InvalidArgument("config key {} = \"{}\" ({}): {}", key.name, DisplayValue(key.name, v.text),
                                     OriginText(v), s.message());
    }
    loaded.values.push_back(v);
  }
  RTPIPE_RETURN_IF_ERROR(CheckAcrossKeys(loaded.config, values));
  return loaded;
}

std::string DisplayValue(const std::string& key, const std::string& text) {
  const ConfigKey* spec = FindConfigKey(key);
  if (spec == nullptr || !spec->secret || text.empty()) return text;
  if (ParseUrl(text).ok()) return MaskUrlPassword(text);
  return "****";
}

std::string ConfigReferenceMarkdown() {
  std::string out = "| Key | Default | Allowed | What it does |\n|---|---|---|---|\n";
  for (const auto& key : ConfigKeys()) {
    std::string def = key.default_text.empty() ? "\"\"" : key.default_text;
    out += fmt::format("| `{}` | `{}` | {} | {} |\n", key.name, def, key.allowed, key.doc);
  }
  return out;
}

std::string RenderConfig(const LoadedConfig& loaded) {
  size_t key_width = 0, value_width = 0;
  std::vector<std::string> shown;
  for (const auto& v : loaded.values) {
    shown.push_back(DisplayValue(v.key, v.text));
    key_width = std::max(key_width, v.key.size());
    value_width = std::max(value_width, shown.back().size() + 2);
  }
  std::string out = fmt::format("# effective configuration{}\n",
                                loaded.file_path.empty() ? " (no config file)" : " from " + loaded.file_path);
  for (size_t i = 0; i < loaded.values.size(); ++i) {
    const auto& v = loaded.values[i];
    out += fmt::format("{:<{}} = {:<{}} # {}\n", v.key, key_width, "\"" + shown[i] + "\"", value_width, OriginText(v));
  }
  return out;
}

}  // namespace rtpipe
