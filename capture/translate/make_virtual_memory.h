// The architecture-neutral way in: picks the VirtualMemory implementation for the dump's
// machine (ELF e_machine): x86_64 and arm64; other machines give a clear Usage error.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"
#include "elf/dump.h"
#include "elf/machine.h"
#include "elf/physical_memory.h"

namespace vmcap {

// `memory` must outlive the result. `mappings` are the dump's stated virtual mappings
// (Dump::virtual_mappings()), used as a fast path where present.
Result<std::unique_ptr<VirtualMemory>> make_virtual_memory(uint16_t machine,
                                                           const PhysicalMemory& memory,
                                                           const VmcoreInfo& info,
                                                           std::vector<VirtualMapping> mappings);

}  // namespace vmcap
