#include "capture/kernel/arm64_layout.h"

#include <algorithm>
#include <bit>

#include <fmt/format.h>

namespace vmcap {
namespace {

constexpr uint64_t kSz2M = 2ull << 20;
// How far from swapper_pg_dir a VMCOREINFO symbol may lie and still be taken for the
// image: Debian's arm64 images are 30-60 MiB with bss; vmemmap and vmalloc are farther.
constexpr uint64_t kImageSpan = 256ull << 20;

Error bad(const std::string& key, const std::string& why) {
  return make_error(ErrorKind::Format, {}, std::nullopt,
                    fmt::format("arm64 layout: VMCOREINFO {} {}", key, why));
}

// A stated [start, end) pair of NUMBERs (5.18+), when both are there and ordered.
std::optional<Arm64Range> stated_range(const VmcoreInfo& info, const char* start,
                                       const char* end) {
  auto s = info.number(start), e = info.number(end);
  if (!s || !e || static_cast<uint64_t>(*s) >= static_cast<uint64_t>(*e)) return std::nullopt;
  return Arm64Range{static_cast<uint64_t>(*s), static_cast<uint64_t>(*e)};
}

// The runtime VA size from TCR_EL1.T1SZ; 5.9 and 5.10 print the key in lower case.
std::optional<int64_t> tcr_t1sz(const VmcoreInfo& info) {
  if (auto t = info.number("TCR_EL1_T1SZ")) return t;
  return info.number("tcr_el1_t1sz");
}

// Pages from the lowest to the highest VMCOREINFO symbol near swapper_pg_dir (or _stext):
// every byte there belongs to the image, mapped at kimage_voffset.
Arm64Range image_from_symbols(const VmcoreInfo& info, const Arm64Layout& l) {
  std::optional<uint64_t> anchor = l.swapper_pg_dir;
  if (!anchor) anchor = info.symbol("_stext");
  if (!anchor || l.in_linear_map(*anchor) || *anchor < l.kernel_va_start()) return {};
  uint64_t lo = *anchor, hi = *anchor;
  for (const auto& [key, value] : info.entries()) {
    if (!key.starts_with("SYMBOL(") || key == "SYMBOL(vmemmap)") continue;
    auto v = info.symbol(std::string_view(key).substr(7, key.size() - 8));
    if (!v || l.in_linear_map(*v) || *v < l.kernel_va_start()) continue;
    const bool near = *v >= *anchor ? *v - *anchor <= kImageSpan : *anchor - *v <= kImageSpan;
    if (!near) continue;
    if (l.vmemmap_region && l.vmemmap_region->contains(*v)) continue;
    if (l.modules && l.modules->contains(*v)) continue;
    lo = std::min(lo, *v);
    hi = std::max(hi, *v);
  }
  const uint64_t mask = l.page_size() - 1;
  const uint64_t end = (hi | mask) + 1;  // 0 when the page is the last one
  return Arm64Range{lo & ~mask, end};
}

}  // namespace

unsigned arm64_table_levels(unsigned page_shift, unsigned va_bits) {
  const unsigned per_level = page_shift - 3;
  return (va_bits - page_shift + per_level - 1) / per_level;
}

Result<Arm64Layout> Arm64Layout::from_vmcoreinfo(const VmcoreInfo& info) {
  Arm64Layout l;
  const auto page_size = info.page_size();
  if (!page_size)
    return make_error(ErrorKind::Missing, {}, std::nullopt, "VMCOREINFO has no PAGESIZE");
  if (*page_size != 4096 && *page_size != 16384 && *page_size != 65536)
    return bad("PAGESIZE", fmt::format("{} is not an arm64 granule (4K, 16K or 64K)", *page_size));
  l.page_shift = static_cast<unsigned>(std::countr_zero(*page_size));

  const int64_t va_bits = VMCAP_TRY(info.require_number("VA_BITS"));
  // The smallest configuration is 16K pages with 36 bits; the largest 52.
  if (va_bits < 36 || va_bits > 52)
    return bad("NUMBER(VA_BITS)", fmt::format("{} is outside 36..52", va_bits));
  l.va_bits = static_cast<unsigned>(va_bits);

  // VA_BITS_MIN: what a 52-bit configuration falls back to on hardware without 52-bit VA,
  // 48 (47 with 16K pages); any other configuration runs at its own size.
  const unsigned va_bits_min = l.va_bits > 48 ? (l.page_shift == 14 ? 47 : 48) : l.va_bits;
  l.runtime_va_bits = l.va_bits;
  if (auto t1sz = tcr_t1sz(info)) {
    // Checked before the subtraction: a garbage T1SZ may be any 64-bit value.
    if (*t1sz < 64 - static_cast<int64_t>(l.va_bits) || *t1sz > 64 - static_cast<int64_t>(va_bits_min))
      return bad("NUMBER(TCR_EL1_T1SZ)",
                 fmt::format("{:#x} is not a runtime VA of {} to {} bits (VA_BITS {})",
                             static_cast<uint64_t>(*t1sz), va_bits_min, l.va_bits, l.va_bits));
    l.runtime_va_bits = static_cast<unsigned>(64 - *t1sz);
  }
  l.table_va_bits = l.page_shift == 16 ? l.va_bits : l.runtime_va_bits;
  l.levels = arm64_table_levels(l.page_shift, l.table_va_bits);
  if (l.levels < 2 || l.levels > 5)
    return bad("NUMBER(VA_BITS)", fmt::format("{} with {} KiB pages gives {} table levels",
                                              l.table_va_bits, *page_size >> 10, l.levels));
  l.lpa2 = l.page_shift != 16 && l.runtime_va_bits == 52;

  l.kimage_voffset = static_cast<uint64_t>(VMCAP_TRY(info.require_number("kimage_voffset")));
  l.phys_offset = VMCAP_TRY(info.require_number("PHYS_OFFSET"));
  l.kernel_offset = info.kernel_offset().value_or(0);
  if (auto s = info.symbol("swapper_pg_dir")) l.swapper_pg_dir = untag(*s);

  // The flip came in 5.4. Without OSRELEASE, the image tells: it sits in the top half of
  // the kernel range on the flipped layout, in the bottom half before.
  const auto version = info.release_version();
  if (version) {
    l.flipped = *version >= KernelVersion{5, 4};
  } else if (l.swapper_pg_dir) {
    l.flipped = *l.swapper_pg_dir >= (~0ull << (l.va_bits - 1));
  }
  if (l.flipped) {
    l.page_offset = ~0ull << l.va_bits;
    l.page_end = ~0ull << (va_bits_min - 1);
    l.linear = {std::max(l.page_offset, l.kernel_va_start()), l.page_end};
  } else {
    l.page_offset = ~0ull << (l.va_bits - 1);
    l.page_end = 0;
    // Reachable only inside the running VA (a garbage T1SZ beside an old release).
    l.linear = {std::max(l.page_offset, l.kernel_va_start()), 0};
  }

  l.modules = stated_range(info, "MODULES_VADDR", "MODULES_END");
  l.vmalloc = stated_range(info, "VMALLOC_START", "VMALLOC_END");
  l.vmemmap_region = stated_range(info, "VMEMMAP_START", "VMEMMAP_END");
  if (auto sz = info.size("page"); sz && *sz >= 32 && *sz <= 256) l.struct_page_size = *sz;
  if (l.vmemmap_region) {
    // The kernel states the vmemmap of the configured VA_BITS' linear map. Run on fewer
    // bits (a 52-bit configuration on 48- or 47-bit hardware), the linear map is only the
    // top of that and so are its struct pages; 6.9+ gives the part below them to vmalloc
    // (VMALLOC_END = VMEMMAP_START + VMEMMAP_UNUSED_NPAGES * sizeof(struct page) - 8M),
    // and KASLR puts the image there about half the time (Debian's 6.12 folded to 48
    // bits). linear.start >= page_offset, so nothing wraps.
    const uint64_t unused = ((l.linear.start - l.page_offset) >> l.page_shift) * l.struct_page_size;
    if (unused < l.vmemmap_region->end - l.vmemmap_region->start) l.vmemmap_region->start += unused;
  }
  l.image = image_from_symbols(info, l);

  // Sparsemem.
  const unsigned struct_page_max_shift =
      static_cast<unsigned>(std::bit_width(l.struct_page_size - 1));  // order_base_2
  const bool before_5_12 = version && *version < KernelVersion{5, 12};
  if (auto n = info.number("SECTION_SIZE_BITS"); n && *n >= l.page_shift && *n <= 40) {
    l.section_size_bits = static_cast<unsigned>(*n);
  } else {
    // 30 until 5.12 cut it to 27 (29 with 64K pages); the key came in 5.13 (5.12.13).
    l.section_size_bits = before_5_12 ? 30 : l.page_shift == 16 ? 29 : 27;
    l.computed_keys.push_back("NUMBER(SECTION_SIZE_BITS)");
  }
  if (auto n = info.number("MAX_PHYSMEM_BITS"); n && *n >= 32 && *n <= 52) {
    l.max_physmem_bits = static_cast<unsigned>(*n);
  } else {
    // 52 with 64K pages built for 52 bits (LPA), or with LPA2 active (52-bit runtime VA);
    // otherwise 48. Seen in Debian's 6.12: 52 with LPA2, 48 on the same kernel folded to
    // 48 or 47 bits, the mem_section roots (LENGTH) sized to match.
    l.max_physmem_bits = (l.page_shift == 16 && l.va_bits == 52) || l.runtime_va_bits == 52 ? 52 : 48;
    l.computed_keys.push_back("NUMBER(MAX_PHYSMEM_BITS)");
  }
  if (auto n = info.number("VMEMMAP_START")) {
    l.vmemmap_start = static_cast<uint64_t>(*n);
  } else if (version && *version < KernelVersion{5, 18}) {
    const unsigned vmemmap_shift = l.page_shift - struct_page_max_shift;
    if (!l.flipped) {
      // VMEMMAP_START = PAGE_OFFSET - 2^(VA_BITS - PAGE_SHIFT - 1 + STRUCT_PAGE_MAX_SHIFT)
      l.vmemmap_start = l.page_offset - (1ull << (l.va_bits - 1 - vmemmap_shift));
    } else if (*version < KernelVersion{5, 11}) {
      // -VMEMMAP_SIZE - 2M, VMEMMAP_SIZE = (PAGE_END - PAGE_OFFSET) >> VMEMMAP_SHIFT
      l.vmemmap_start = 0 - ((l.page_end - l.page_offset) >> vmemmap_shift) - kSz2M;
    } else {
      // 5.11 made vmemmap a projection of the linear map: -2^(VA_BITS - VMEMMAP_SHIFT).
      l.vmemmap_start = ~0ull << (l.va_bits - vmemmap_shift);
    }
    l.computed_keys.push_back("NUMBER(VMEMMAP_START)");
  }
  if (auto v = info.symbol("vmemmap")) {
    l.vmemmap = *v;
  } else if (l.vmemmap_start) {
    // vmemmap = (struct page *)VMEMMAP_START - (memstart_addr >> PAGE_SHIFT), signed.
    const int64_t first_pfn = l.phys_offset >> l.page_shift;
    l.vmemmap = *l.vmemmap_start - static_cast<uint64_t>(first_pfn) * l.struct_page_size;
  }
  return l;
}

}  // namespace vmcap
