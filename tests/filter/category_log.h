// Every page's category as the filter decided it, kept in a plain vector (a 1 GiB guest:
// 262144 bytes), for tests that explain differences page by page.
#pragma once

#include <cstdint>
#include <vector>

#include "capture/filter/page_category.h"

namespace vmcap::testing {

class CategoryLog : public PageCategorySink {
 public:
  static constexpr uint8_t kNotAWholePage = 0xff;
  void pages(uint64_t first, uint64_t count, PageCategory c) override {
    if (cats.size() < first + count) cats.resize(first + count, kNotAWholePage);
    for (uint64_t p = first; p < first + count; ++p) cats[p] = static_cast<uint8_t>(c);
  }
  bool has(uint64_t pfn) const { return pfn < cats.size() && cats[pfn] != kNotAWholePage; }
  PageCategory of(uint64_t pfn) const { return static_cast<PageCategory>(cats[pfn]); }
  std::vector<uint8_t> cats;  // kNotAWholePage: not a whole page of the dump
};

}  // namespace vmcap::testing
