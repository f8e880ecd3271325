#include "capture/translate/page_table_cache.h"

#include <bit>
#include <span>

namespace vmcap {

// x86_64 and arm64 (as Linux runs it) page tables are little-endian; so is the host.
static_assert(std::endian::native == std::endian::little, "page table entries are read in place");

PageTableCache::PageTableCache(const PhysicalMemory& memory, size_t capacity, uint64_t table_size)
    : memory_(memory),
      capacity_(capacity ? capacity : 1),
      table_size_(std::has_single_bit(table_size) && table_size >= 4096 && table_size <= 65536
                      ? table_size
                      : kPageSize),
      index_mask_(static_cast<unsigned>(table_size_ / 8 - 1)) {
  slots_.reserve(capacity_);
}

Result<uint64_t> PageTableCache::entry(uint64_t table, unsigned index) {
  ++clock_;
  index &= index_mask_;
  // Capacities are a few dozen pages: a linear scan beats any map here.
  for (auto& s : slots_) {
    if (s.table == table) {
      s.last_use = clock_;
      return s.entries[index];
    }
  }
  ++misses_;
  Slot* slot;
  if (slots_.size() < capacity_) {
    slot = &slots_.emplace_back();
    slot->entries = std::make_unique<uint64_t[]>(table_size_ / 8);
  } else {
    slot = &slots_[0];
    for (auto& s : slots_)
      if (s.last_use < slot->last_use) slot = &s;
  }
  auto bytes = std::as_writable_bytes(std::span(slot->entries.get(), table_size_ / 8));
  if (auto r = memory_.read(table, bytes); !r) {
    slot->table = ~0ull;  // half-read: never a hit (no table lives at the last address)
    slot->last_use = 0;
    return std::move(r).error();
  }
  slot->table = table;
  slot->last_use = clock_;
  return slot->entries[index];
}

}  // namespace vmcap
