// Where the struct pages of a pfn live: SPARSEMEM's mem_section table, decoded from
// VMCOREINFO alone. SPARSEMEM_EXTREME (every x86_64 kernel): SYMBOL(mem_section) is the
// array of NR_SECTION_ROOTS root pointers (an array before 4.15, the value of the
// `struct mem_section **` since), each root a page of SIZE(mem_section) entries; some
// 4.15-era kernels exported the pointer's own address instead, so that form is tried
// too. Without EXTREME the entries sit in the symbol's array directly. An entry's
// section_mem_map, low bits masked, is the section's mem_map minus its first pfn's
// offset: struct page of pfn = decoded + pfn * SIZE(page).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "capture/filter/struct_page_layout.h"
#include "capture/kernel/sparsemem_numbers.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"

namespace vmcap {

class MemSectionMap {
 public:
  // Missing keys are appended to `skipped`; the map then finds no mem_map (has_map() false).
  // `sparsemem`: SECTION_SIZE_BITS and MAX_PHYSMEM_BITS, stated or computed
  // (capture/kernel/sparsemem_numbers.h).
  MemSectionMap(const VmcoreInfo& info, const SparsememNumbers& sparsemem, const VirtualMemory& memory,
                uint64_t struct_page_size, std::vector<SkippedRule>& skipped);
  // With the numbers VMCOREINFO states (no machine's fallbacks).
  MemSectionMap(const VmcoreInfo& info, const VirtualMemory& memory, uint64_t struct_page_size,
                std::vector<SkippedRule>& skipped)
      : MemSectionMap(info, sparsemem_numbers(info, 0), memory, struct_page_size, skipped) {}

  bool has_map() const { return ok_; }
  uint64_t pfn_section_shift() const { return pfn_shift_; }
  uint64_t pages_per_section() const { return uint64_t{1} << pfn_shift_; }

  // Virtual address of the struct page of the section's first pfn, or nullopt with
  // `why` set (section absent, or its entry unreadable or garbage).
  std::optional<uint64_t> section_first_page(uint64_t section_nr, std::string& why);

 private:
  std::optional<uint64_t> entry_address(uint64_t section_nr, uint64_t roots, std::string& why);
  std::optional<uint64_t> decode(uint64_t section_nr, uint64_t roots, std::string& why);

  const VirtualMemory& memory_;
  bool ok_ = false;
  bool extreme_ = true;
  uint64_t page_shift_ = 12, pfn_shift_ = 15, entry_size_ = 0, entries_per_root_ = 0,
           nr_roots_ = 0, map_offset_ = 0, struct_page_size_ = 0, symbol_ = 0;
  uint64_t nr_sections_ = 0;
  // The root array's address once a form was confirmed (nullopt until then).
  std::optional<uint64_t> roots_;
  std::unordered_map<uint64_t, uint64_t> root_cache_;  // root index -> root pointer
};

}  // namespace vmcap
