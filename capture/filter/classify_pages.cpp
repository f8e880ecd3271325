#include "capture/filter/classify_pages.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "capture/filter/dump_level.h"
#include "capture/filter/mem_section_map.h"
#include "capture/filter/page_rules.h"

namespace vmcap {
namespace {

constexpr uint64_t kWindowPages = 4096;    // struct pages read at once (256 KiB of 64-byte pages)
constexpr uint64_t kDataChunkBytes = 2 << 20;  // page data read at once for the zero check
constexpr size_t kMaxWarnings = 20;

bool all_zero(const std::byte* p, size_t n) {
  uint64_t acc = 0;
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    acc |= w;
    if ((i & 511) == 504 && acc) return false;  // stop early on data, check in blocks
  }
  return acc == 0;
}

class Classifier {
 public:
  Classifier(const VmcoreInfo& info, const VirtualMemory& vm, const PhysicalMemory& pm,
             const FilterOptions& o, uint64_t page_size, FilterResult& r)
      : vm_(vm), pm_(pm), sink_(o.sink), level_(o.dump_level), page_size_(page_size),
        page_shift_(static_cast<uint64_t>(std::countr_zero(page_size))), r_(r),
        layout_(read_struct_page_layout(info, o.dump_level, r.skipped)),
        sparsemem_(sparsemem_numbers(info, o.machine)),
        sections_(info, sparsemem_, vm, layout_.size, r.skipped) {
    for (const std::string& key : sparsemem_.computed)
      r.warnings.push_back(key + " is not in VMCOREINFO: computed from the kernel's version and "
                           "configuration, as makedumpfile does");
    // Without a struct page layout or a mem_map the struct page rules cannot run; the
    // layout or the map already reported which key was missing.
    struct_rules_ = layout_.usable && sections_.has_map();
    // The kernel keeps a free block inside one section (MAX_PAGE_ORDER + PAGE_SHIFT <=
    // SECTION_SIZE_BITS): a buddy order beyond it is garbage.
    if (sections_.has_map())
      layout_.free_order_limit = std::min(layout_.free_order_limit, sections_.pfn_section_shift() + 1);
    window_pages_ = sections_.has_map() ? std::min(kWindowPages, sections_.pages_per_section())
                                        : kWindowPages;
  }

  void run() {
    for (const PhysRange& range : pm_.ranges()) {
      const uint64_t first = (range.start + page_size_ - 1) >> page_shift_;
      const uint64_t end = std::min(range.end() >> page_shift_, r_.keep.end_pfn());
      if (range.start % page_size_) ++r_.counts.partial_pages;
      if (range.end() % page_size_ && (range.end() >> page_shift_) >= first) ++r_.counts.partial_pages;
      range_end_ = end;
      for (uint64_t p = first; p < end;) {
        // Windows aligned to window_pages_ (a power of two dividing the section size), so
        // a compound head is never a window's last page unless it is a single page.
        const uint64_t e = std::min(end, (p / window_pages_ + 1) * window_pages_);
        window(p, e);
        p = e;
      }
    }
  }

 private:
  void warn(std::string w) {
    if (r_.warnings.size() < kMaxWarnings) r_.warnings.push_back(std::move(w));
    else ++suppressed_warnings_;
  }

 public:
  void finish() {
    if (suppressed_warnings_)
      r_.warnings.push_back("... and " + std::to_string(suppressed_warnings_) + " more warnings");
  }

 private:
  // The struct page address of pfn's section start, cached per section.
  std::optional<uint64_t> section_page(uint64_t pfn) {
    const uint64_t nr = pfn >> sections_.pfn_section_shift();
    if (nr != section_nr_) {
      section_nr_ = nr;
      std::string why;
      section_page_ = sections_.section_first_page(nr, why);
      if (!section_page_ && why.rfind("absent", 0) != 0)
        warn("section " + std::to_string(nr) + " (pfn 0x" + hex(nr << sections_.pfn_section_shift()) +
             "): " + why + "; its pages are kept");
      section_absent_ = !section_page_ && why.rfind("absent", 0) == 0;
    }
    return section_page_;
  }

