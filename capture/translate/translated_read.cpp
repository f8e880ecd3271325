#include "capture/translate/translated_read.h"

#include <algorithm>

#include <fmt/format.h>

namespace vmcap {

Result<void> read_translated(const PhysicalMemory& memory, uint64_t vaddr,
                             std::span<std::byte> out, const TranslateFn& translate) {
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t va = vaddr + done;
    Translation t = VMCAP_TRY(translate(va));
    if (t.contiguous == 0)  // a translation must cover its own byte; never loop on one
      return make_error(ErrorKind::Format, {}, va,
                        fmt::format("virtual address {:#x}: empty translation", va));
    const size_t n = static_cast<size_t>(std::min<uint64_t>(t.contiguous, out.size() - done));
    auto r = memory.read(t.paddr, out.subspan(done, n));
    if (!r) {
      const Error& e = r.error();
      // A hole names the missing physical address: report the virtual address that maps it,
      // not the chunk's start (callers mark that page unreadable). Other errors (Truncated)
      // carry a file offset, so the chunk's start is all we know.
      uint64_t failing = va;
      if (e.kind == ErrorKind::Hole && e.offset && *e.offset >= t.paddr && *e.offset - t.paddr < n)
        failing = va + (*e.offset - t.paddr);
      return make_error(e.kind, e.file, failing,
                        fmt::format("virtual address {:#x} (physical {:#x}): {}", failing,
                                    t.paddr + (failing - va), e.reason));
    }
    done += n;
  }
  return ok();
}

}  // namespace vmcap
