// What `vmcap arm` would load now, worked out without loading or building anything: the
// capture kernel and its setup header, the capture image's request and key (its cached
// path), the NIC modules found for it, and the capture command line with every change.
// `vmcap arm` loads it; `vmcap status` compares it with what is loaded (stale or current).
#pragma once

#include <string>
#include <vector>

#include "arm/load/image_key.h"
#include "arm/load/load_method.h"
#include "arm/machine/capture_cmdline.h"
#include "arm/machine/capture_kernel.h"
#include "arm/machine/nic_drivers.h"
#include "capture/config/config.h"
#include "elf/result.h"
#include "initramfs/image_builder.h"

namespace vmcap::arm {

struct ArmOptions {
  std::string config_path = "/etc/vmcap.conf";
  std::string kernel;        // empty: /boot/vmlinuz-RELEASE of the running kernel
  std::string initrd;        // empty: the image `vmcap mkinitramfs` makes, cached in state_dir
  std::string append;        // more words for the capture command line
  std::string release;       // the capture kernel's release; empty: the running kernel's
  bool dry_run = false;      // say what would be loaded; build and load nothing
  bool build_only = false;   // build (or find) the image, load nothing: a kernel hook, before that kernel boots
  bool reload = false;       // load even when what is loaded is current: after CPU or memory hotplug the
                             // kernel's crash headers must be made again
  bool force = false;        // arm even when the estimate says the reservation is too small
  std::string vmcap_binary;  // the image's /init; empty: this vmcap (it must be static)
  std::string root = "/";    // where /proc, /sys and /boot are read (a tree in tests)
  std::string state_dir = "/var/lib/vmcap";  // cached images
  std::string run_dir = "/run/vmcap";        // what this boot loaded
  std::string kexec_tool = "kexec";          // the fallback where kexec_file_load is missing
  KernelMachine machine = this_machine();    // the kind of kernel to load (tests plan arm64 on x86_64)
};

struct ArmPlan {
  std::string release;  // the capture kernel's: --release, else the running kernel's
  std::string kernel;
  CaptureKernel kernel_file;            // its header: a bzImage's or an arm64 Image's
  LoadMethodChoice method;              // kexec_file_load or kexec -p, and why
  config::Config config;
  std::vector<std::string> config_problems;  // "FILE:LINE: ..." as check-config says them
  std::optional<CaptureNic> nic;             // found when [network] names no modules
  std::string nic_note;                      // why none was looked for or found
  initramfs::ImageRequest request;           // when vmcap builds the image
  ImageKey key;                              // of that image ("" key with --initrd)
  std::string initrd;                        // the image to load (cached path or --initrd)
  CaptureCmdline cmdline;
};

// Where arm keeps the image for `key` of kernel `release`.
std::string cached_image_path(const std::string& state_dir, const std::string& release, const std::string& key);

// Works out the plan. Fails with the file and what is wrong: a missing or unloadable
// kernel, an unreadable config, a module tree that does not match, a command line too long.
Result<ArmPlan> plan_arm(const ArmOptions& options);

}  // namespace vmcap::arm