  static std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(v));
    return b;
  }

  // Reads struct pages [p, p + n) into structs_; readable_[i] says which arrived.
  void read_structs(uint64_t vaddr, uint64_t n) {
    const uint64_t size = layout_.size;
    structs_.resize(n * size);
    readable_.assign(n, 1);
    if (vm_.read(vaddr, std::span(structs_.data(), n * size))) return;
    // Some part is missing: retry per page of struct pages, keep what reads.
    for (uint64_t i = 0; i < n;) {
      const uint64_t a = vaddr + i * size;
      const uint64_t page_end = (a / page_size_ + 1) * page_size_;
      const uint64_t k = std::min(n - i, std::max<uint64_t>(1, (page_end - a) / size));
      if (!vm_.read(a, std::span(structs_.data() + i * size, k * size)))
        std::fill(readable_.begin() + static_cast<long>(i), readable_.begin() + static_cast<long>(i + k), 0);
      i += k;
    }
  }

  void window(uint64_t p, uint64_t e) {
    const uint64_t n = e - p;
    cats_.assign(n, PageCategory::Kept);
    std::optional<uint64_t> base;
    if (struct_rules_) base = section_page(p);
    if (base) {
      const uint64_t sec_start = (p >> sections_.pfn_section_shift()) << sections_.pfn_section_shift();
      const uint64_t sec_end = sec_start + sections_.pages_per_section();
      // One struct page more when it exists in this section: a head's page[1].
      const uint64_t nread = n + (e < sec_end ? 1 : 0);
      read_structs(*base + (p - sec_start) * layout_.size, nread);
      const uint64_t size = layout_.size;
      for (uint64_t i = 0; i < n; ++i) {
        const uint64_t pfn = p + i;
        if (pfn < pending_end_) {
          cats_[i] = pending_cat_;
          continue;
        }
        if (!readable_[i]) {
          ++r_.counts.unreadable_struct_page;
          continue;
        }
        std::span<const std::byte> page(structs_.data() + i * size, size);
        std::span<const std::byte> next;
        if (i + 1 < nread && readable_[i + 1]) next = std::span<const std::byte>(structs_.data() + (i + 1) * size, size);
        const PageDecision d = decide_page(layout_, level_, pfn, page, next);
        if (d.invalid_free_order) {
          ++r_.counts.invalid_free_order;
          if (invalid_order_warnings_++ < 3)
            warn("pfn 0x" + hex(pfn) + ": buddy page with invalid order; kept");
        }
        if (d.invalid_compound_order) {
          ++r_.counts.invalid_compound_order;
          if (invalid_compound_warnings_++ < 3)
            warn("pfn 0x" + hex(pfn) + ": compound page head with invalid order; kept");
        }
        cats_[i] = d.category;
        if (d.category != PageCategory::Kept && d.pages > 1) {
          // Never past this memory range: pages beyond a hole decide for themselves.
          pending_end_ = pfn + std::min(d.pages, range_end_ - pfn);
          pending_cat_ = d.category;
        }
      }
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        if (p + i < pending_end_) cats_[i] = pending_cat_;
        else if (struct_rules_) ++(section_absent_ ? r_.counts.no_mem_map : r_.counts.unreadable_struct_page);
      }
    }
    if (level_ & kExcludeZero) zero_check(p, n);
    // Record: bitmap, counts, sink runs.
    uint64_t run_start = 0;
    for (uint64_t i = 0; i < n; ++i) {
      const PageCategory c = cats_[i];
      ++r_.counts.by_category[static_cast<int>(c)];
      if (c == PageCategory::Kept) {
        r_.keep.set(p + i);
        ++r_.counts.kept;
      }
      if (sink_ && (i + 1 == n || cats_[i + 1] != c)) {
        sink_->pages(p + run_start, i + 1 - run_start, c);
        run_start = i + 1;
      }
    }
  }

  // Pages still kept whose bytes are all zero become Zero; runs read in bounded chunks.
  void zero_check(uint64_t p, uint64_t n) {
    const uint64_t chunk_pages = std::max<uint64_t>(1, kDataChunkBytes / page_size_);
    for (uint64_t i = 0; i < n;) {
      if (cats_[i] != PageCategory::Kept) {
        ++i;
        continue;
      }
      uint64_t j = i;
      while (j < n && j - i < chunk_pages && cats_[j] == PageCategory::Kept) ++j;
      data_.resize((j - i) * page_size_);
      if (pm_.read((p + i) << page_shift_, data_)) {
        for (uint64_t k = i; k < j; ++k)
          if (all_zero(data_.data() + (k - i) * page_size_, page_size_)) cats_[k] = PageCategory::Zero;
      } else {
        for (uint64_t k = i; k < j; ++k) {
          std::span<std::byte> one(data_.data(), page_size_);
          if (!pm_.read((p + k) << page_shift_, one)) ++r_.counts.unreadable_page;
          else if (all_zero(one.data(), page_size_)) cats_[k] = PageCategory::Zero;
        }
      }
      i = j;
    }
  }

  const VirtualMemory& vm_;
  const PhysicalMemory& pm_;
  PageCategorySink* sink_;
  int level_;
  uint64_t page_size_, page_shift_;
  FilterResult& r_;
  StructPageLayout layout_;
  SparsememNumbers sparsemem_;
  MemSectionMap sections_;
  bool struct_rules_ = false;
  uint64_t window_pages_ = kWindowPages;
  uint64_t section_nr_ = ~uint64_t{0};
  std::optional<uint64_t> section_page_;
  bool section_absent_ = false;
  uint64_t pending_end_ = 0;
  uint64_t range_end_ = 0;  // end pfn of the range being classified
  PageCategory pending_cat_ = PageCategory::Kept;
  uint64_t invalid_order_warnings_ = 0;
  uint64_t invalid_compound_warnings_ = 0;
  uint64_t suppressed_warnings_ = 0;
  std::vector<std::byte> structs_, data_;
  std::vector<char> readable_;
  std::vector<PageCategory> cats_;
};

}  // namespace

