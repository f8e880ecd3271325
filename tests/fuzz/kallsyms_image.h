// The synthetic kernel image the kallsyms fuzz target reads, shared with the seed
// generator. Input: flags byte (bit 0: OSRELEASE 6.1, two-byte token counts, else 6.0;
// bit 1: absolute kallsyms_addresses, else base-relative offsets) | u32 num_syms |
// u64 relative_base | u16 token_index[256] | u16 table size | table | u16 names size |
// names | the rest: offsets (s32 each) or addresses (u64 each). Each region sits at its
// own address with unmapped memory after it, so every over-read is a hole (the token
// table has 256 zero bytes after it, as the reader reads that far past its last token).
#pragma once

#include <cstdint>
#include <string>

#include "tests/fuzz/printk_images.h"

namespace vmcap::fuzz::kallsyms_image {

inline constexpr uint64_t kNumSyms = kImage + 0x10000;
inline constexpr uint64_t kRelativeBase = kImage + 0x20000;
inline constexpr uint64_t kTokenIndex = kImage + 0x30000;
inline constexpr uint64_t kTokenTable = kImage + 0x40000;
inline constexpr uint64_t kNames = kImage + 0x1000000;   // room for 2^21 symbols (limits_test)
inline constexpr uint64_t kOffsets = kImage + 0x2000000;
inline constexpr uint8_t kLongLengths = 1, kAbsolute = 2;

inline std::string vmcoreinfo(uint8_t flags) {
  std::string s = (flags & kLongLengths) ? "OSRELEASE=6.1.0-fuzz\n" : "OSRELEASE=6.0.0-fuzz\n";
  s += "PAGESIZE=4096\nSYMBOL(kallsyms_num_syms)=" + hex(kNumSyms) +
       "\nSYMBOL(kallsyms_token_index)=" + hex(kTokenIndex) +
       "\nSYMBOL(kallsyms_token_table)=" + hex(kTokenTable) + "\nSYMBOL(kallsyms_names)=" + hex(kNames) + "\n";
  if (flags & kAbsolute) return s + "SYMBOL(kallsyms_addresses)=" + hex(kOffsets) + "\n";
  return s + "SYMBOL(kallsyms_offsets)=" + hex(kOffsets) + "\nSYMBOL(kallsyms_relative_base)=" +
         hex(kRelativeBase) + "\n";
}

}  // namespace vmcap::fuzz::kallsyms_image
