// Debian's real kernels for the initramfs tests: scripts/debian-kernel.sh extracts one
// whole (vmlinuz, config, the full module tree with depmod run) into VMCAP_KERNEL_CACHE.
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "tests/initramfs/archive_tools.h"

namespace vmcap::testing {

// The extracted folder of KERNEL ("6.1", "6.12"): downloads once, then cached.
inline std::string debian_kernel_root(const std::string& kernel) {
  const char* cache = std::getenv("VMCAP_KERNEL_CACHE");
  std::string cmd = std::string(VMCAP_SOURCE_DIR) + "/scripts/debian-kernel.sh";
  if (cache && *cache) cmd += " --cache " + shell_quoted(cache);
  auto r = run_command(cmd + " " + kernel);
  std::string root = r.output;
  while (!root.empty() && (root.back() == '\n' || root.back() == ' ')) root.pop_back();
  if (r.status != 0 || root.empty())
    throw std::runtime_error("scripts/debian-kernel.sh " + kernel + " failed (status " + std::to_string(r.status) + ")");
  if (auto nl = root.find_last_of('\n'); nl != std::string::npos) root = root.substr(nl + 1);
  return root;
}

}  // namespace vmcap::testing
