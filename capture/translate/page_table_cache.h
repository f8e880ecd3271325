// A small LRU cache of physical pages holding page tables, so that walking the tables for
// consecutive addresses does not re-read the same four or five pages from the dump.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

class PageTableCache {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // `capacity` pages of 4 KiB are kept (at least 1).
  PageTableCache(const PhysicalMemory& memory, size_t capacity);

  // The 8-byte little-endian entry `index` (0..511) of the table at physical `table`
  // (4 KiB aligned). Errors are the PhysicalMemory's.
  Result<uint64_t> entry(uint64_t table, unsigned index);

  void clear() { slots_.clear(); }
  uint64_t misses() const { return misses_; }

 private:
  struct Slot {
    uint64_t table = 0;
    uint64_t last_use = 0;
    std::array<uint64_t, kPageSize / 8> entries{};
  };

  const PhysicalMemory& memory_;
  size_t capacity_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace vmcap
