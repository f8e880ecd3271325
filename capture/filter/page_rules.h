// makedumpfile's exclusion rules applied to one struct page (its bytes, read from the
// dump): which category the page falls in at a dump level, and how many pages from it
// the decision covers (a free block or a compound page decides for its whole range).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "capture/filter/page_category.h"
#include "capture/filter/struct_page_layout.h"

namespace vmcap {

struct PageDecision {
  PageCategory category = PageCategory::Kept;
  uint64_t pages = 1;               // pages from this pfn the category applies to
  bool tail = false;                // a compound tail: its head decided (or keeps it)
  bool invalid_free_order = false;  // a buddy page whose order is out of range: kept
  bool invalid_compound_order = false;  // a compound head whose order is impossible: kept
};

// `page` is the struct page of `pfn` (layout.size bytes); `next` the following struct
// page, or empty when it could not be read (a head's order is then unknown: 1 page).
PageDecision decide_page(const StructPageLayout& layout, int dump_level, uint64_t pfn,
                         std::span<const std::byte> page, std::span<const std::byte> next);

}  // namespace vmcap
