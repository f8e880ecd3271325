#include "elf/crashing_cpu.h"

namespace vmcap {

std::optional<CrashingCpu> choose_crashing_cpu(const std::vector<CpuState>& cpus) {
  if (cpus.empty()) return std::nullopt;
  if (cpus.size() == 1) return CrashingCpu{0, "the only CPU"};
  for (size_t i = 0; i < cpus.size(); ++i)
    if (cpus[i].pid != 0) return CrashingCpu{i, "the first CPU running a task (pid != 0)"};
  return CrashingCpu{0, "every CPU was idle: the first CPU"};
}

}  // namespace vmcap
