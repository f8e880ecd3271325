#include "tests/translate/page_table_builder.h"

#include <cstring>
#include <stdexcept>

namespace vmcap::testing {

void PageTableBuilder::map(uint64_t vaddr, uint64_t paddr, uint64_t page_size,
                           uint64_t extra_bits) {
  int leaf_level = page_size == (1ull << 30) ? 2 : page_size == (2ull << 20) ? 1 : 0;
  if (page_size != (1ull << (12 + 9 * leaf_level)))
    throw std::invalid_argument("page size must be 4K, 2M or 1G");
  uint64_t table = top_;
  for (int level = five_ ? 4 : 3; level > leaf_level; --level) {
    uint64_t slot = table + ((vaddr >> (12 + 9 * level)) & 511) * 8;
    std::byte raw[8];
    (void)memory_.read(slot, raw);
    uint64_t e;
    std::memcpy(&e, raw, 8);
    if (!(e & 1)) {
      uint64_t fresh = next_;
      next_ += 4096;
      memory_.write_u64(fresh, 0);
      e = fresh | sme_ | 0x63;  // present, rw, accessed, dirty
      memory_.write_u64(slot, e);
    }
    table = e & 0x000ffffffffff000ull & ~sme_;
  }
  uint64_t slot = table + ((vaddr >> (12 + 9 * leaf_level)) & 511) * 8;
  uint64_t e = paddr | sme_ | 0x63 | extra_bits | (leaf_level ? 0x80 : 0);
  memory_.write_u64(slot, e);
}

}  // namespace vmcap::testing
