// Test physical memory: a real PhysicalMemory backed by a map of 4 KiB pages, built by
// writing bytes at physical addresses. Pages never written are holes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string_view>
#include <vector>

#include "elf/physical_memory.h"

namespace vmcap::testing {

class PagedPhysicalMemory final : public PhysicalMemory {
 public:
  static constexpr uint64_t kPageSize = 4096;

  const std::vector<PhysRange>& ranges() const override;
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override;

  // Writes bytes, creating (zeroed) pages as needed.
  void write(uint64_t paddr, std::span<const std::byte> bytes);
  void write(uint64_t paddr, std::string_view bytes);
  void write_u64(uint64_t paddr, uint64_t value);
  void write_u32(uint64_t paddr, uint32_t value);
  void write_u16(uint64_t paddr, uint16_t value);
  // Makes the page holding paddr a hole again.
  void drop_page(uint64_t paddr);
  size_t page_count() const { return pages_.size(); }

 private:
  std::map<uint64_t, std::array<std::byte, kPageSize>> pages_;  // key: page-aligned address
  mutable std::vector<PhysRange> ranges_;
  mutable bool ranges_valid_ = false;
};

}  // namespace vmcap::testing
