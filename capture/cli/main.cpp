// vmcap's entry point and its whole command line: the one file that knows CLI11. It parses
// argv into a subcommand's options (commands.h), runs it, and turns whatever escapes it
// into a one-line message and an exit status.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "arm/load/arming.h"
#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/config/check_config.h"
#include "capture/config/spelling.h"
#include "capture/config/value_parsers.h"
#include "capture/run/capture_run.h"
#include "initramfs/pid1.h"
#include "pstore/collect/pstore_command.h"
#include "report/report_command.h"

namespace vmcap {
namespace {

// The action of the subcommand that was invoked, set by its callback once argv is parsed.
using CommandAction = std::function<int()>;

// VMCORE and --mmap, as info and dmesg take them.
void add_dump_input(CLI::App& cmd, std::string& path, bool& mmap) {
  cmd.add_option("VMCORE", path, "the dump (/proc/vmcore, ELF core, kdump-compressed, flattened, flat-zstd)")
      ->required();
  cmd.add_flag("--mmap", mmap, "read the file through mmap windows");
}

// --level against --compress, by the config's own rule (compression_level): 0 is always the
// method's default.
void check_compression_level(const std::string& compress, long long level) {
  if (level == 0) return;
  auto method = config::parse_compression(compress);
  if (!method.value) return;  // --compress's own check says what is wrong
  std::string why = config::compression_level_problem(*method.value, level);
  if (why.empty()) return;
  why = method.value == config::Compression::None ? "with --compress none: no level applies" : "is " + why;
  throw CLI::ValidationError("vmcap filter: --level " + std::to_string(level) + " " + why);
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
  cmd->add_option("OUT", o->output, "output file; '-' for stdout with --format flat or flat-zstd")->required();
  cmd->add_option("-d,--dump-level", o->dump_level,
                  "pages to exclude, makedumpfile's bits: 1 zero, 2 cache, 4 private cache, 8 user, 16 free")
      ->check(CLI::Range(0, 31));
  cmd->add_option("--compress", o->compress, "page compression")->check(CLI::IsMember({"zstd", "zlib", "none"}));
  cmd->add_option("--level", o->level, "compression level (0: the default for the method; flat-zstd: the frames' zstd level)");
  cmd->add_option("--threads", o->threads, "compression threads (0: every CPU)");
  cmd->add_option("--format", o->format,
                  "kdump (kdump-compressed), flat (makedumpfile -F), flat-zstd (flat, raw pages in zstd frames "
                  "with a seek table: vmcap reads it, --format kdump converts it), elf")
      ->check(CLI::IsMember({"kdump", "flat", "flat-zstd", "elf"}));
  cmd->add_flag("-q,--quiet", o->quiet, "no progress on stderr");
  cmd->callback([&selected, o] {
    check_compression_level(o->compress, o->level);
    selected = [o] { return run_filter(*o); };
  });
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
  auto* cmd = app.add_subcommand("capture", "Save the log and a filtered core where the config says, then the final action "
                                "(reboot by default; in a kdump capture kernel only)");
  cmd->add_option("--config", o->config_path, "the config file (docs/config.md)");
  cmd->add_option("--vmcore", o->vmcore, "the dump to capture");
  cmd->add_flag("--dry-run", o->dry_run, "do everything but the final action (print it instead)");
  cmd->add_flag("--force-final-action", o->force_final_action,
                "do the final action (reboot...) even outside a kdump capture kernel, where it is skipped: "
                "when the input is not /proc/vmcore or there is none");
  auto network = std::make_shared<bool>(false);
  cmd->add_flag("--network", *network,
                "bring the network up first, as vmcap's own /init does: the config's [network], or DHCP on the "
                "first Ethernet interface without one (the dracut module uses it; in a kdump capture kernel only)");
  cmd->callback([&selected, o, network] {
    selected = [o, network] {
      run::Progress progress;
      if (*network) initramfs::bring_up_capture_network(o->config_path, o->vmcore, progress);
      return run::run_capture(*o, progress);
    };
  });
}

// `vmcap arm`, `disarm`, `status`, `estimate` (docs/arming.md): the running machine's side.
void add_arming(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<arm::ArmOptions>();
  auto config = [o](CLI::App* cmd) { cmd->add_option("--config", o->config_path, "the config file (docs/config.md)"); };

  auto* a = app.add_subcommand("arm", "Load vmcap's capture kernel into the crashkernel= reservation, checked and recorded");
  config(a);
  a->add_option("--kernel", o->kernel, "the capture kernel (default: /boot/vmlinuz-RELEASE of the running kernel)");
  a->add_option("--initrd", o->initrd, "the capture image (default: the one vmcap mkinitramfs makes, cached in /var/lib/vmcap)");
  a->add_option("--append", o->append, "more words for the capture kernel's command line");
  a->add_option("--vmcap", o->vmcap_binary, "the static vmcap for the image's /init (default: this binary)");
  a->add_option("--release", o->release,
                 "the capture kernel's release, for its modules (default: the running kernel's; with --kernel "
                 "/boot/vmlinuz-KREL and --build-only, what a kernel hook builds before KREL first boots)");
  a->add_flag("--dry-run", o->dry_run, "say what would be built and loaded; build and load nothing");
  a->add_flag("--build-only", o->build_only, "build (or find) the cached image and load nothing");
  a->add_flag("--reload", o->reload,
              "load again even when what is loaded is current (after CPU or memory hotplug the kernel's crash "
              "headers must be made again)");
  a->add_flag("--force", o->force, "arm even when the reservation looks smaller than the estimate");
  a->callback([&selected, o] {
    selected = [o] {
      run::Progress progress;
      return arm::run_arm(*o, progress);
    };
  });

  auto* d = app.add_subcommand("disarm", "Unload the capture kernel (a crash then leaves no dump)");
  d->callback([&selected, o] {
    selected = [o] {
      run::Progress progress;
      return arm::run_disarm(*o, progress);
    };
  });

  auto json = std::make_shared<bool>(false);
  auto* s = app.add_subcommand("status", "Armed or not, with what, and whether it is what vmcap arm would load now");
  config(s);
  s->add_option("--kernel", o->kernel, "the capture kernel arm would load (default: the running kernel's)");
  s->add_flag("--json", *json, "JSON on stdout (docs/arming.md)");
  s->callback([&selected, o, json] {
    selected = [o, json] {
      run::Progress progress;
      return arm::run_status(*o, *json, progress);
    };
  });

  auto apply = std::make_shared<bool>(false);
  auto* sc = app.add_subcommand("setup-crashkernel",
                                "Reserve what vmcap estimate says: print the GRUB snippet, or with --apply write "
                                "/etc/default/grub.d/vmcap.cfg and run update-grub");
  config(sc);
  sc->add_flag("--apply", *apply, "write the snippet and run update-grub (a reboot then reserves the memory)");
  sc->callback([&selected, o, apply] {
    selected = [o, apply] {
      run::Progress progress;
      return arm::run_setup_crashkernel(*o, *apply, "update-grub", progress);
    };
  });

  auto* e = app.add_subcommand("estimate", "The crashkernel= this machine needs for vmcap's capture, and how it was found");
  config(e);
  e->add_option("--kernel", o->kernel, "the capture kernel (default: the running kernel's)");
  e->callback([&selected, o] {
    selected = [o] {
      run::Progress progress;
      return arm::run_estimate(*o, progress);
    };
  });
}

// `vmcap pstore` (docs/pstore.md): the crashes the kernel kept in pstore, at the next boot.
void add_pstore(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<pstore::PstoreOptions>();
  auto* p = app.add_subcommand("pstore", "Send the crash logs the kernel kept in pstore (/sys/fs/pstore) as captures, "
                                         "then delete their records");
  p->add_option("--config", o->config_path, "the config file (docs/config.md)")->capture_default_str();
  p->add_option("--dir", o->dir, "the records' folder (/sys/fs/pstore is mounted when it is not; another folder is read as it is)")->capture_default_str();
  p->add_flag("--dry-run", o->dry_run, "say what would be sent and deleted; send, delete and mount nothing");
  p->add_flag("--keep", o->keep,
              "delete no record; remember what was sent (/var/lib/vmcap/pstore-sent.json) so that it is not sent again");
  p->callback([&selected, o] {
    selected = [o] {
      run::Progress progress;
      return pstore::run_pstore(*o, progress);
    };
  });
}

// `vmcap report` (docs/report.md): the crash groups of a destination's index.
void add_report(CLI::App& app, CommandAction& selected) {
  auto o = std::make_shared<report::ReportOptions>();
  auto* r = app.add_subcommand("report", "Group a destination's crash index by crash signature: counts, first and last "
                                         "seen, hosts, kernels, which captures hold a core");
  r->add_option("--config", o->config_path, "the config file: its destinations and credentials (docs/config.md)");
  r->add_option("--destination", o->destination,
                "a destination of the config by name, or a URL (file:///var/crash); default: the config's "
                "index_destination, else its first file, sftp or s3 destination");
  r->add_option("--since", o->since, "only crashes from then on: a UTC date or time (2026-12-01, 2026-12-01T08:00:00Z) "
                                     "or an age (12h, 7d, 2w)");
  r->add_option("--format", o->format, "text, json (docs/report.md), html (one static page)")
      ->check(CLI::IsMember({"text", "json", "html"}));
  r->add_option("-o,--output", o->output, "write to FILE (via FILE.tmp, renamed when complete)");
  r->callback([&selected, o] { selected = [o] { return report::run_report(*o); }; });
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
  auto* level = cmd->add_option("--level", r->zstd_level, "zstd level, 1..19");
  cmd->add_option("--vmcap", r->vmcap_binary,
                  "the static vmcap for /init (default: this binary, when it is static)");
  cmd->add_flag("--force", r->force, "build even when the config has problems or names missing files");
  cmd->add_option("-o,--output", r->output, "the image to write")->required();
  cmd->callback([&selected, r, compress, level] {
    if (*compress == "none" && level->count() > 0)
      throw CLI::ValidationError("vmcap mkinitramfs: --level with --compress none: no level applies");
    selected = [r, compress] { return run_mkinitramfs(*r, *compress); };
  });
}

std::vector<std::string> long_option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options())
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
  return names;
}

