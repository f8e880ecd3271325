// The arm64 kernel's virtual memory layout, worked out from VMCOREINFO alone (no vmlinux):
// granule, VA sizes, page-table levels, the linear map and kernel image formulas, and the
// sparsemem numbers the page filter needs, with the computed fallbacks older kernels need.
//
// Sources (facts, see shared/reference/arm64.md): arch/arm64/include/asm/memory.h and
// pgtable-hwdef.h, arch/arm64/kernel/vmcore_info.c (crash_core.c before 6.9).
//  - VA_BITS is the configured size; the runtime one is 64 - TCR_EL1_T1SZ (5.9+), except
//    that with 64K pages swapper_pg_dir is always built for VA_BITS (TTBR1 is offset into
//    it on 48-bit hardware).
//  - Since 5.4 the linear map is the bottom of the kernel half: PAGE_OFFSET = -2^VA_BITS,
//    PAGE_END = -2^(VA_BITS_MIN - 1). Before, PAGE_OFFSET = -2^(VA_BITS - 1) to the top.
//  - linear PA = VA - PAGE_OFFSET + PHYS_OFFSET (signed, wrapping: 6.12 on 48-bit hardware
//    makes PHYS_OFFSET "negative"); image PA = VA - kimage_voffset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "elf/result.h"

namespace vmcap {

// [start, end) of virtual addresses; end 0 means the top of the address space.
struct Arm64Range {
  uint64_t start = 0, end = 0;
  bool contains(uint64_t va) const { return va - start < end - start; }
  bool operator==(const Arm64Range&) const = default;
};

struct Arm64Layout {
  // Granule and VA sizes.
  unsigned page_shift = 12;        // PAGESIZE: 12, 14 or 16
  unsigned va_bits = 48;           // NUMBER(VA_BITS), the configured size
  unsigned runtime_va_bits = 48;   // 64 - TCR_EL1_T1SZ (5.9+), else VA_BITS
  unsigned table_va_bits = 48;     // what swapper_pg_dir is built for: VA_BITS on 64K,
                                   // the runtime size on 4K/16K (6.9+ folds levels)
  unsigned levels = 4;             // page-table levels of swapper_pg_dir, 2..5
  // 4K/16K with a 52-bit runtime VA: descriptors carry PA[51:50] in bits [9:8] and
  // PA[49:48] in place. Otherwise bits [9:8] are shareability.
  bool lpa2 = false;
  bool flipped = true;             // the 5.4+ layout (linear map at the bottom)

  // The linear map: [linear.start, linear.end) as reachable at run time.
  uint64_t page_offset = 0;        // PAGE_OFFSET
  uint64_t page_end = 0;           // PAGE_END (0 = top of the address space, old layout)
  Arm64Range linear;
  int64_t phys_offset = 0;         // NUMBER(PHYS_OFFSET) = memstart_addr, signed

  // The kernel image.
  uint64_t kimage_voffset = 0;     // NUMBER(kimage_voffset)
  uint64_t kernel_offset = 0;      // KERNELOFFSET (KASLR), 0 when absent
  std::optional<uint64_t> swapper_pg_dir;  // SYMBOL(swapper_pg_dir)
  // Addresses known to be in the image: the pages from the lowest to the highest
  // VMCOREINFO symbol near swapper_pg_dir (_stext to clear_seq or init_uts_ns on 5.10-6.12).
  // VMCOREINFO has no _text or _end, so the rest of the image is reached by the walk.
  // The init section inside it, which the kernel unmaps after boot, reads as whatever
  // memory is now there: nothing vmcap reads lives there.
  Arm64Range image;

  // Regions the kernel states (5.18+), for classifying addresses. vmemmap_region is the
  // part that holds the struct pages of the linear map reachable at run time: the kernel
  // states VMEMMAP_START for the configured VA_BITS, and a folded 52-bit kernel (6.9+)
  // hands the part below to vmalloc, where the image may lie.
  std::optional<Arm64Range> modules, vmalloc, vmemmap_region;

  // Sparsemem, for the page filter. Each says whether VMCOREINFO stated it or it was
  // computed from the version (computed_keys lists the latter, by VMCOREINFO key).
  unsigned section_size_bits = 27;  // NUMBER(SECTION_SIZE_BITS), else 30 < 5.12 <= 27/29
  unsigned max_physmem_bits = 48;   // NUMBER(MAX_PHYSMEM_BITS), else 48 (52: 64K with VA 52, or LPA2 active)
  uint64_t struct_page_size = 64;   // SIZE(page), else 64
  std::optional<uint64_t> vmemmap_start;  // NUMBER(VMEMMAP_START), computed before 5.18
  // The struct page of pfn 0 (the kernel's `vmemmap`): SYMBOL(vmemmap) (6.9+), else
  // VMEMMAP_START - (PHYS_OFFSET >> PAGE_SHIFT) * SIZE(page). pfns are absolute.
  std::optional<uint64_t> vmemmap;
  std::vector<std::string> computed_keys;

  // Missing or implausible VA_BITS, PAGESIZE, kimage_voffset or PHYS_OFFSET is an error
  // naming the key; the rest have fallbacks.
  static Result<Arm64Layout> from_vmcoreinfo(const VmcoreInfo& info);

  uint64_t page_size() const { return 1ull << page_shift; }
  // Lowest kernel address the hardware translates (TTBR1 covers the top 2^runtime VA).
  uint64_t kernel_va_start() const { return ~0ull << runtime_va_bits; }

  bool in_linear_map(uint64_t va) const { return linear.contains(va); }
  uint64_t linear_to_phys(uint64_t va) const {
    return va - page_offset + static_cast<uint64_t>(phys_offset);
  }
  uint64_t phys_to_linear(uint64_t pa) const {
    return pa - static_cast<uint64_t>(phys_offset) + page_offset;
  }
  bool in_image(uint64_t va) const { return image.contains(va); }
  uint64_t image_to_phys(uint64_t va) const { return va - kimage_voffset; }

  // Strips a KASAN/TBI tag: bits [63:56] copy bit 55.
  static uint64_t untag(uint64_t va) {
    return static_cast<uint64_t>(static_cast<int64_t>(va << 8) >> 8);
  }
};

// ceil((va_bits - page_shift) / (page_shift - 3)): 4K 39->3, 48->4, 52->5; 16K 36->2,
// 47->3, 48/52->4; 64K 42->2, 48/52->3.
unsigned arm64_table_levels(unsigned page_shift, unsigned va_bits);

}  // namespace vmcap
