// A small LRU cache of physical pages holding page tables, so that walking the tables for
// consecutive addresses does not re-read the same four or five pages from the dump. A
// table is one page of 8-byte little-endian entries: 512 on x86_64 and arm64 4K, 2048 on
// arm64 16K, 8192 on arm64 64K.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

class PageTableCache {
 public:
  static constexpr uint64_t kPageSize = 4096;

  // `capacity` tables of `table_size` bytes (a power of two, 4 KiB..64 KiB) are kept (at
  // least 1).
  PageTableCache(const PhysicalMemory& memory, size_t capacity, uint64_t table_size = kPageSize);

  // The entry `index` (taken modulo the entries a table holds) of the table at physical
  // `table` (table_size aligned). Errors are the PhysicalMemory's.
  Result<uint64_t> entry(uint64_t table, unsigned index);

  void clear() { slots_.clear(); }
  uint64_t misses() const { return misses_; }
  uint64_t table_size() const { return table_size_; }

 private:
  struct Slot {
    uint64_t table = 0;
    uint64_t last_use = 0;
    std::unique_ptr<uint64_t[]> entries;
  };

  const PhysicalMemory& memory_;
  size_t capacity_;
  uint64_t table_size_;
  unsigned index_mask_;
  std::vector<Slot> slots_;
  uint64_t clock_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace vmcap
