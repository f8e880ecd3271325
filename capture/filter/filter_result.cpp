#include "capture/filter/filter_result.h"

#include <cstdio>

namespace vmcap {

std::string format_filter_summary(const FilterResult& r) {
  const FilterCounts& c = r.counts;
  char head[160];
  std::snprintf(head, sizeof head, "kept %llu of %llu pages (%.1f%%) at dump level %d",
                static_cast<unsigned long long>(c.kept), static_cast<unsigned long long>(c.total),
                c.total ? 100.0 * static_cast<double>(c.kept) / static_cast<double>(c.total) : 0.0,
                r.dump_level);
  std::string s = head;
  std::string excluded;
  for (int i = 1; i < kPageCategoryCount; ++i) {
    if (!excluded.empty()) excluded += ", ";
    excluded += std::string(page_category_name(static_cast<PageCategory>(i))) + " " +
                std::to_string(c.by_category[i]);
  }
  s += "; excluded: " + excluded;
  std::string unsure;
  auto add = [&](uint64_t n, const char* what) {
    if (n == 0) return;
    unsure += (unsure.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(c.no_mem_map, "without struct page");
  add(c.unreadable_struct_page, "with unreadable struct page");
  add(c.invalid_free_order, "with invalid free order");
  add(c.invalid_compound_order, "with invalid compound order");
  add(c.unreadable_page, "unreadable");
  if (!unsure.empty()) s += "; kept when in doubt: " + unsure;
  if (c.partial_pages) s += "; " + std::to_string(c.partial_pages) + " partial pages left out";
  if (!r.skipped.empty()) {
    s += "; rules skipped: ";
    for (size_t i = 0; i < r.skipped.size(); ++i)
      s += (i ? ", " : "") + r.skipped[i].rule + " (missing " + r.skipped[i].key + ")";
  }
  return s;
}

}  // namespace vmcap