bool is_number(const std::string& arg) {
  return arg.size() > 1 && arg.find_first_not_of("0123456789.", 1) == std::string::npos;
}

// What CLI11 says of a mistyped word is often beside the point ("A subcommand is required"
// for `vmcap dump`, the next word listed as unexpected for `--fromat json`). This names the
// word that is wrong and, when one is near, what was meant.
std::optional<std::string> explain_parse_error(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> subcommands;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    subcommands.push_back(sub->get_name());
  auto list = [&] {
    std::string s;
    for (const auto& n : subcommands) s += (s.empty() ? "" : ", ") + n;
    return s;
  };
  const CLI::App* scope = &app;
  std::string where = "vmcap";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-' && !is_number(arg)) {
      std::string name = arg.substr(0, arg.find('='));
      if (name.size() > 2 && name[1] != '-') name = name.substr(0, 2);  // -ofile, -qd: the first letter
      if (scope->get_option_no_throw(name)) continue;
      return where + ": unknown option '" + name + "'" + config::did_you_mean(name, long_option_names(*scope)) +
             "; " + where + " --help lists them";
    }
    if (scope != &app) continue;  // a value or a positional of the subcommand
    if (std::find(subcommands.begin(), subcommands.end(), arg) != subcommands.end()) {
      scope = app.get_subcommand(arg);
      where = "vmcap " + arg;
      continue;
    }
    return "vmcap: unknown subcommand '" + arg + "'" + config::did_you_mean(arg, subcommands) + "; the subcommands: " +
           list();
  }
  if (scope == &app) return "vmcap: a subcommand is required: " + list() + " (vmcap --help says what each does)";
  return std::nullopt;
}

}  // namespace
}  // namespace vmcap

