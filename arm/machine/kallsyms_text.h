// The kernel symbols kexec-tools' `kexec -p` reads on arm64, and a /proc/kallsyms of its own
// for it when the kernel's lacks _text.
//
// kexec-tools (kexec/arch/arm64/crashdump-arm64.c, kexec-arm64.c; get_kernel_sym in
// kexec/symbols.c reads /proc/kallsyms, 0 when a name is missing) takes _text, _stext and
// __init_begin to write the kernel image's PT_LOAD of the capture kernel's ELF core header:
// p_vaddr = _text, and p_paddr = the start of /proc/iomem's "Kernel code" less (_stext -
// _text) when "Kernel code" runs from _stext to __init_begin (the kernel's layout since
// 5.x), its size up to the end of "Kernel data"; and _text for PAGE_OFFSET. Debian's arm64
// 6.1 is built without CONFIG_KALLSYMS_ALL and its kallsyms has no _text (it lies before
// _stext, outside the text kallsyms lists): p_paddr then wraps below 0 and the size is
// about 2^64 (seen with kexec-tools 2.0.25: the capture kernel's /proc/vmcore claims ~2^64
// bytes and reading it crashes). 6.12 (KALLSYMS_ALL) lists _text.
// vmlinux.lds.S starts the image at _text and the running kernel's Image holds it from its
// first byte, so _text = _stext - the offset of _stext in that Image (arm64_image.h: its PE
// header's BaseOfCode, 0x10000 on Debian's kernels).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::arm {

struct KexecToolSymbols {
  std::optional<uint64_t> text, stext, init_begin;  // _text, _stext, __init_begin
};

// The three symbols from /proc/kallsyms text (lines "ADDRESS TYPE NAME [MODULE]"); an address
// of 0 (kptr_restrict hides them from this user) is taken as missing.
KexecToolSymbols find_kexec_tool_symbols(std::string_view kallsyms);

// What kexec-tools should read instead of /proc/kallsyms: nullopt when the kernel's lists
// _text already; else the three lines with _text = _stext - stext_offset. Fails (Missing)
// when _stext or __init_begin is not listed or the offset is unknown, naming what is missing.
Result<std::optional<std::string>> kexec_tool_kallsyms(const KexecToolSymbols& symbols,
                                                      std::optional<uint64_t> stext_offset);

}  // namespace vmcap::arm
