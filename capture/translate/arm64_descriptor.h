// arm64 stage-1 translation table descriptors (VMSAv8-64) as the kernel's swapper_pg_dir
// holds them, for one granule and address size:
//  - bits [1:0]: 0b11 table (a page at the last level), 0b01 block (not at the last
//    level), anything with bit 0 clear invalid, 0b01 at the last level reserved;
//  - the output address (next table, page or block) in bits [47:page_shift]; with 64K
//    pages bits [15:12] hold PA[51:48] (FEAT_LPA, zero without it); with LPA2 active (4K
//    or 16K, 52-bit VA) bits [49:page_shift] and PA[51:50] in bits [9:8], which are
//    shareability otherwise.
#pragma once

#include <cstdint>

namespace vmcap {

enum class Arm64DescriptorKind { Invalid, Reserved, Block, Table, Page };

struct Arm64DescriptorFormat {
  unsigned page_shift = 12;  // 12, 14 or 16
  bool lpa2 = false;

  // `level` counts from the leaf: 0 is the page level.
  Arm64DescriptorKind kind(uint64_t desc, unsigned level) const {
    if (!(desc & 1)) return Arm64DescriptorKind::Invalid;
    const bool table_bit = desc & 2;
    if (level == 0) return table_bit ? Arm64DescriptorKind::Page : Arm64DescriptorKind::Reserved;
    return table_bit ? Arm64DescriptorKind::Table : Arm64DescriptorKind::Block;
  }

  uint64_t output_address(uint64_t desc) const {
    const uint64_t low = ~((1ull << page_shift) - 1);
    if (page_shift == 16) return (desc & 0x0000ffffffff0000ull) | ((desc & 0xf000ull) << 36);
    if (lpa2) return (desc & 0x0003ffffffffffffull & low) | ((desc & 0x300ull) << 42);
    return desc & 0x0000ffffffffffffull & low;
  }

  // Where the architecture allows blocks: level 1 for every granule (2M, 32M, 512M);
  // level 2 with 4K (1G), with 16K under LPA2 (64G), with 64K under LPA (4T); level 3
  // with 4K under LPA2 (512G).
  bool block_allowed(unsigned level) const {
    if (level == 1) return true;
    if (level == 2) return page_shift == 12 || page_shift == 16 || lpa2;
    if (level == 3) return page_shift == 12 && lpa2;
    return false;
  }
};

}  // namespace vmcap
