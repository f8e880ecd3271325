#include "arm/machine/kallsyms_text.h"

#include <charconv>

#include <fmt/format.h>

namespace vmcap::arm {
namespace {

std::optional<uint64_t> hex(std::string_view s) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc() || end != s.data() + s.size() || v == 0) return std::nullopt;
  return v;
}

}  // namespace

KexecToolSymbols find_kexec_tool_symbols(std::string_view text) {
  KexecToolSymbols s;
  size_t at = 0;
  while (at < text.size() && !(s.text && s.stext && s.init_begin)) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    // "ffff800008000000 T _text": the address, one type letter, the name (then a module, never for these).
    const size_t sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 + 3 > line.size() || line[sp1 + 2] != ' ') continue;
    const std::string_view name = line.substr(sp1 + 3);
    std::optional<uint64_t>* slot = name == "_text" ? &s.text : name == "_stext" ? &s.stext
                                  : name == "__init_begin" ? &s.init_begin : nullptr;
    if (slot && !*slot) *slot = hex(line.substr(0, sp1));
  }
  return s;
}

Result<std::optional<std::string>> kexec_tool_kallsyms(const KexecToolSymbols& s, std::optional<uint64_t> stext_offset) {
  if (s.text) return std::optional<std::string>();
  auto missing = [](const std::string& what) {
    return make_error(ErrorKind::Missing, "/proc/kallsyms", std::nullopt,
                      "no _text (the kernel is built without CONFIG_KALLSYMS_ALL), and " + what +
                          ": kexec -p would write a broken ELF core header for the capture kernel");
  };
  if (!s.stext) return missing("no _stext either (or its addresses are hidden from this user)");
  if (!s.init_begin) return missing("no __init_begin, which kexec-tools needs beside it");
  if (!stext_offset) return missing("the running kernel's Image does not say where _stext lies in it");
  if (*stext_offset >= *s.stext || (*s.stext - *stext_offset) % 4096 != 0)  // _text 0 reads as missing
    return missing(fmt::format("_stext {:#x} less the Image's offset {:#x} is no page-aligned _text", *s.stext,
                               *stext_offset));
  return std::optional<std::string>(fmt::format("{:016x} T _text\n{:016x} T _stext\n{:016x} T __init_begin\n",
                                                *s.stext - *stext_offset, *s.stext, *s.init_begin));
}

}  // namespace vmcap::arm
