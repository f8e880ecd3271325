// vmcap's entry point: parses the command line, runs one subcommand, and turns whatever
// escapes it into a one-line message and an exit status.
#include <cstdio>
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "initramfs/pid1.h"

int main(int argc, char** argv) {
  if (vmcap::initramfs::running_as_init(argv[0])) vmcap::initramfs::run_as_init();  // the capture initramfs
  std::ios::sync_with_stdio(false);  // records stream through std::cout
  CLI::App app{"vmcap: save what a crashed Linux kernel leaves behind"};
  app.set_version_flag("--version", "vmcap " VMCAP_VERSION);
  app.require_subcommand(1);

  vmcap::CommandAction selected;
  vmcap::register_info_command(app, selected);
  vmcap::register_dmesg_command(app, selected);
  vmcap::register_filter_command(app, selected);
  vmcap::register_check_config_command(app, selected);
  vmcap::register_capture_command(app, selected);
  vmcap::register_mkinitramfs_command(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int status = app.exit(e);
    return status == 0 ? 0 : vmcap::kExitUsage;
  }
  try {
    return selected ? selected() : vmcap::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmcap: internal error: %s\n", e.what());
    return vmcap::kExitInternal;
  }
}
