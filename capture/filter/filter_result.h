// What the page filter produced: the pages to keep, why the others were left out, which
// rules could not be applied, and a one-line summary for `vmcap filter`.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "capture/filter/page_category.h"
#include "capture/filter/struct_page_layout.h"
#include "capture/pages/pfn_bitmap.h"

namespace vmcap {

struct FilterCounts {
  uint64_t total = 0;  // whole pages the source dump holds
  uint64_t kept = 0;   // pages set in the bitmap
  // Pages per category (Kept included); the excluded ones sum to total - kept.
  std::array<uint64_t, kPageCategoryCount> by_category{};
  // Kept for lack of knowledge (all counted under Kept too).
  uint64_t no_mem_map = 0;          // no struct page found for the pfn (absent section)
  uint64_t unreadable_struct_page = 0;  // struct page not in the dump / section pointer garbage
  uint64_t invalid_free_order = 0;  // buddy page whose order is out of range
  uint64_t invalid_compound_order = 0;  // compound head too large or misaligned for its pfn
  uint64_t unreadable_page = 0;     // page data unreadable during the zero check
  uint64_t partial_pages = 0;       // pages the dump holds only in part: not kept, not counted

  uint64_t of(PageCategory c) const { return by_category[static_cast<int>(c)]; }
};

struct FilterResult {
  int dump_level = 0;
  PfnBitmap keep;  // pfns to write: only whole pages the source dump holds
  FilterCounts counts;
  std::vector<SkippedRule> skipped;
  std::vector<std::string> warnings;  // bounded: the first few, then a count
  double seconds = 0;                 // classification time (for speed reports)
};

// "kept N of M pages (P%); excluded: zero X, cache Y, ...; rules skipped: free pages
// (missing NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)), ..."
std::string format_filter_summary(const FilterResult& result);

}  // namespace vmcap
