#include "tests/filter/kpageflags_oracle.h"

#include <cstring>
#include <fstream>

namespace vmcap::testing {

const char* guest_view_name(GuestView v) {
  switch (v) {
    case GuestView::NoPage: return "nopage";
    case GuestView::Unflagged: return "unflagged";
    case GuestView::Free: return "buddy";
    case GuestView::Cache: return "lru/swapcache";
    case GuestView::User: return "anon/hugetlb";
    case GuestView::HwPoison: return "hwpoison";
    case GuestView::Offline: return "offline";
    case GuestView::Other: return "other";
  }
  return "?";
}

GuestView guest_view(uint64_t f) {
  auto has = [f](unsigned bit) { return (f >> bit) & 1; };
  if (has(kKpfNopage)) return GuestView::NoPage;
  if (has(kKpfHwpoison)) return GuestView::HwPoison;
  if (has(kKpfOffline)) return GuestView::Offline;
  if (has(kKpfBuddy)) return GuestView::Free;
  // 6.12 reports slab pages as SLAB|ANON (struct slab reuses the mapping word): the
  // kernel's own SLAB bit wins, as it does in vmcap's classifier.
  if (has(kKpfSlab)) return GuestView::Other;
  // ANON is reported for THP tails too (the folio's); HUGE marks hugetlb pages.
  if (has(kKpfAnon) || has(kKpfHuge)) return GuestView::User;
  if (has(kKpfLru) || (has(kKpfSwapcache) && has(kKpfSwapbacked))) return GuestView::Cache;
  if (f == 0) return GuestView::Unflagged;
  return GuestView::Other;
}

bool agrees(PageCategory ours, GuestView theirs) {
  switch (ours) {
    case PageCategory::Free:
      // Only a free block's first page is PageBuddy; the rest carry no flag.
      return theirs == GuestView::Free || theirs == GuestView::Unflagged;
    case PageCategory::Cache:
    case PageCategory::CachePrivate: return theirs == GuestView::Cache;
    case PageCategory::User: return theirs == GuestView::User;
    case PageCategory::HwPoison: return theirs == GuestView::HwPoison;
    case PageCategory::Offline: return theirs == GuestView::Offline;
    case PageCategory::Kept:
    case PageCategory::Zero: return theirs == GuestView::Other || theirs == GuestView::Unflagged;
  }
  return false;
}

Result<std::vector<uint64_t>> read_kpageflags(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot open");
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() % 8)
    return make_error(ErrorKind::Format, path, bytes.size(), "size is not a multiple of 8");
  std::vector<uint64_t> out(bytes.size() / 8);
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

void KpageflagsComparison::pages(uint64_t first, uint64_t count, PageCategory c) {
  for (uint64_t p = first; p < first + count && p < kpf_.size(); ++p) {
    const GuestView v = guest_view(kpf_[p]);
    if (v == GuestView::NoPage) continue;
    ++compared_;
    if (agrees(c, v)) ++agreed_;
    else ++disagreements_[{c, v}];
  }
}

std::string KpageflagsComparison::report() const {
  char head[128];
  std::snprintf(head, sizeof head, "agree on %llu of %llu pages (%.3f%%)",
                static_cast<unsigned long long>(agreed_), static_cast<unsigned long long>(compared_),
                percent());
  std::string s = head;
  for (const auto& [key, n] : disagreements_)
    s += std::string("; ours ") + std::string(page_category_name(key.first)) + " / guest " +
         guest_view_name(key.second) + ": " + std::to_string(n);
  return s;
}

}  // namespace vmcap::testing
