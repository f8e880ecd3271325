// vmcap's entry point and its whole command line: the one file that knows CLI11. It parses
// argv into a subcommand's options (commands.h), runs it, and turns whatever escapes it
// into a one-line message and an exit status.
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/config/check_config.h"
#include "capture/run/capture_run.h"
#include "initramfs/pid1.h"

namespace vmcap {
namespace {

// The action of the subcommand that was invoked, set by its callback once argv is parsed.
using CommandAction = std::function<int()>;

// VMCORE and --mmap, as info and dmesg take them.
void add_dump_input(CLI::App& cmd, std::string& path, bool& mmap) {
  cmd.add_option("VMCORE", path, "the dump (/proc/vmcore, ELF core, kdump-compressed, flattened)")
      ->required();
  cmd.add_flag("--mmap", mmap, "read the file through mmap windows");
}

void add_info(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<InfoOptions>();
  auto* cmd = app.add_subcommand("info", "Describe a dump: format, kernel, CPUs, memory, log layout");
  add_dump_input(*cmd, o->path, o->mmap);
  cmd->add_flag("--json", o->json, "JSON output (schema: docs/info-json.md)");
  cmd->callback([&selected, o] { selected = [o] { return run_info(*o); }; });
}

void add_dmesg(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<DmesgOptions>();
  auto* cmd = app.add_subcommand("dmesg", "Print the kernel log kept in a dump");
  add_dump_input(*cmd, o->path, o->mmap);
  cmd->add_option("--format", o->format, "text (as vmcore-dmesg), kmsg (as /dev/kmsg), json (docs/dmesg-json.md)")
      ->check(CLI::IsMember({"text", "kmsg", "json"}));
  cmd->add_option("-o,--output", o->output, "write to FILE (via FILE.tmp, renamed when complete)");
  cmd->add_flag("--kmsg-caller", o->kmsg_caller, "kmsg: add ,caller= as CONFIG_PRINTK_CALLER kernels do");
  cmd->callback([&selected, o] { selected = [o] { return run_dmesg(*o); }; });
}

void add_filter(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<FilterOptions>();
  auto* cmd = app.add_subcommand("filter", "Write a filtered, compressed core (makedumpfile's dump levels)");
  cmd->add_option("VMCORE", o->input, "the dump to filter")->required();
  cmd->add_option("OUT", o->output, "output file; '-' for stdout with --format flat")->required();
  cmd->add_option("-d,--dump-level", o->dump_level,
                  "pages to exclude, makedumpfile's bits: 1 zero, 2 cache, 4 private cache, 8 user, 16 free")
      ->check(CLI::Range(0, 31));
  cmd->add_option("--compress", o->compress, "page compression")->check(CLI::IsMember({"zstd", "zlib", "none"}));
  cmd->add_option("--level", o->level, "compression level (0: the default for the method)");
  cmd->add_option("--threads", o->threads, "compression threads (0: every CPU)");
  cmd->add_option("--format", o->format, "kdump (kdump-compressed), flat (makedumpfile -F), elf")
      ->check(CLI::IsMember({"kdump", "flat", "elf"}));
  cmd->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
  cmd->callback([&selected, o] { selected = [o] { return run_filter(*o); }; });
}

void add_check_config(CLI::App& app, CommandAction& selected) {
  auto* cmd = app.add_subcommand("check-config", "Report every problem of a vmcap config file");
  auto path = std::make_shared<std::string>(config::kDefaultConfigPath);
  cmd->add_option("FILE", *path, "config file (default /etc/vmcap.conf)");
  cmd->callback([&selected, path] { selected = [path] { return config::run_check_config(*path, std::cout); }; });
}

// The capture kernel's job (capture/run/capture_run.h): exit status 0 complete, 1 partial,
// 2 nothing saved (docs/exit-status.md).
void add_capture(CLI::App& app, CommandAction& selected) {
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

void add_mkinitramfs(CLI::App& app, CommandAction& selected) {
  auto r = std::make_shared<initramfs::ImageRequest>();
  auto compress = std::make_shared<std::string>("zstd");
  r->config_path = config::kDefaultConfigPath;
  auto* cmd = app.add_subcommand("mkinitramfs", "Write a capture initramfs with vmcap as /init");
  cmd->add_option("--config", r->config_path, "the config to carry (with the files it names)");
  auto* root = cmd->add_option("--kernel-root", r->kernel_root,
                               "a root folder holding lib/modules/KREL (and boot/config-KREL) of the capture kernel");
  cmd->add_option("--kver", r->kernel_release, "the capture kernel's release: modules from /lib/modules/KREL")
      ->excludes(root);
  cmd->add_option("--module", r->modules, "a module to load (repeatable), beside the config's [network] modules");
  cmd->add_option("--compress", *compress, "zstd (default) or none")->check(CLI::IsMember({"zstd", "none"}));
  cmd->add_option("--level", r->zstd_level, "zstd level, 1..19 (default 19)");
  cmd->add_option("--vmcap", r->vmcap_binary,
                  "the static vmcap for /init (default: this binary, when it is static)");
  cmd->add_flag("--force", r->force, "build even when the config has problems or names missing files");
  cmd->add_option("-o,--output", r->output, "the image to write")->required();
  cmd->callback([&selected, r, compress] { selected = [r, compress] { return run_mkinitramfs(*r, *compress); }; });
}

}  // namespace
}  // namespace vmcap

int main(int argc, char** argv) {
  if (vmcap::initramfs::running_as_init(argv[0])) vmcap::initramfs::run_as_init();  // the capture initramfs
  std::ios::sync_with_stdio(false);  // records stream through std::cout
  CLI::App app{"vmcap: save what a crashed Linux kernel leaves behind"};
  app.set_version_flag("--version", "vmcap " VMCAP_VERSION);
  app.require_subcommand(1);

  vmcap::CommandAction selected;
  vmcap::add_info(app, selected);
  vmcap::add_dmesg(app, selected);
  vmcap::add_filter(app, selected);
  vmcap::add_check_config(app, selected);
  vmcap::add_capture(app, selected);
  vmcap::add_mkinitramfs(app, selected);

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
