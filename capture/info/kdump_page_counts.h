// The crashed machine's pages as a kdump-compressed file states them: the 1st bitmap marks
// every pfn that existed (RAM), the 2nd the ones the file holds. `vmcap info` reports the
// first as the machine's memory and the difference as the pages the dump level left out.
// The reader keeps its bitmaps to itself, so the two are read again here through the
// file's bytes (a plain file, or the logical file of a flattened stream): at most a few
// MiB even for a large machine (1 bit a page), read in pieces.
#pragma once

#include <cstdint>

#include "elf/dump.h"
#include "elf/kdump/kdump.h"
#include "elf/result.h"

namespace vmcap {

struct KdumpPageCounts {
  uint64_t ram_pages = 0;       // set in the 1st bitmap, pfns [0, max_mapnr)
  uint64_t excluded_pages = 0;  // set in the 1st, clear in the 2nd, in [start_pfn, end_pfn)
};

// `dump` must be the one `info` describes (kdump_info(dump) == &info).
Result<KdumpPageCounts> count_kdump_pages(const Dump& dump, const KdumpInfo& info);

}  // namespace vmcap
