// arm64 kernel virtual addresses to physical ones, over any dump's PhysicalMemory, from
// the layout VMCOREINFO describes (capture/kernel/arm64_layout.h).
//
// Every address first loses its KASAN/TBI tag (bits [63:56] copy bit 55). Then:
//  1. The linear map, [PAGE_OFFSET, PAGE_END) as reachable at run time:
//     VA - PAGE_OFFSET + PHYS_OFFSET (signed), no memory read.
//  2. The known part of the kernel image: VA - kimage_voffset.
//  3. A walk of swapper_pg_dir (at its image address - kimage_voffset): 4K, 16K or 64K
//     granule, 2 to 5 levels, page and block leaves, 48-bit, LPA (64K) and LPA2 output
//     addresses. Permission and attribute bits are ignored.
// Dumps' stated virtual mappings are not used: kexec-tools before 2.0.24 wrote wrong
// p_vaddr for the 5.4+ layout, and the formulas above are exact.
// Page-table pages are kept in a small LRU cache and the last leaf translations in a tiny
// TLB. Not safe for concurrent use from several threads (the caches are shared, unlocked).
#pragma once

#include <cstdint>

#include "capture/kernel/arm64_layout.h"
#include "capture/translate/arm64_descriptor.h"
#include "capture/translate/leaf_tlb.h"
#include "capture/translate/page_table_cache.h"
#include "capture/translate/translation.h"
#include "capture/translate/virtual_memory.h"
#include "elf/physical_memory.h"

namespace vmcap {

class Arm64VirtualMemory final : public VirtualMemory {
 public:
  // `memory` must outlive this object.
  Arm64VirtualMemory(const PhysicalMemory& memory, Arm64Layout layout);

  Result<void> read(uint64_t vaddr, std::span<std::byte> out) const override;
  Result<Translation> translate(uint64_t vaddr) const;
  // Translation by the page tables alone (skips the linear map and image formulas).
  Result<Translation> walk(uint64_t vaddr) const;

  const Arm64Layout& layout() const { return layout_; }
  uint64_t page_table_reads() const { return tables_.misses(); }

 private:
  static constexpr size_t kTableCachePages = 32;

  const char* level_name(unsigned level) const;

  const PhysicalMemory& memory_;
  Arm64Layout layout_;
  Arm64DescriptorFormat format_;
  mutable PageTableCache tables_;
  mutable LeafTlb tlb_;
};

}  // namespace vmcap
