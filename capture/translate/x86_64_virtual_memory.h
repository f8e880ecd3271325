// x86_64 kernel virtual addresses to physical ones, over any dump's PhysicalMemory.
//
// Order of attempts for an address:
//  1. The kernel image, [__START_KERNEL_map, + KERNEL_IMAGE_SIZE): vaddr -
//     0xffffffff80000000 + phys_base (exact, no memory read).
//  2. A virtual mapping the dump states (real /proc/vmcore: PT_LOAD p_vaddr of the direct
//     map); only kernel-half addresses are taken from it.
//  3. A page table walk from init_top_pgt (4 or 5 levels, 1 GiB and 2 MiB leaves), entries
//     masked with 0x000ffffffffff000 & ~sme_mask. Permission bits (NX, RW, US) are ignored.
// Page-table pages are kept in a small LRU cache and the last leaf translations in a tiny
// TLB, so reading a multi-MiB region walks the tables once per leaf, not once per read.
// Not safe for concurrent use from several threads (the caches are shared, unlocked).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/leaf_tlb.h"
#include "capture/translate/page_table_cache.h"
#include "capture/translate/translation.h"
#include "capture/translate/virtual_memory.h"
#include "elf/dump.h"
#include "elf/physical_memory.h"

namespace vmcap {

// What translation needs from VMCOREINFO.
struct X86_64Params {
  static constexpr uint64_t kStartKernelMap = 0xffffffff80000000ull;
  // Used when VMCOREINFO lacks NUMBER(KERNEL_IMAGE_SIZE): the smaller of the kernel's two
  // values (512 MiB without KASLR, 1 GiB with), so no module address is taken for image.
  static constexpr uint64_t kDefaultKernelImageSize = 512ull << 20;

  int64_t phys_base = 0;                    // NUMBER(phys_base), signed
  std::optional<uint64_t> top_pgt;          // SYMBOL(init_top_pgt) (init_level4_pgt < 4.13)
  bool five_level = false;                  // NUMBER(pgtable_l5_enabled)
  uint64_t sme_mask = 0;                    // NUMBER(sme_mask)
  uint64_t kernel_image_size = kDefaultKernelImageSize;  // NUMBER(KERNEL_IMAGE_SIZE)

  // Missing NUMBER(phys_base) is an error; the rest have defaults.
  static Result<X86_64Params> from_vmcoreinfo(const VmcoreInfo& info);
};

class X86_64VirtualMemory final : public VirtualMemory {
 public:
  // `memory` must outlive this object.
  X86_64VirtualMemory(const PhysicalMemory& memory, X86_64Params params,
                      std::vector<VirtualMapping> mappings);

  Result<void> read(uint64_t vaddr, std::span<std::byte> out) const override;
  Result<Translation> translate(uint64_t vaddr) const;
  // Translation by the page tables alone (skips the image formula and the mappings).
  Result<Translation> walk(uint64_t vaddr) const;

  const X86_64Params& params() const { return params_; }
  uint64_t page_table_reads() const { return tables_.misses(); }

 private:
  static constexpr size_t kTableCachePages = 32;

  std::optional<Translation> from_mappings(uint64_t vaddr) const;

  const PhysicalMemory& memory_;
  X86_64Params params_;
  std::vector<VirtualMapping> mappings_;  // kernel half only, sorted by vaddr, disjoint
  mutable PageTableCache tables_;
  mutable LeafTlb tlb_;
};

}  // namespace vmcap
