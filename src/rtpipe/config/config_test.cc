#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "rtpipe/config/loader.h"
#include "rtpipe/config/schema.h"

namespace rtpipe {
namespace {

struct Env {
  std::map<std::string, std::string> vars;
  std::function<const char*(const char*)> Fn() const {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
};

std::string WriteYaml(const std::string& text) {
  auto path = std::filesystem::temp_directory_path() / ("rtpipe_config_test_" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(path) << text;
  return path.string();
}

const ConfigValue& ValueOf(const LoadedConfig& c, const std::string& key) {
  for (const auto& v : c.values) {
    if (v.key == key) return v;
  }
  ADD_FAILURE() << "no key " << key;
  static ConfigValue none;
  return none;
}

TEST(Config, DefaultsAreTheEmbeddedPipeline) {
  Env env;
  auto c = LoadConfig({.file_path = "", .overrides = {}, .getenv = env.Fn()});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.source.url, "generator");
  EXPECT_EQ(c->config.landing.url, "sqlite:data/landing.db");
  EXPECT_EQ(c->config.log.url, "file:data/log");
  EXPECT_EQ(c->config.log.partitions, 4);
  EXPECT_EQ(c->config.sink.keyspace, "spark_streams");
  EXPECT_EQ(ValueOf(*c, "source.results").origin, ConfigOrigin::kDefault);
}

TEST(Config, FileThenEnvThenFlagsWithOrigins) {
  Env env{{{"KAFKA_TOPIC", "events"}, {"CASSANDRA_KEYSPACE", "ks"}}};
  std::string path = WriteYaml("source:\n  results: 100\n  interval: 2s\nlog:\n  topic: from_file\n");
  auto c = LoadConfig({.file_path = path, .overrides = {{"source.results", "7"}}, .getenv = env.Fn()});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->config.source.results, 7);
  EXPECT_EQ(ValueOf(*c, "source.results").origin, ConfigOrigin::kFlag);
  EXPECT_EQ(c->config.source.interval, std::chrono::milliseconds(2000));
  EXPECT_EQ(ValueOf(*c, "source.interval").origin, ConfigOrigin::kFile);
  EXPECT_EQ(c->config.log.topic, "events");
  EXPECT_EQ(ValueOf(*c, "log.topic").origin, ConfigOrigin::kEnv);
  EXPECT_EQ(c->config.sink.keyspace, "ks");
  std::string shown = RenderConfig(*c);
  EXPECT_NE(shown.find("env KAFKA_TOPIC"), std::string::npos) << shown;
  EXPECT_NE(shown.find("file " + path), std::string::npos) << shown;
  std::filesystem::remove(path);
}

TEST(Config, BadValueNamesKeyValueOriginAndAllowed) {
  Env env;
  std::string path = WriteYaml("source:\n  results: 0\n");
  auto c = LoadConfig({.file_path = path, .overrides = {}, .getenv = env.Fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "config key source.results = \"0\" (file " + path + "): expected an integer between 1 and 5000");
  std::filesystem::remove(path);
}

TEST(Config, UnknownKeySuggestsTheNearestOne) {
  Env env;
  std::string path = WriteYaml("source:\n  reslts: 10\n");
  auto c = LoadConfig({.file_path = path, .overrides = {}, .getenv = env.Fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("did you mean \"source.results\""), std::string::npos) << c.status();
  std::filesystem::remove(path);
}

TEST(Config, InvalidYamlAndMissingFile) {
  Env env;
  std::string path = WriteYaml("source: [unclosed\n");
  auto c = LoadConfig({.file_path = path, .overrides = {}, .getenv = env.Fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("not valid YAML"), std::string::npos) << c.status();
  std::filesystem::remove(path);
  auto missing = LoadConfig({.file_path = "/nonexistent/rtpipe.yaml", .overrides = {}, .getenv = env.Fn()});
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(Config, EnumAndDurationErrors) {
  Env env;
  auto c = LoadConfig({.file_path = "", .overrides = {{"log.fsync", "sometimes"}}, .getenv = env.Fn()});
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("expected one of always, interval or never"), std::string::npos);
  auto d = LoadConfig({.file_path = "", .overrides = {{"source.interval", "fast"}}, .getenv = env.Fn()});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("source.interval = \"fast\""), std::string::npos);
}

TEST(Config, WindowSlideMustDivideSize) {
  Env env;
  auto ok = LoadConfig({.file_path = "", .overrides = {{"process.window.slide", "20s"}}, .getenv = env.Fn()});
  EXPECT_TRUE(ok.ok()) << ok.status();
  auto bad = LoadConfig({.file_path = "", .overrides = {{"process.window.slide", "25s"}}, .getenv = env.Fn()});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("the slide must divide the size"), std::string::npos) << bad.status();
  auto dims = LoadConfig(
      {.file_path = "", .overrides = {{"process.window.dimensions", "country,shoe_size"}}, .getenv = env.Fn()});
  ASSERT_FALSE(dims.ok());
  EXPECT_NE(dims.status().message().find("process.window.dimensions"), std::string::npos);
}

TEST(Config, SourceUrlSchemesAndAFileSourceNeedsASeed) {
  Env env;
  auto file = LoadConfig({.file_path = "", .overrides = {{"source.url", "file:pages"}}, .getenv = env.Fn()});
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->config.source.url, "file:pages");
  auto unseeded = LoadConfig(
      {.file_path = "", .overrides = {{"source.url", "file:pages"}, {"source.seed", ""}}, .getenv = env.Fn()});
  ASSERT_FALSE(unseeded.ok());
  EXPECT_NE(unseeded.status().message().find("source.seed = \"\""), std::string::npos) << unseeded.status();
  EXPECT_NE(unseeded.status().message().find("needs a seed"), std::string::npos) << unseeded.status();
  auto no_path = LoadConfig({.file_path = "", .overrides = {{"source.url", "file:"}}, .getenv = env.Fn()});
  ASSERT_FALSE(no_path.ok());
  EXPECT_NE(no_path.status().message().find("expected a path after \"file:\""), std::string::npos) << no_path.status();
  auto ftp = LoadConfig({.file_path = "", .overrides = {{"source.url", "ftp://host/x"}}, .getenv = env.Fn()});
  ASSERT_FALSE(ftp.ok());
  EXPECT_NE(ftp.status().message().find("unsupported scheme \"ftp:\""), std::string::npos) << ftp.status();
}

TEST(Config, PostgresEnvComposesUrlAndMasksPassword) {
  Env env{{{"POSTGRES_DB", "airflow"}, {"POSTGRES_USER", "airflow"}, {"POSTGRES_PASSWORD", "s3cret"}}};
  // postgresql: is not a supported landing scheme until the PostgreSQL landing exists; the error
  // must still name the variables and not leak the password.
  auto c = LoadConfig({.file_path = "", .overrides = {}, .getenv = env.Fn()});
  if (c.ok()) {
    EXPECT_EQ(ValueOf(*c, "landing.url").text, "postgresql://airflow:s3cret@localhost:5432/airflow");
    EXPECT_EQ(RenderConfig(*c).find("s3cret"), std::string::npos);
  } else {
    EXPECT_NE(c.status().message().find("POSTGRES_DB"), std::string::npos) << c.status();
    EXPECT_EQ(c.status().message().find("s3cret"), std::string::npos) << c.status();
  }
}

TEST(Config, ReferenceInDocsMatchesTheSchema) {
  const char* root = std::getenv("RTPIPE_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "RTPIPE_SOURCE_DIR is set by CTest";
  std::ifstream in(std::string(root) + "/docs/configuration.md");
  ASSERT_TRUE(in.good());
  std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(doc.find(ConfigReferenceMarkdown()), std::string::npos)
      << "docs/configuration.md is out of date; regenerate its table with scripts/update-config-docs:\n"
      << ConfigReferenceMarkdown();
}

}  // namespace
}  // namespace rtpipe
