// `rtpipe run`: the whole pipeline (or one role of it) until Ctrl-C, SIGTERM or --records.

#include "rtpipe/app/cli.h"
#include "rtpipe/app/pipeline.h"
#include "rtpipe/base/logging.h"
#include "rtpipe/base/shutdown.h"

namespace rtpipe {

void AddRunCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  struct Options {
    int64_t records = 0;
    std::string role = "all";
    bool replay = false;
    std::string from = "beginning";
  };
  auto options = std::make_shared<Options>();
  auto* run = app.add_subcommand(
      "run",
      "Run the pipeline: source -> landing -> capture -> log -> processor -> analytics store.\n"
      "With no configuration everything is embedded (data under ./data). Stops cleanly on Ctrl-C or SIGTERM and\n"
      "resumes where it stopped when run again.");
  run->add_option("--records", options->records,
                  "Stop once this many source records (counted since the data directory was created) have reached "
                  "the analytics store or the dead-letter topic")
      ->check(CLI::PositiveNumber);
  run->add_option("--role", options->role,
                  "Run one stage only: ingest (source + landing), capture (landing -> log), process (log -> store); "
                  "default all")
      ->check(CLI::IsMember({"all", "ingest", "capture", "process"}));
  auto* replay =
      run->add_flag("--replay", options->replay,
                    "Reprocess history from the log into the analytics store (a backfill), then stop. Runs the process "
                    "stage alone as the consumer group <process.group>.replay; the live group's position is untouched");
  run->add_option(
         "--from", options->from,
         "With --replay: \"beginning\" (default), an ISO-8601 event time (only windows starting at or after it "
         "are rewritten) or an offset")
      ->needs(replay);
  run->callback([&global, &selected, options] {
    selected = [&global, options] {
      std::stop_source stop = InstallShutdownHandler();
      auto loaded = LoadEffectiveConfig(global);
      if (!loaded.ok()) return ReportError(loaded.status());
      auto role = ParseRole(options->role);
      if (!role.ok()) return ReportError(role.status());
      PipelineOptions pipeline_options;
      pipeline_options.role = *role;
      if (options->records > 0) pipeline_options.record_limit = options->records;
      if (options->replay) {
        auto from = ParseReplayStart(options->from);
        if (!from.ok()) return ReportError(from.status());
        pipeline_options.replay = *from;
      }
      auto pipeline = Pipeline::Open(loaded->config, pipeline_options);
      if (!pipeline.ok()) return ReportError(pipeline.status());
      Status s = (*pipeline)->Run(stop.get_token());
      if (!s.ok()) return ReportError(s);
      return kExitOk;
    };
  });
}

}  // namespace rtpipe
