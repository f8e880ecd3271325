// `vmcap check-config [FILE]`: every problem of a config file, with its line number.
#include <iostream>
#include <memory>

#include "capture/cli/commands.h"
#include "capture/config/check_config.h"

namespace vmcap {

void register_check_config_command(CLI::App& app, CommandAction& selected) {
  auto* cmd = app.add_subcommand("check-config", "Report every problem of a vmcap config file");
  auto path = std::make_shared<std::string>(config::kDefaultConfigPath);
  cmd->add_option("FILE", *path, "config file (default /etc/vmcap.conf)");
  cmd->callback([&selected, path] {
    selected = [path] { return config::run_check_config(*path, std::cout); };
  });
}

}  // namespace vmcap
