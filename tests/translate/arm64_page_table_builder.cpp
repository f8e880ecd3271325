#include "tests/translate/arm64_page_table_builder.h"

#include <cstring>
#include <stdexcept>
#include <vector>

namespace vmcap::testing {
namespace {

constexpr uint64_t kAccessFlag = 1ull << 10;
constexpr uint64_t kInnerShareable = 3ull << 8;
constexpr uint64_t kPxnUxn = 3ull << 53;
constexpr uint64_t kDbm = 1ull << 51;  // an attribute in every format (never address)

}  // namespace

Arm64PageTableBuilder::Arm64PageTableBuilder(PagedPhysicalMemory& memory, unsigned page_shift,
                                             unsigned table_va_bits, bool lpa2,
                                             uint64_t root_paddr, uint64_t alloc_paddr)
    : memory_(memory),
      page_shift_(page_shift),
      table_va_bits_(table_va_bits),
      levels_((table_va_bits - page_shift + page_shift - 4) / (page_shift - 3)),
      lpa2_(lpa2),
      root_(root_paddr),
      next_(alloc_paddr) {
  std::vector<std::byte> zeros(page_size());
  memory_.write(root_, zeros);
}

uint64_t Arm64PageTableBuilder::encode(uint64_t pa) const {
  const uint64_t low = ~(page_size() - 1);
  if (page_shift_ == 16) return (pa & 0x0000ffffffff0000ull) | (((pa >> 48) & 0xf) << 12);
  if (lpa2_) return (pa & 0x0003ffffffffffffull & low) | (((pa >> 50) & 3) << 8);
  return (pa & 0x0000ffffffffffffull & low) | kInnerShareable;
}

uint64_t Arm64PageTableBuilder::decode(uint64_t d) const {
  const uint64_t low = ~(page_size() - 1);
  if (page_shift_ == 16) return (d & 0x0000ffffffff0000ull) | ((d & 0xf000) << 36);
  if (lpa2_) return (d & 0x0003ffffffffffffull & low) | ((d & 0x300) << 42);
  return d & 0x0000ffffffffffffull & low;
}

uint64_t Arm64PageTableBuilder::fresh_table() {
  const uint64_t t = next_;
  next_ += page_size();
  std::vector<std::byte> zeros(page_size());
  memory_.write(t, zeros);
  return t;
}

uint64_t Arm64PageTableBuilder::slot(uint64_t vaddr, unsigned leaf_level) {
  const unsigned per_level = page_shift_ - 3;
  uint64_t table = root_;
  for (unsigned level = levels_ - 1;; --level) {
    const unsigned shift = page_shift_ + per_level * level;
    const unsigned bits = level == levels_ - 1 ? table_va_bits_ - shift : per_level;
    const uint64_t at = table + ((vaddr >> shift) & ((1ull << bits) - 1)) * 8;
    if (level == leaf_level) return at;
    std::byte raw[8];
    (void)memory_.read(at, raw);
    uint64_t e;
    std::memcpy(&e, raw, 8);
    if ((e & 3) != 3) {
      e = encode(fresh_table()) | 3;
      memory_.write_u64(at, e);
    }
    table = decode(e);
  }
}

void Arm64PageTableBuilder::map(uint64_t vaddr, uint64_t paddr, uint64_t size, uint64_t extra) {
  unsigned level = 0;
  while (level < levels_ && (1ull << (page_shift_ + (page_shift_ - 3) * level)) != size) ++level;
  if (level == levels_) throw std::invalid_argument("size is no page or block size here");
  const uint64_t type = level == 0 ? 3 : 1;
  memory_.write_u64(slot(vaddr, level), encode(paddr) | type | kAccessFlag | kPxnUxn | kDbm | extra);
}

void Arm64PageTableBuilder::set_entry(uint64_t vaddr, unsigned level, uint64_t descriptor) {
  memory_.write_u64(slot(vaddr, level), descriptor);
}

}  // namespace vmcap::testing