int main(int argc, char** argv) {
  if (vmcap::initramfs::running_as_init(argv[0])) vmcap::initramfs::run_as_init();  // the capture initramfs
  std::ios::sync_with_stdio(false);  // records stream through std::cout
  CLI::App app{"vmcap: save what a crashed Linux kernel leaves behind"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.set_version_flag("--version", "vmcap " VMCAP_VERSION);
  app.require_subcommand(1);

  vmcap::CommandAction selected;
  vmcap::add_info(app, selected);
  vmcap::add_dmesg(app, selected);
  vmcap::add_filter(app, selected);
  vmcap::add_check_config(app, selected);
  vmcap::add_capture(app, selected);
  vmcap::add_mkinitramfs(app, selected);
  vmcap::add_arming(app, selected);
  vmcap::add_pstore(app, selected);
  vmcap::add_report(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    if (dynamic_cast<const CLI::ValidationError*>(&e) == nullptr) {
      if (auto why = vmcap::explain_parse_error(app, argc, argv)) {
        std::fprintf(stderr, "%s\n", why->c_str());
        return vmcap::kExitUsage;
      }
    }
    app.exit(e);
    return vmcap::kExitUsage;
  }
  try {
    return selected ? selected() : vmcap::kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmcap: internal error: %s\n", e.what());
    return vmcap::kExitInternal;
  }
}
