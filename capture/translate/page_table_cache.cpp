#include "capture/translate/page_table_cache.h"

#include <bit>
#include <cstring>
#include <span>

namespace vmcap {

static_assert(std::endian::native == std::endian::little, "page table entries are read in place");

PageTableCache::PageTableCache(const PhysicalMemory& memory, size_t capacity)
    : memory_(memory), capacity_(capacity ? capacity : 1) {
  slots_.reserve(capacity_);
}

Result<uint64_t> PageTableCache::entry(uint64_t table, unsigned index) {
  ++clock_;
  // Capacities are a few dozen pages: a linear scan beats any map here.
  for (auto& s : slots_) {
    if (s.table == table) {
      s.last_use = clock_;
      return s.entries[index & 511];
    }
  }
  ++misses_;
  std::array<std::byte, kPageSize> raw;
  VMCAP_CHECK(memory_.read(table, raw));
  Slot* slot;
  if (slots_.size() < capacity_) {
    slot = &slots_.emplace_back();
  } else {
    slot = &slots_[0];
    for (auto& s : slots_)
      if (s.last_use < slot->last_use) slot = &s;
  }
  slot->table = table;
  slot->last_use = clock_;
  // x86_64 page tables are little-endian; so is the host (asserted below).
  std::memcpy(slot->entries.data(), raw.data(), kPageSize);
  return slot->entries[index & 511];
}

}  // namespace vmcap
