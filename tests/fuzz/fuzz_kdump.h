// Shared by the kdump-compressed and flattened fuzz targets: everything a capture asks of
// an opened kdump file (headers, notes, CPU states, a few pages from every range).
#pragma once

#include "elf/dump.h"
#include "elf/kdump/kdump.h"
#include "elf/prstatus.h"

namespace vmcap::fuzz {

inline void exercise_kdump(const Dump& dump) {
  (void)kdump_info(dump);
  (void)read_cpu_states(dump);
  (void)dump.vmcoreinfo_text();
  std::byte page[4096];
  int n = 0;
  for (const auto& r : dump.memory().ranges()) {
    if (++n > 8) break;
    (void)dump.memory().read(r.start, std::span(page, r.size < 4096 ? r.size : 4096));
    if (r.size > 4096) (void)dump.memory().read(r.end() - 4096, page);
    (void)dump.memory().read(r.end(), std::span(page, 1));
  }
  (void)dump.memory().read(0, std::span(page, 16));
}

}  // namespace vmcap::fuzz
