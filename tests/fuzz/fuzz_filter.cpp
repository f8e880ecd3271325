// Fuzz target: the page classifier (capture/filter) on a synthetic kernel whose
// mem_section table and struct pages are the input (layout in filter_image.h). Checks:
// no error (garbage keeps pages, it never fails), every whole page held is decided exactly
// once in pfn order, the counts add up, a category is used only when the dump level asks
// for it, and with no kernel memory at all nothing but zero pages is left out.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "capture/filter/classify_pages.h"
#include "tests/fuzz/filter_image.h"
#include "tests/fuzz/fuzz_memory.h"

namespace {

using vmcap::PageCategory;

// Dump RAM whose bytes are a pattern: zeros for pages in the mask, else 0xab.
class PatternMemory final : public vmcap::PhysicalMemory {
 public:
  PatternMemory(std::vector<vmcap::PhysRange> ranges, uint64_t zero_mask)
      : ranges_(std::move(ranges)), zero_mask_(zero_mask) {}
  const std::vector<vmcap::PhysRange>& ranges() const override { return ranges_; }
  vmcap::Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    for (uint64_t done = 0; done < out.size();) {
      const uint64_t a = paddr + done;
      auto r = std::find_if(ranges_.begin(), ranges_.end(),
                            [&](const vmcap::PhysRange& x) { return a >= x.start && a < x.end(); });
      if (r == ranges_.end()) return vmcap::make_error(vmcap::ErrorKind::Hole, {}, a, "not in the fuzz RAM");
      const uint64_t n = std::min<uint64_t>({out.size() - done, r->end() - a, 4096 - a % 4096});
      const bool zero = zero_mask_ >> (a / 4096 % 64) & 1;
      std::memset(out.data() + done, zero ? 0 : 0xab, n);
      done += n;
    }
    return vmcap::ok();
  }

 private:
  std::vector<vmcap::PhysRange> ranges_;
  uint64_t zero_mask_;
};

class DecisionSink final : public vmcap::PageCategorySink {
 public:
  void pages(uint64_t first, uint64_t count, PageCategory c) override {
    if (count == 0 || first < next) __builtin_trap();  // runs in increasing pfn order
    next = first + count;
    total += count;
    if (c != PageCategory::Kept && c != PageCategory::Zero) excluded_by_struct_page += count;
  }
  uint64_t next = 0, total = 0, excluded_by_struct_page = 0;
};

bool level_allows(PageCategory c, int level) {
  switch (c) {
    case PageCategory::Kept: return true;
    case PageCategory::Zero: return level & 1;
    case PageCategory::Cache: return level & (2 | 4);
    case PageCategory::CachePrivate: return level & 4;
    case PageCategory::User: return level & 8;
    case PageCategory::Free: return level & 16;
    case PageCategory::HwPoison:
    case PageCategory::Offline: return true;  // always left out
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::fuzz;
  namespace img = filter_image;
  static const auto info_6_1 = *vmcap::VmcoreInfo::parse(img::vmcoreinfo(false));
  static const auto info_6_12 = *vmcap::VmcoreInfo::parse(img::vmcoreinfo(true));
  InputReader in(data, size);
  const uint8_t variant = in.byte();
  const int level = in.byte() & 31;
  const uint64_t zero_mask = in.u(8);
  const uint64_t a = in.u(2) * 8, gap = in.u(2) * 8, b = in.u(2) * 8;
  std::vector<vmcap::PhysRange> ranges;
  if (a) ranges.push_back({0, a});
  if (b) ranges.push_back({a + std::max<uint64_t>(gap, 8), b});
  PatternMemory ram(ranges, zero_mask);

  RegionMemory kernel;
  if (!(variant & img::kNoMemMap)) {
    kernel.map(img::kRoots, in.take(8));
    kernel.map(img::kEntries, in.take(256 * 16));
    kernel.map(img::kMemMap, in.take(img::kMappedPfns * img::kStructPage));
  }

  DecisionSink sink;
  auto r = vmcap::classify_pages((variant & img::kV6_12) ? info_6_12 : info_6_1, kernel, ram,
                                 vmcap::FilterOptions{level, &sink});
  if (!r) __builtin_trap();  // only a bad level or PAGESIZE may fail
  uint64_t whole = 0;
  for (const auto& x : ranges) {
    const uint64_t first = (x.start + 4095) / 4096, end = x.end() / 4096;
    if (end > first) whole += end - first;
  }
  const auto& c = r->counts;
  if (c.total != whole || sink.total != whole) __builtin_trap();
  if (c.kept != r->keep.count() || c.kept != c.of(PageCategory::Kept)) __builtin_trap();
  uint64_t sum = 0;
  for (int i = 0; i < vmcap::kPageCategoryCount; ++i) {
    sum += c.by_category[i];
    if (c.by_category[i] && !level_allows(PageCategory(i), level)) __builtin_trap();
  }
  if (sum != c.total) __builtin_trap();
  if ((variant & img::kNoMemMap) && sink.excluded_by_struct_page) __builtin_trap();
  if (r->warnings.size() > 21) __builtin_trap();  // 20, then one line with the count
  // VMCAP_FUZZ_VERBOSE=1: what one input classifies to (to check that seeds reach the rules).
  static const bool verbose = std::getenv("VMCAP_FUZZ_VERBOSE");
  const std::string summary = vmcap::format_filter_summary(*r);
  if (verbose) std::fprintf(stderr, "filter: %s\n", summary.c_str());
  return 0;
}
