// What the page filter decided about one page frame, and a way to watch every decision
// (the kpageflags oracle and diagnostics listen; the writers only need the bitmap).
#pragma once

#include <cstdint>
#include <string_view>

namespace vmcap {

enum class PageCategory : uint8_t {
  Kept,          // no rule of the dump level excludes it (kernel data, slab, page tables...)
  Zero,          // all bytes zero (dump level bit 1)
  Cache,         // page cache without private data (bit 2, or bit 4)
  CachePrivate,  // page cache with private data (bit 4)
  User,          // anonymous or hugetlb (bit 8)
  Free,          // in a buddy free block (bit 16)
  HwPoison,      // PG_hwpoison: always left out (reading it may machine-check)
  Offline,       // logically offline (balloon, virtio-mem): always left out
};

inline constexpr int kPageCategoryCount = 8;

inline std::string_view page_category_name(PageCategory c) {
  switch (c) {
    case PageCategory::Kept: return "kept";
    case PageCategory::Zero: return "zero";
    case PageCategory::Cache: return "cache";
    case PageCategory::CachePrivate: return "cache_private";
    case PageCategory::User: return "user";
    case PageCategory::Free: return "free";
    case PageCategory::HwPoison: return "hwpoison";
    case PageCategory::Offline: return "offline";
  }
  return "?";
}

// Receives the decision for every page the dump holds, in increasing pfn order, as runs.
class PageCategorySink {
 public:
  virtual ~PageCategorySink() = default;
  virtual void pages(uint64_t first_pfn, uint64_t count, PageCategory category) = 0;
};

}  // namespace vmcap
