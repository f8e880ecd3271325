// The VMCOREINFO keys each vmcap feature depends on, so `vmcap info` can say up front
// which features a dump will not support and why.
#pragma once

#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"

namespace vmcap {

struct FeatureKeys {
  std::string feature;               // "log", "x86_64 translation", "page filter", ...
  std::vector<std::string> missing;  // full keys as written in VMCOREINFO, e.g. "SYMBOL(prb)"
};

// One entry per feature relevant to this dump (the log entry follows the printk
// generation the dump describes), each listing the keys it lacks (empty = supported).
std::vector<FeatureKeys> check_feature_keys(const VmcoreInfo& info, uint16_t elf_machine);

}  // namespace vmcap
