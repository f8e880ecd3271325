// The one interface every dump format offers for memory: physical addresses in,
// bytes out. ELF vmcores, kdump-compressed and flattened files all implement it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "elf/result.h"

namespace vmcap {

// A run of physical addresses [start, start + size) the dump holds.
struct PhysRange {
  uint64_t start = 0;
  uint64_t size = 0;
  uint64_t end() const { return start + size; }
};

class PhysicalMemory {
 public:
  virtual ~PhysicalMemory() = default;

  // Ranges present in the dump, sorted by start, not overlapping, merged where adjacent.
  virtual const std::vector<PhysRange>& ranges() const = 0;

  // Reads exactly out.size() bytes starting at paddr. Reads may cross range boundaries.
  // A byte the dump does not hold gives ErrorKind::Hole (offset = the missing physical
  // address), never zeros; a file shorter than its headers promise gives Truncated.
  virtual Result<void> read(uint64_t paddr, std::span<std::byte> out) const = 0;

  // Sum of ranges().
  uint64_t total_bytes() const {
    uint64_t total = 0;
    for (const auto& r : ranges()) total += r.size;
    return total;
  }
};

}  // namespace vmcap