Result<FilterResult> classify_pages(const VmcoreInfo& info, const VirtualMemory& kernel_memory,
                                    const PhysicalMemory& physical_memory,
                                    const FilterOptions& options) {
  if (options.dump_level < 0 || options.dump_level > kMaxDumpLevel)
    return make_error(ErrorKind::Usage, {}, std::nullopt,
                      "dump level " + std::to_string(options.dump_level) + " is not in 0..31");
  auto page_size = info.page_size();
  if (!page_size) return make_error(ErrorKind::Missing, {}, std::nullopt, "VMCOREINFO has no PAGESIZE");
  if (!std::has_single_bit(*page_size) || *page_size < 512 || *page_size > (1 << 20))
    return make_error(ErrorKind::Format, {}, std::nullopt,
                      "VMCOREINFO PAGESIZE " + std::to_string(*page_size) + " is not a page size");
  const auto t0 = std::chrono::steady_clock::now();
  const uint64_t shift = static_cast<uint64_t>(std::countr_zero(*page_size));
  uint64_t end_pfn = 0;
  for (const PhysRange& r : physical_memory.ranges()) {
    // A garbage range (a corrupted p_paddr) must not size the bitmap: the kdump reader's
    // and the writers' 1 GiB bitmap limit, 2^33 pfns.
    if ((r.end() >> shift) > kMaxBitmapPfns)
      return make_error(ErrorKind::Limit, {}, r.start,
                        fmt::format("physical memory range {:#x}-{:#x} ends beyond pfn {:#x} "
                                    "({} TiB of {}-byte pages): refusing a page bitmap over 1 GiB",
                                    r.start, r.end(), kMaxBitmapPfns,
                                    (kMaxBitmapPfns << shift) >> 40, *page_size));
    end_pfn = std::max(end_pfn, r.end() >> shift);
  }
  FilterResult result;
  result.dump_level = options.dump_level;
  result.keep = PfnBitmap(end_pfn);
  Classifier c(info, kernel_memory, physical_memory, options, *page_size, result);
  c.run();
  c.finish();
  for (uint64_t n : result.counts.by_category) result.counts.total += n;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace vmcap
