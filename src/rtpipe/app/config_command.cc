// `rtpipe config show|reference`.

#include <fmt/format.h>

#include "rtpipe/app/cli.h"

namespace rtpipe {

void AddConfigCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);

  config->add_subcommand("show", "Print the effective configuration, where each value came from, passwords masked")
      ->callback([&global, &selected] {
        selected = [&global] {
          auto loaded = LoadEffectiveConfig(global);
          if (!loaded.ok()) return ReportError(loaded.status());
          fmt::print("{}", RenderConfig(*loaded));
          return kExitOk;
        };
      });

  config->add_subcommand("reference", "Print the reference table of every key (as in docs/configuration.md)")
      ->callback([&selected] {
        selected = [] {
          fmt::print("{}", ConfigReferenceMarkdown());
          return kExitOk;
        };
      });
}

}  // namespace rtpipe
