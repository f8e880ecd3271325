#include "capture/filter/page_rules.h"

#include <bit>

#include "capture/filter/dump_level.h"
#include "elf/byte_order.h"

namespace vmcap {
namespace {

bool bit(uint64_t flags, const std::optional<uint64_t>& nr) {
  return nr && ((flags >> *nr) & 1);
}

constexpr uint64_t kMappingAnon = 1;  // PAGE_MAPPING_ANON (KSM pages set it too: 3)

// Orders up to a 1 GiB page (18 with 4 KiB pages): beyond is garbage.
uint64_t max_compound_order(uint64_t page_size) {
  const auto shift = static_cast<uint64_t>(std::countr_zero(page_size));
  return shift < kMaxCompoundPageShift ? kMaxCompoundPageShift - shift : 0;
}

}  // namespace

PageDecision decide_page(const StructPageLayout& l, int level, uint64_t pfn,
                         std::span<const std::byte> page, std::span<const std::byte> next) {
  PageDecision d;
  if (!l.usable || page.size() < l.size) return d;
  const uint64_t flags = load_le64(page, l.flags);
  const uint64_t mapping = load_le64(page, l.mapping);
  const uint32_t mapcount = l.mapcount ? load_le32(page, *l.mapcount) : 0xffffffffu;
  const uint64_t priv = l.private_ ? load_le64(page, *l.private_) : 0;

  // Tails: compound_head holds the head's address | 1. The head's range decides for them.
  if (l.compound_rule && (load_le64(page, *l.compound_head) & 1)) {
    d.tail = true;
    return d;
  }
  const bool slab = bit(flags, l.pg_slab) || (l.slab_type && l.mapcount && l.slab_type->matches(mapcount));
  // 6.2+ slab pages reuse the mapping word: bit 0 there is not PAGE_MAPPING_ANON.
  const bool anon = !slab && (mapping & kMappingAnon);

  uint64_t order = 0;
  bool hugetlb = false;
  if (l.compound_rule && (flags & *l.head_mask) && next.size() >= l.size) {
    if (l.order_in_flags_1) order = load_le64(next, l.flags) & 0xff;
    else order = static_cast<uint8_t>(next[*l.compound_order]);
    if (l.hugetlb_rule) {
      if (l.hugetlb_type && l.mapcount) hugetlb = l.hugetlb_type->matches(mapcount);
      else if (l.pg_hugetlb) hugetlb = bit(load_le64(next, l.flags), l.pg_hugetlb);
      else hugetlb = static_cast<uint8_t>(next[*l.compound_dtor]) == *l.hugetlb_dtor;
    }
    // A compound page is aligned to its size and at most 1 GiB. A head claiming anything
    // else is garbage: keep it (its tails are kept too) rather than guess what it covers.
    if (order > max_compound_order(l.page_size) || (pfn & ((uint64_t{1} << order) - 1)) != 0) {
      d.invalid_compound_order = true;
      return d;
    }
  }
  d.pages = uint64_t{1} << order;

  const bool lru = bit(flags, l.pg_lru);
  // PG_swapcache means swap cache only with PG_swapbacked (or before PG_swapbacked existed).
  const bool swapcache = bit(flags, l.pg_swapcache) && (!l.pg_swapbacked || bit(flags, l.pg_swapbacked));
  const bool cache = l.cache_rule && (lru || swapcache) && !anon;
  const bool priv_flag = bit(flags, l.pg_private);

  if ((level & kExcludeFree) && l.free_rule && !slab && l.buddy->matches(mapcount)) {
    // The buddy order lives in private; out of range (or misaligned) means garbage: keep.
    if (priv >= l.free_order_limit || (pfn & ((uint64_t{1} << priv) - 1)) != 0) {
      d.invalid_free_order = true;
      d.pages = 1;
      return d;
    }
    d.category = PageCategory::Free;
    d.pages = uint64_t{1} << priv;
  } else if ((level & kExcludeCache) && l.cache_private_split && cache && !priv_flag) {
    d.category = PageCategory::Cache;
  } else if ((level & kExcludeCachePrivate) && cache) {
    d.category = priv_flag ? PageCategory::CachePrivate : PageCategory::Cache;
  } else if ((level & kExcludeUser) && (anon || hugetlb)) {
    d.category = PageCategory::User;
  } else if (l.hwpoison_rule && bit(flags, l.pg_hwpoison)) {
    d.category = PageCategory::HwPoison;
  } else if (l.offline_rule && !slab && l.offline->matches(mapcount)) {
    d.category = PageCategory::Offline;
  } else {
    d.pages = 1;  // kept: the tails that follow decide on their own (they are kept too)
  }
  return d;
}

}  // namespace vmcap
