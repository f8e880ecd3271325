// `vmcap mkinitramfs`: a capture initramfs with vmcap as /init, the config and its files,
// and the kernel modules to load (initramfs/image_builder.h, docs/initramfs.md).
// Exit status 0 written, 2 when the config, a file or a module is wrong, 64 usage.
#include <cstdio>

#include "capture/cli/commands.h"
#include "capture/cli/exit_status.h"

namespace vmcap {
namespace {

std::string mib(uint64_t bytes) {
  char s[32];
  std::snprintf(s, sizeof s, "%.2f MiB", static_cast<double>(bytes) / (1 << 20));
  return s;
}

}  // namespace

int run_mkinitramfs(initramfs::ImageRequest r, const std::string& compress) {
  r.compress = compress == "zstd";
  auto report = initramfs::build_initramfs(r);
  if (!report) {
    std::fprintf(stderr, "vmcap mkinitramfs: %s\n", report.error().message().c_str());
    return report.error().kind == ErrorKind::Io ? kExitOutputFailed : kExitBadInput;
  }
  for (const auto& w : report->warnings) std::fprintf(stderr, "vmcap mkinitramfs: warning: %s\n", w.c_str());
  std::printf("%s: %s (cpio %s, /init %s)\n", r.output.c_str(), mib(report->image_bytes).c_str(),
              mib(report->cpio_bytes).c_str(), mib(report->init_bytes).c_str());
  if (!report->kernel_release.empty()) {
    std::printf("modules for %s, in load order:\n", report->kernel_release.c_str());
    for (const auto& m : report->modules) std::printf("  %s\n", m.c_str());
  }
  for (const auto& b : report->builtin_modules) std::printf("built in: %s\n", b.c_str());
  for (const auto& f : report->files) std::printf("file: %s\n", f.c_str());
  for (const auto& d : report->local_disks) std::printf("disk: %s\n", d.c_str());
  return kExitOk;
}

}  // namespace vmcap
