// Fuzz target: the kallsyms reader (capture/kernel/kallsyms) on an image whose tables are
// the input (layout in kallsyms_image.h). Checks what load() promises: a count inside the
// limits, sorted addresses, every name decodable; and what lookup() promises: the symbol
// found contains the address and offset and size agree.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "capture/kernel/kallsyms.h"
#include "tests/fuzz/fuzz_memory.h"
#include "tests/fuzz/kallsyms_image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::fuzz;
  namespace img = kallsyms_image;
  InputReader in(data, size);
  const uint8_t flags = in.byte();
  static const auto info_short = *vmcap::VmcoreInfo::parse(img::vmcoreinfo(0));
  static const auto info_long = *vmcap::VmcoreInfo::parse(img::vmcoreinfo(img::kLongLengths));
  static const auto info_abs = *vmcap::VmcoreInfo::parse(img::vmcoreinfo(img::kAbsolute | img::kLongLengths));
  const auto& info = (flags & img::kAbsolute) ? info_abs : (flags & img::kLongLengths) ? info_long : info_short;
  RegionMemory memory;
  memory.map(img::kNumSyms, in.take(4));
  memory.map(img::kRelativeBase, in.take(8));
  memory.map(img::kTokenIndex, in.take(512));
  // The reader takes 256 bytes past the last token's start (tokens are short; in a kernel
  // kallsyms_token_index follows): zeros after the input's table, like a NUL-ended token.
  auto table = in.take(in.u(2));
  table.resize(table.size() + 256);
  memory.map(img::kTokenTable, std::move(table));
  memory.map(img::kNames, in.take(in.u(2)));
  memory.map(img::kOffsets, in.rest());

  auto k = vmcap::Kallsyms::load(info, memory);
  // VMCAP_FUZZ_VERBOSE=1: what one input loads to (to check that seeds reach lookups).
  static const bool verbose = std::getenv("VMCAP_FUZZ_VERBOSE");
  if (verbose)
    std::fprintf(stderr, "kallsyms: %s\n",
                 k ? (std::to_string(k->size()) + " symbols, 0x1c5 in " +
                      (k->lookup(0xffffffff810001c5ull) ? k->lookup(0xffffffff810001c5ull)->format() : "?"))
                         .c_str()
                   : k.error().message().c_str());
  if (!k) return 0;
  const size_t n = k->size();
  if (n == 0 || n > vmcap::kKallsymsMaxSymbols) __builtin_trap();
  for (size_t i = 0; i + 1 < n; ++i)
    if (k->address(i) > k->address(i + 1)) __builtin_trap();
  for (size_t i = 0; i < std::min<size_t>(n, 4096); ++i) {
    (void)k->name(i);
    (void)k->type(i);
  }
  // Around every symbol start (bounded): just below, at, and inside.
  for (size_t i = 0; i < std::min<size_t>(n, 512); ++i) {
    for (uint64_t a : {k->address(i) - 1, k->address(i), k->address(i) + 1}) {
      auto hit = k->lookup(a);
      if (!hit) continue;
      if (hit->address > a || a - hit->address != hit->offset) __builtin_trap();
      if (hit->offset >= hit->size) __builtin_trap();
      (void)hit->format();
    }
  }
  return 0;
}
