// The crashed kernel's own symbol table (kallsyms), read through the addresses VMCOREINFO
// gives since 6.0 (SYMBOL(kallsyms_names), ...): symbol names for addresses without a
// vmlinux. Layout (kernel/kallsyms.c, scripts/kallsyms.c):
//   kallsyms_num_syms      u32 (scripts/kallsyms emits a .long)
//   kallsyms_names         per symbol: a token count (1 byte; since 6.1 a count >= 0x80 takes
//                          two bytes: (b0 & 0x7f) | b1 << 7), then that many token bytes
//   kallsyms_token_table   NUL-terminated token strings; kallsyms_token_index: 256 u16
//                          offsets into it. The first decoded char is the nm type letter.
//   kallsyms_offsets       s32 per symbol, relative to kallsyms_relative_base (u64); with
//                          CONFIG_KALLSYMS_ABSOLUTE_PERCPU a value >= 0 is an absolute per-cpu
//                          address and a negative one means base - 1 - value.
//   kallsyms_addresses     (kernels without base-relative kallsyms) u64 per symbol.
// Symbols are sorted by address. Only the compressed names are kept; a name is decoded
// when asked for. Little-endian, 64-bit kernels only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

// Bounds on what a dump may claim (docs/limits.md): a kernel has ~100-250k symbols.
inline constexpr uint32_t kKallsymsMaxSymbols = 1u << 21;
inline constexpr uint64_t kKallsymsMaxNamesBytes = 64ull << 20;

struct SymbolHit {
  std::string name;
  char type = '?';       // nm letter: 't' local text, 'T' global text, 'd', 'b', ...
  uint64_t address = 0;  // the symbol's start
  uint64_t offset = 0;   // addr - address
  uint64_t size = 0;     // to the next symbol at a higher address
  // As the kernel prints it (%pS): "sysrq_handle_crash+0x16/0x20".
  std::string format() const;
};

class Kallsyms {
 public:
  // Missing when VMCOREINFO lacks the kallsyms symbols (kernels before 6.0); Limit or
  // Format when the tables the dump holds are not believable.
  static Result<Kallsyms> load(const VmcoreInfo& info, const VirtualMemory& memory);

  // The symbol containing addr, as the kernel chooses it (the first of several at the
  // same address; size up to the next higher address). nullopt outside the table (below
  // the first symbol, at or past the last), or when the enclosing gap is implausibly
  // large (> 16 MiB: not inside any real symbol).
  std::optional<SymbolHit> lookup(uint64_t addr) const;

  size_t size() const { return addresses_.size(); }
  uint64_t address(size_t index) const { return addresses_[index]; }
  // The decoded name and type of symbol `index` (< size()).
  std::string name(size_t index) const;
  char type(size_t index) const;

 private:
  std::string decode(size_t index) const;  // type letter followed by the name

  std::vector<uint64_t> addresses_;    // per symbol, sorted ascending
  std::vector<uint32_t> name_offsets_; // per symbol, into names_
  std::vector<uint8_t> names_;         // kallsyms_names as read
  std::vector<char> token_table_;      // NUL-terminated tokens
  std::vector<uint16_t> token_index_;  // 256 entries, each < token_table_.size()
  bool long_lengths_ = false;          // 2-byte token counts (6.1+)
};

}  // namespace vmcap
