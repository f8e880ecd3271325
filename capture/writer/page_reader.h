// Reads whole pages from a PhysicalMemory for the writers: a run of consecutive pfns in
// one large read where the memory holds all of it; a page the memory holds only in part
// (a range ending mid-page, like x86's 0x9fc00) zero-filled around the bytes it has; a
// page whose bytes cannot be read (a truncated dump) reported lost, never fatal.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/pages/pfn_bitmap.h"
#include "elf/physical_memory.h"

namespace vmcap {

class PageReader {
 public:
  PageReader(const PhysicalMemory& memory, uint32_t page_size)
      : memory_(memory), page_size_(page_size) {}

  // Reads count pages from first_pfn into out (count * page_size bytes). lost[i] is set
  // to 1 for each page that could not be read (its bytes are zeros), else 0.
  void read(uint64_t first_pfn, uint64_t count, std::span<std::byte> out,
            std::span<uint8_t> lost) const;

  // Whether any byte of the page is in the memory's ranges.
  static bool page_exists(const std::vector<PhysRange>& ranges, uint64_t pfn, uint32_t page_size);

 private:
  bool read_page(uint64_t pfn, std::span<std::byte> out) const;

  const PhysicalMemory& memory_;
  uint32_t page_size_;
};

}  // namespace vmcap

namespace vmcap {

// One past the highest pfn the memory holds any byte of.
uint64_t held_pfn_end(const PhysicalMemory& memory, uint32_t page_size);
// The pfns the memory holds any byte of, over [0, end_pfn).
PfnBitmap held_pfns(const PhysicalMemory& memory, uint32_t page_size, uint64_t end_pfn);
// The pfns makedumpfile's 1st bitmap marks as RAM: [start / page_size, end / page_size) of
// each range, so a page a range ends inside (x86's 0x9fc00) is not RAM, one it starts
// inside is.
PfnBitmap makedumpfile_ram_pfns(const PhysicalMemory& memory, uint32_t page_size, uint64_t end_pfn);
// keep ∩ held, over held's pfns.
PfnBitmap intersect(const PfnBitmap& held, const PfnBitmap& keep);

}  // namespace vmcap
