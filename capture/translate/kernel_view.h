// The crashed kernel as seen through a dump: its VMCOREINFO and its virtual memory.
// Every product that needs kernel knowledge (log, page filter, capture) starts here.
#pragma once

#include <memory>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"
#include "elf/dump.h"

namespace vmcap {

struct KernelView {
  VmcoreInfo info;
  std::unique_ptr<VirtualMemory> memory;
};

// Missing when the dump has no VMCOREINFO; the view must not outlive the dump.
Result<KernelView> open_kernel_view(const Dump& dump);

}  // namespace vmcap
