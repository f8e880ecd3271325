#include "capture/filter/struct_page_layout.h"

#include "capture/filter/dump_level.h"

namespace vmcap {
namespace {

std::optional<uint64_t> flag_bit(const VmcoreInfo& info, const char* name) {
  auto n = info.number(name);
  if (!n || *n < 0 || *n > 63) return std::nullopt;  // a bit of a 64-bit flags word
  return static_cast<uint64_t>(*n);
}

std::optional<PageTypeValue> page_type(const VmcoreInfo& info, const char* name) {
  auto n = info.number(name);
  if (!n) return std::nullopt;
  return PageTypeValue{static_cast<uint32_t>(*n)};
}

}  // namespace

StructPageLayout read_struct_page_layout(const VmcoreInfo& info, int dump_level,
                                         std::vector<SkippedRule>& skipped) {
  StructPageLayout l;
  if (auto ps = info.page_size()) l.page_size = *ps;
  auto size = info.size("page");
  auto flags = info.offset("page.flags");
  auto mapping = info.offset("page.mapping");
  // Offsets must leave room for the word read there (8 bytes; 4 for 32-bit members).
  // Written so that a garbage offset near 2^64 cannot wrap around and pass.
  auto fits = [&](std::optional<uint64_t> off, uint64_t width) {
    return off && size && *off <= *size && width <= *size - *off;
  };
  l.usable = size && *size >= 16 && *size <= 1024 && fits(flags, 8) && fits(mapping, 8);
  if (l.usable) {
    l.size = *size;
    l.flags = *flags;
    l.mapping = *mapping;
  }
  auto opt8 = [&](const char* key) -> std::optional<uint64_t> {
    auto o = info.offset(key);
    return fits(o, 8) ? o : std::nullopt;
  };
  auto opt4 = [&](const char* key) -> std::optional<uint64_t> {
    auto o = info.offset(key);
    return fits(o, 4) ? o : std::nullopt;
  };
  auto opt1 = [&](const char* key) -> std::optional<uint64_t> {
    auto o = info.offset(key);
    return fits(o, 1) ? o : std::nullopt;
  };
  l.mapcount = opt4("page._mapcount");
  l.private_ = opt8("page.private");
  l.compound_head = opt8("page.compound_head");
  l.compound_order = opt1("page.compound_order");
  l.compound_dtor = opt1("page.compound_dtor");
  l.pg_lru = flag_bit(info, "PG_lru");
  l.pg_private = flag_bit(info, "PG_private");
  l.pg_swapcache = flag_bit(info, "PG_swapcache");
  l.pg_swapbacked = flag_bit(info, "PG_swapbacked");
  l.pg_slab = flag_bit(info, "PG_slab");
  l.pg_hwpoison = flag_bit(info, "PG_hwpoison");
  l.pg_hugetlb = flag_bit(info, "PG_hugetlb");
  if (auto m = info.number("PG_head_mask"); m && *m > 0) l.head_mask = static_cast<uint64_t>(*m);
  l.buddy = page_type(info, "PAGE_BUDDY_MAPCOUNT_VALUE");
  l.offline = page_type(info, "PAGE_OFFLINE_MAPCOUNT_VALUE");
  l.slab_type = page_type(info, "PAGE_SLAB_MAPCOUNT_VALUE");
  l.hugetlb_type = page_type(info, "PAGE_HUGETLB_MAPCOUNT_VALUE");
  if (auto d = info.number("HUGETLB_PAGE_DTOR"); d && *d >= 0 && *d < 256)
    l.hugetlb_dtor = static_cast<uint64_t>(*d);
  // NR_PAGE_ORDERS (MAX_ORDER before 6.4); a larger value is garbage: the default stays.
  const auto free_area = info.length("zone.free_area");
  const bool free_area_ok = free_area && *free_area >= 1 && *free_area <= kMaxFreeAreaLength;
  if (free_area_ok) l.free_order_limit = *free_area;
  l.order_in_flags_1 = !l.compound_order && (l.pg_hugetlb || l.hugetlb_type);

  auto skip = [&](int level_bits, const char* rule, const std::string& key) {
    if (level_bits == 0 || (dump_level & level_bits)) skipped.push_back({rule, key});
  };
  const int struct_page_levels = kExcludeCache | kExcludeCachePrivate | kExcludeUser | kExcludeFree;
  if (!l.usable) {
    const char* key = !size ? "SIZE(page)" : !flags ? "OFFSET(page.flags)"
                      : !mapping ? "OFFSET(page.mapping)"
                      : *size < 16 || *size > 1024 ? "SIZE(page) (implausible)"
                      : !fits(flags, 8) ? "OFFSET(page.flags) (outside SIZE(page))"
                                        : "OFFSET(page.mapping) (outside SIZE(page))";
    if (dump_level & struct_page_levels) skipped.push_back({"every struct page rule", key});
    skipped.push_back({"hwpoison and offline pages", key});
    return l;
  }
  // Free: the buddy page type in _mapcount, the order in private.
  if (!l.buddy) skip(kExcludeFree, "free pages", "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
  else if (!l.mapcount) skip(kExcludeFree, "free pages", "OFFSET(page._mapcount)");
  else if (!l.private_) skip(kExcludeFree, "free pages", "OFFSET(page.private)");
  else l.free_rule = true;
  if (l.free_rule && !free_area_ok)
    skip(kExcludeFree, "free block orders above 10 (treated as invalid)",
         free_area ? "LENGTH(zone.free_area) (implausible)" : "LENGTH(zone.free_area)");
  // Cache: PG_lru; telling private from non-private needs PG_private.
  if (!l.pg_lru) skip(kExcludeCache | kExcludeCachePrivate, "page cache", "NUMBER(PG_lru)");
  else l.cache_rule = true;
  if (l.cache_rule && !l.pg_private) skip(kExcludeCache, "non-private page cache", "NUMBER(PG_private)");
  else l.cache_private_split = l.cache_rule;
  if (l.cache_rule && !l.pg_swapcache)
    skip(kExcludeCache | kExcludeCachePrivate, "swap cache pages off the LRU", "NUMBER(PG_swapcache)");
  // Compound pages: head flag, order in page[1], tails marked in compound_head.
  if (!l.head_mask) skip(kExcludeUser | kExcludeCache | kExcludeCachePrivate, "compound pages as a whole", "NUMBER(PG_head_mask)");
  else if (!l.compound_head) skip(kExcludeUser | kExcludeCache | kExcludeCachePrivate, "compound pages as a whole", "OFFSET(page.compound_head)");
  else if (!l.compound_order && !l.order_in_flags_1)
    skip(kExcludeUser | kExcludeCache | kExcludeCachePrivate, "compound pages as a whole", "OFFSET(page.compound_order)");
  else l.compound_rule = true;
  // Hugetlb: a head page with the hugetlb page type (6.9+), PG_hugetlb in page[1] (6.6+)
  // or the hugetlb destructor id in page[1] (before 6.6).
  if (!l.compound_rule) skip(kExcludeUser, "hugetlb pages", "compound page keys (above)");
  else if (l.hugetlb_type && l.mapcount) l.hugetlb_rule = true;
  else if (l.pg_hugetlb) l.hugetlb_rule = true;
  else if (l.compound_dtor && l.hugetlb_dtor) l.hugetlb_rule = true;
  else skip(kExcludeUser, "hugetlb pages",
            l.hugetlb_type ? "OFFSET(page._mapcount)"
            : l.compound_dtor ? "NUMBER(HUGETLB_PAGE_DTOR)" : "OFFSET(page.compound_dtor)");
  if (!l.pg_hwpoison) skip(0, "hwpoison pages", "NUMBER(PG_hwpoison)");
  else l.hwpoison_rule = true;
  if (!l.offline) skip(0, "offline pages", "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)");
  else if (!l.mapcount) skip(0, "offline pages", "OFFSET(page._mapcount)");
  else l.offline_rule = true;
  return l;
}

}  // namespace vmcap
