// rtpipe: one binary for the whole pipeline. This file only assembles the sub-commands.

#include <CLI/CLI.hpp>

#include <cstdio>

#include "rtpipe/app/cli.h"
#include "rtpipe/base/logging.h"

int main(int argc, char** argv) {
  using namespace rtpipe;
  CLI::App app{
      "rtpipe: a real-time data pipeline in one binary.\n"
      "Pulls users from the randomuser.me API (or its offline generator), lands them in an OLTP store, captures\n"
      "them into a partitioned log, processes them as a stream and writes them to an analytics store.\n"
      "Embedded defaults need no servers; PostgreSQL, Kafka and Cassandra are chosen by URL in rtpipe.yaml.",
      "rtpipe"};
  app.set_version_flag("--version", "rtpipe " RTPIPE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();

  GlobalOptions global;
  app.add_option("-c,--config", global.config_path, "Config file (default: ./rtpipe.yaml when present)");
  app.add_option("--set", global.sets, "Override a config key, e.g. --set source.results=100 (repeatable)")
      ->allow_extra_args(false);  // one key=value per --set, so a following argument is not swallowed
  app.add_option("--log-level", global.log_level, "trace, debug, info, warn, error or off (overrides run.log_level)");

  CommandBody selected;
  AddRunCommand(app, global, selected);
  AddQueryCommand(app, global, selected);
  AddBenchCommand(app, global, selected);
  AddConfigCommands(app, global, selected);
  AddSourceCommands(app, global, selected);
  AddLogCommands(app, global, selected);
  AddCaptureCommands(app, global, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!selected) return kExitUsage;
  return selected();
}
