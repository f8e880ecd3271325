// Which CPU of a dump crashed. The notes do not say: kdump writes one NT_PRSTATUS per
// CPU, and the panicking CPU is the one running a task, the others having been stopped
// from their idle loops (pid 0) or interrupted mid-task. Shared by `vmcap info` and the
// crash signature so both name the same CPU.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "elf/prstatus.h"

namespace vmcap {

struct CrashingCpu {
  size_t index = 0;   // into the CpuState list
  std::string basis;  // how it was chosen, for people
};

// nullopt when there are no CPUs at all.
std::optional<CrashingCpu> choose_crashing_cpu(const std::vector<CpuState>& cpus);

}  // namespace vmcap
