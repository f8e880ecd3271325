// The page filter: decides, for every whole page the source dump holds, whether a
// filtered dump keeps it, following makedumpfile's dump levels (see dump_level.h) from
// the kernel's own struct pages (mem_section/mem_map, through VirtualMemory) and, for
// zero pages, the page bytes. Reads struct pages a window at a time and page data in
// bounded chunks: memory is the bitmap plus a few MiB whatever the dump size.
#pragma once

#include "capture/filter/filter_result.h"
#include "capture/filter/page_category.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"
#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

struct FilterOptions {
  int dump_level = 31;                 // 0..31, makedumpfile's -d
  PageCategorySink* sink = nullptr;    // optional: every page's decision, in pfn order
  // The dump's ELF e_machine: where VMCOREINFO lacks SECTION_SIZE_BITS or MAX_PHYSMEM_BITS
  // (arm64 before 5.13), that machine's kernel knowledge computes them. 0: stated only.
  uint16_t machine = 0;
};

// Errors only for a bad dump level or a VMCOREINFO without a usable PAGESIZE; garbage in
// the kernel's structures keeps pages (counted and warned about), never fails.
Result<FilterResult> classify_pages(const VmcoreInfo& info, const VirtualMemory& kernel_memory,
                                    const PhysicalMemory& physical_memory,
                                    const FilterOptions& options);

}  // namespace vmcap
