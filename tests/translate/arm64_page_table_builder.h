// Builds arm64 kernel page tables (swapper_pg_dir and below) in a PagedPhysicalMemory the
// way the kernel lays them out: one granule a table of 8-byte little-endian descriptors,
// 0b11 table/page, 0b01 block, the output address encoded for the granule (64K: PA[51:48]
// in bits [15:12]; LPA2: PA[51:50] in bits [9:8]; otherwise bits [9:8] are shareability,
// set to inner shareable as the kernel does), AF and the upper attributes set on leaves.
#pragma once

#include <cstdint>

#include "tests/translate/paged_physical_memory.h"

namespace vmcap::testing {

class Arm64PageTableBuilder {
 public:
  // `table_va_bits` is what the root is built for; the root lives at `root_paddr`, further
  // tables are allocated from `alloc_paddr` up (both granule aligned).
  Arm64PageTableBuilder(PagedPhysicalMemory& memory, unsigned page_shift, unsigned table_va_bits,
                        bool lpa2, uint64_t root_paddr, uint64_t alloc_paddr);

  // Maps [vaddr, vaddr + size) to paddr; size is the page size or a block size (level 1,
  // 2 or 3 from the leaf). `extra_bits` are OR-ed into the leaf.
  void map(uint64_t vaddr, uint64_t paddr, uint64_t size, uint64_t extra_bits = 0);
  // Overwrites the descriptor `level` (from the leaf) on vaddr's path, creating tables
  // above it as needed.
  void set_entry(uint64_t vaddr, unsigned level, uint64_t descriptor);
  // A descriptor's address bits for paddr, as this granule and LPA2 setting encode them.
  uint64_t encode(uint64_t paddr) const;

  unsigned levels() const { return levels_; }
  uint64_t page_size() const { return 1ull << page_shift_; }

 private:
  uint64_t slot(uint64_t vaddr, unsigned level);  // physical address of the entry
  uint64_t fresh_table();
  uint64_t decode(uint64_t descriptor) const;

  PagedPhysicalMemory& memory_;
  unsigned page_shift_, table_va_bits_, levels_;
  bool lpa2_;
  uint64_t root_, next_;
};

}  // namespace vmcap::testing
