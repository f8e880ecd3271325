// `vmcap capture [--config FILE] [--vmcore PATH] [--dry-run]`: the capture kernel's job
// (capture/run/capture_run.h): the log and the filtered core to the configured
// destinations, the manifest, then the final action. Exit status 0 complete, 1 partial,
// 2 nothing saved (docs/manifest.md).
#include <memory>

#include "capture/cli/commands.h"
#include "capture/config/check_config.h"
#include "capture/run/capture_run.h"

namespace vmcap {

void register_capture_command(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<run::CaptureOptions>();
  o->config_path = config::kDefaultConfigPath;
  auto* cmd = app.add_subcommand("capture", "Save the log and a filtered core where the config says, then reboot");
  cmd->add_option("--config", o->config_path, "the config file (docs/config.md)");
  cmd->add_option("--vmcore", o->vmcore, "the dump to capture");
  cmd->add_flag("--dry-run", o->dry_run, "do everything but the final action (print it instead)");
  cmd->callback([&selected, o] {
    selected = [o] {
      run::Progress progress;
      return run::run_capture(*o, progress);
    };
  });
}

}  // namespace vmcap
