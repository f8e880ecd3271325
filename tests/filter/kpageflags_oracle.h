// The guest's own view of its pages as an oracle for the page filter: /proc/kpageflags
// (8 bytes a pfn, saved by the guest just before the crash) mapped to the filter's
// categories, and a sink that compares the filter's decision for every pfn with it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "capture/filter/page_category.h"
#include "elf/result.h"

namespace vmcap::testing {

// Bits from include/uapi/linux/kernel-page-flags.h.
enum KpageflagsBit : unsigned {
  kKpfLru = 5, kKpfSlab = 7, kKpfBuddy = 10, kKpfAnon = 12, kKpfSwapcache = 13,
  kKpfSwapbacked = 14, kKpfCompoundTail = 16, kKpfHuge = 17, kKpfHwpoison = 19,
  kKpfNopage = 20, kKpfThp = 22, kKpfOffline = 23, kKpfZeroPage = 24, kKpfPrivate = 35,
};

// What the guest kernel said a page was, in the filter's terms.
enum class GuestView {
  NoPage,     // no struct page: not compared
  Unflagged,  // no flag at all: the tail of a free block, or plain kernel memory
  Free, Cache, User, HwPoison, Offline,
  Other,      // kernel memory the filter keeps: slab, page tables, reserved, ...
};
const char* guest_view_name(GuestView v);
GuestView guest_view(uint64_t kpageflags);
// Whether the filter's decision (at a level with bits 2|4|8|16) matches the guest's view.
bool agrees(PageCategory ours, GuestView theirs);

// Reads a raw kpageflags file.
Result<std::vector<uint64_t>> read_kpageflags(const std::string& path);

class KpageflagsComparison : public PageCategorySink {
 public:
  explicit KpageflagsComparison(std::vector<uint64_t> kpageflags) : kpf_(std::move(kpageflags)) {}
  void pages(uint64_t first_pfn, uint64_t count, PageCategory category) override;

  uint64_t compared() const { return compared_; }
  uint64_t agreed() const { return agreed_; }
  double percent() const { return compared_ ? 100.0 * agreed_ / compared_ : 0; }
  // Disagreements by (our category, the guest's view).
  const std::map<std::pair<PageCategory, GuestView>, uint64_t>& disagreements() const {
    return disagreements_;
  }
  std::string report() const;

 private:
  std::vector<uint64_t> kpf_;
  uint64_t compared_ = 0, agreed_ = 0;
  std::map<std::pair<PageCategory, GuestView>, uint64_t> disagreements_;
};

}  // namespace vmcap::testing
