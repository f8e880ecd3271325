// SPARSEMEM's two sizes the page filter needs to find struct pages: SECTION_SIZE_BITS (bytes
// a section covers, log2) and MAX_PHYSMEM_BITS (the physical address space, log2). Kernels
// state both in VMCOREINFO since 4.x on x86_64 and 5.13 on arm64 (backported to some stable
// trees); for arm64 kernels without them, the values of their version and configuration
// are computed (capture/kernel/arm64_layout.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"

namespace vmcap {

struct SparsememNumbers {
  std::optional<int64_t> section_size_bits;  // nullopt: neither stated nor computable
  std::optional<int64_t> max_physmem_bits;
  std::vector<std::string> computed;  // the VMCOREINFO keys computed, for the summary
};

// `machine`: the dump's ELF e_machine (0 when unknown: stated values only).
SparsememNumbers sparsemem_numbers(const VmcoreInfo& info, uint16_t machine);

}  // namespace vmcap
