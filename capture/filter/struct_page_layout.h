// How to read a struct page of this kernel: member offsets, flag bits and page-type
// values, all from VMCOREINFO. Where a key a rule needs is missing, the rule is recorded
// as skipped (it then excludes nothing: when in doubt, keep the page).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"

namespace vmcap {

// A rule the filter could not apply, and the VMCOREINFO key whose absence stopped it.
struct SkippedRule {
  std::string rule;  // "free pages", "hugetlb pages", ...
  std::string key;   // "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"
};

// A page type kept in the 32-bit _mapcount/page_type word. Two encodings exist:
// up to 6.11 the type is a cleared bit under a base (value = ~bit, e.g. buddy -129 or
// 0xbfffffff); from 6.12 the top byte holds the type (value = type << 24, 0xf0000000).
struct PageTypeValue {
  uint32_t value = 0;
  bool matches(uint32_t word) const {
    if ((value & 0x00ffffffu) == 0) return (word >> 24) == (value >> 24);
    // The type's bit is the one bit clear in value; a typed word has the top bit set
    // (an untyped word holds a small map count, -1 when unmapped) and that bit clear.
    // Before 4.18 the value itself was the map count (-128): compare it whole.
    const uint32_t bit = ~value;
    if (bit == 0 || (bit & (bit - 1)) != 0) return word == value;
    return (word & (0x80000000u | bit)) == 0x80000000u;
  }
};

// LENGTH(zone.free_area) (NR_PAGE_ORDERS, MAX_ORDER before 6.4) accepted up to this. The
// kernel keeps a free block inside one memory section (mmzone.h: MAX_PAGE_ORDER + PAGE_SHIFT
// <= SECTION_SIZE_BITS, 27 on x86_64 with 4 KiB pages: 15 + 1 orders); x86_64 itself has 11.
inline constexpr uint64_t kMaxFreeAreaLength = 16;
// The largest compound page: x86_64's 1 GiB gigantic page (order 18 with 4 KiB pages).
inline constexpr uint64_t kMaxCompoundPageShift = 30;

struct StructPageLayout {
  uint64_t page_size = 4096;
  // SIZE(page), OFFSET(page.flags), OFFSET(page.mapping): without them no struct page rule works.
  uint64_t size = 0, flags = 0, mapping = 0;
  bool usable = false;
  std::optional<uint64_t> mapcount, private_, compound_head, compound_order, compound_dtor;
  std::optional<uint64_t> pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab, pg_hwpoison,
      pg_hugetlb;
  std::optional<uint64_t> head_mask;  // NUMBER(PG_head_mask)
  std::optional<PageTypeValue> buddy, offline, slab_type, hugetlb_type;
  std::optional<uint64_t> hugetlb_dtor;  // NUMBER(HUGETLB_PAGE_DTOR), before 6.6
  // Compound order of a head page: in page[1] at compound_order (before 6.6), or the low
  // byte of page[1].flags (folio._flags_1, 6.6 and later: when PG_hugetlb or the hugetlb
  // page type is exported and compound_order is not).
  bool order_in_flags_1 = false;
  // Free block orders are below this (LENGTH(zone.free_area): MAX_ORDER / NR_PAGE_ORDERS;
  // 11, x86_64's, when the key is missing or above kMaxFreeAreaLength).
  uint64_t free_order_limit = 11;

  // Rule switches after looking at the keys.
  bool free_rule = false, cache_rule = false, cache_private_split = false, hugetlb_rule = false,
       compound_rule = false, hwpoison_rule = false, offline_rule = false;
};

// Reads the layout; rules that the given dump level uses (plus the always-on hwpoison and
// offline rules) and that lack keys are appended to `skipped`.
StructPageLayout read_struct_page_layout(const VmcoreInfo& info, int dump_level,
                                         std::vector<SkippedRule>& skipped);

}  // namespace vmcap
