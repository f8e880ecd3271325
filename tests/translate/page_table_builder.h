// Builds x86_64 page tables (4 or 5 levels) in a PagedPhysicalMemory the way the kernel
// lays them out: 512 little-endian entries a table, present bit 0, PS bit 7 for 1 GiB and
// 2 MiB leaves, the physical address in bits 12..51, optionally OR-ed with an SME C-bit.
#pragma once

#include <cstdint>

#include "tests/translate/paged_physical_memory.h"

namespace vmcap::testing {

class PageTableBuilder {
 public:
  // The top table lives at `top_paddr`; further tables are allocated from `alloc_paddr` up.
  PageTableBuilder(PagedPhysicalMemory& memory, uint64_t top_paddr, uint64_t alloc_paddr,
                   bool five_level, uint64_t sme_mask = 0)
      : memory_(memory), top_(top_paddr), next_(alloc_paddr), five_(five_level), sme_(sme_mask) {
    memory_.write_u64(top_, 0);  // make the top table exist
  }

  // Maps [vaddr, vaddr + page_size) to paddr; page_size is 4 KiB, 2 MiB or 1 GiB.
  // `extra_bits` are OR-ed into the leaf entry (NX, PAT, dirty, ...).
  void map(uint64_t vaddr, uint64_t paddr, uint64_t page_size, uint64_t extra_bits = 0);

  uint64_t top() const { return top_; }

 private:
  PagedPhysicalMemory& memory_;
  uint64_t top_, next_;
  bool five_;
  uint64_t sme_;
};

}  // namespace vmcap::testing
