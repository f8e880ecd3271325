// `vmcap mkinitramfs`: a capture initramfs with vmcap as /init, the config and its files,
// and the kernel modules to load (initramfs/image_builder.h, docs/initramfs.md).
// Exit status 0 written, 2 when the config, a file or a module is wrong, 64 usage.
#include <cstdio>
#include <memory>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"
#include "capture/config/check_config.h"
#include "initramfs/image_builder.h"

namespace vmcap {
namespace {

std::string mib(uint64_t bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return s;
}

}  // namespace

void register_mkinitramfs_command(CLI::App& app, CommandAction& selected) {
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
  cmd->callback([&selected, r, compress] {
    selected = [r, compress] {
      r->compress = *compress == "zstd";
      auto report = initramfs::build_initramfs(*r);
      if (!report) {
        std::fprintf(stderr, "vmcap mkinitramfs: %s\n", report.error().message().c_str());
        return report.error().kind == ErrorKind::Io ? kExitOutputFailed : kExitBadInput;
      }
      for (const auto& w : report->warnings) std::fprintf(stderr, "vmcap mkinitramfs: warning: %s\n", w.c_str());
      std::printf("%s: %s (cpio %s, /init %s)\n", r->output.c_str(), mib(report->image_bytes).c_str(),
                  mib(report->cpio_bytes).c_str(), mib(report->init_bytes).c_str());
      if (!report->kernel_release.empty()) {
        std::printf("modules for %s, in load order:\n", report->kernel_release.c_str());
        for (const auto& m : report->modules) std::printf("  %s\n", m.c_str());
      }
      for (const auto& b : report->builtin_modules) std::printf("built in: %s\n", b.c_str());
      for (const auto& f : report->files) std::printf("file: %s\n", f.c_str());
      return kExitOk;
    };
  });
}

}  // namespace vmcap
