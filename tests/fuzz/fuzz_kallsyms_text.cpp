// Fuzz target: /proc/kallsyms text as kexec -p's _text fix reads it (arm/machine/kallsyms_text.h).
// Found addresses are never 0; a kallsyms made for kexec-tools has the three lines, its _text
// page aligned and below _stext.
#include <cstdint>
#include <string_view>

#include "arm/machine/kallsyms_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::arm;
  if (size < 2) return 0;
  const uint64_t offset = uint64_t{data[0]} << 12;  // 0 .. 1020 KiB, page aligned
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const KexecToolSymbols s = find_kexec_tool_symbols(text);
  if ((s.text && *s.text == 0) || (s.stext && *s.stext == 0) || (s.init_begin && *s.init_begin == 0))
    __builtin_trap();
  auto made = kexec_tool_kallsyms(s, offset);
  if (made && *made) {
    if (s.text || !s.stext || !s.init_begin) __builtin_trap();
    const KexecToolSymbols back = find_kexec_tool_symbols(**made);
    if (!back.text || *back.text % 4096 != 0 || *back.text > *s.stext || back.stext != s.stext) __builtin_trap();
  }
  return 0;
}
