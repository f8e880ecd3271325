// Each subcommand registers itself on the CLI11 app and returns the action to run
// once the command line is parsed. The action returns an exit status.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace vmcap {

using CommandAction = std::function<int()>;

// Register a subcommand; `selected` is set to its action when it is the one invoked.
void register_info_command(CLI::App& app, CommandAction& selected);
void register_dmesg_command(CLI::App& app, CommandAction& selected);
void register_filter_command(CLI::App& app, CommandAction& selected);
void register_check_config_command(CLI::App& app, CommandAction& selected);
void register_capture_command(CLI::App& app, CommandAction& selected);
void register_mkinitramfs_command(CLI::App& app, CommandAction& selected);

}  // namespace vmcap
