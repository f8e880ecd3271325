// `vmcap mkinitramfs`: a capture initramfs with vmcap as /init and nothing else it does
// not need (docs/initramfs.md). Layout: /init (the static vmcap), /etc/vmcap.conf and the
// files it names at their own paths, the kernel modules to load under
// /lib/modules/KREL/ with their load order in /lib/modules/KREL/vmcap-modules.order,
// /etc/vmcap-mounts when file:// destinations or fallback_path lie on a local disk
// (initramfs/local_disk_plan.h), /dev/console, and the empty mount points /proc /sys /dev
// /run /tmp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/config/config.h"
#include "elf/result.h"
#include "initramfs/disk_mounts_file.h"
#include "initramfs/module_tree.h"

namespace vmcap::initramfs {

inline constexpr const char* kModuleOrderFile = "vmcap-modules.order";

struct ImageRequest {
  std::string config_path = "/etc/vmcap.conf";
  bool force = false;             // build even with a broken config (or missing files it names)
  std::string kernel_root;        // ROOT holding lib/modules/KREL (and boot/config-KREL) ...
  std::string kernel_release;     // ... or /lib/modules/KREL; neither: the running kernel's
  std::vector<std::string> modules;  // beside the config's [network] modules
  bool compress = true;           // zstd
  int zstd_level = 19;
  std::string vmcap_binary;       // empty: this process's own binary, if static
  std::string output;
  // Where the running system's /proc/self/mountinfo, /sys and /dev are read to find the
  // disks of file:// destinations and fallback_path (a tree in tests).
  std::string system_root = "/";
};

struct ImageReport {
  std::string kernel_release;                // empty when no module went in
  std::vector<std::string> modules;          // in load order, as in the image
  std::vector<std::string> builtin_modules;  // asked for, built into the kernel
  std::vector<std::string> files;            // config files carried
  std::vector<std::string> local_disks;      // a file:// path or fallback_path the capture kernel mounts, each
  std::vector<std::string> warnings;
  uint64_t init_bytes = 0;
  uint64_t cpio_bytes = 0;
  uint64_t image_bytes = 0;                  // what OUT holds (compressed or not)
};

// Writes request.output (mode 0600: it may hold secrets) or returns why not.
Result<ImageReport> build_initramfs(const ImageRequest& request);

// The module tree the image takes its modules from: the root's, the release's, or the
// running kernel's.
Result<ModuleTree> module_tree_for(const ImageRequest& request);

// The modules asked for: the config's [network] modules, then the request's.
std::vector<std::string> module_names_for(const ImageRequest& request, const config::Config& config);

// The local disks the image mounts (/etc/vmcap-mounts) and the modules they need, resolved
// against the image's module tree, as build_initramfs puts them in; image_inputs keys the
// image on them. Never fails: what cannot be done is a warning, the path then stays in RAM
// (or, for a module, must be built into the capture kernel).
struct ImageDisks {
  std::vector<DiskMount> mounts;
  std::vector<std::string> module_names;
  std::vector<std::string> found;
  std::vector<std::string> warnings;
};
ImageDisks local_disks_for(const ImageRequest& request, const config::Config& config);

}  // namespace vmcap::initramfs
