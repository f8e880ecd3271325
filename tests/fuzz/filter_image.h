// The synthetic kernel the page classifier fuzz target filters, shared with the seed
// generator: a fixed VMCOREINFO (SPARSEMEM_EXTREME, 16 pages a section, 256 sections,
// 64-byte struct pages laid out as Debian 6.1 or 6.12 lay them out) and memory whose
// kernel structures are the input. Input: variant byte (bit 0: 6.12 keys, bit 1: no
// kernel memory mapped at all) | dump level byte | u64 zero-page mask | three u16 range sizes
// (dump RAM: [0, a) and [a + gap, a + gap + b), in 8-byte units, so pages may be partial) |
// mem_section root array (8 bytes) | root 0's entries (256 x 16 bytes) | struct pages of
// pfns 0..127 (128 x 64 bytes). Page data is not input: a page is zeros when its bit (pfn
// % 64) in the mask is set, else 0xab bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "tests/fuzz/printk_images.h"

namespace vmcap::fuzz::filter_image {

inline constexpr uint64_t kRoots = kHeap + 0x200000;    // SYMBOL(mem_section): the root array
inline constexpr uint64_t kEntries = kHeap + 0x201000;  // root 0
inline constexpr uint64_t kMemMap = 0xffffea0000000000ull;  // vmemmap: struct page of pfn 0
inline constexpr uint64_t kStructPage = 64, kMappedPfns = 128, kSectionPages = 16;
inline constexpr uint8_t kV6_12 = 1, kNoMemMap = 2;

inline std::string vmcoreinfo(bool v6_12) {
  std::string s = "OSRELEASE=fuzz\nPAGESIZE=4096\nSYMBOL(mem_section)=" + hex(kRoots) +
                  "\nLENGTH(mem_section)=1\nSIZE(mem_section)=16\n"
                  "OFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=16\n"
                  "NUMBER(MAX_PHYSMEM_BITS)=24\nSIZE(page)=64\nOFFSET(page.flags)=0\n"
                  "OFFSET(page._refcount)=52\nOFFSET(page.mapping)=24\nOFFSET(page.lru)=8\n"
                  "OFFSET(page._mapcount)=48\nOFFSET(page.private)=40\n"
                  "OFFSET(page.compound_head)=8\nLENGTH(zone.free_area)=11\n";
  if (!v6_12)
    return s + "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\n"
               "NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\nNUMBER(PG_swapcache)=10\n"
               "NUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=23\n"
               "NUMBER(PG_head_mask)=65536\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
               "NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";
  return s + "NUMBER(PG_lru)=5\nNUMBER(PG_private)=14\nNUMBER(PG_swapcache)=10\n"
             "NUMBER(PG_swapbacked)=17\nNUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
             "NUMBER(PG_hwpoison)=20\nNUMBER(PG_head_mask)=64\n"
             "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
             "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
             "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n";
}

// A well-formed input: 128 KiB of RAM in two ranges, every section mapped, struct pages of
// each kind the rules know (cache, buffers, anon, slab, buddy blocks, THP, hugetlb,
// hwpoison, offline).
inline std::vector<std::byte> seed_input(bool v6_12, int level) {
  std::vector<std::byte> in;
  auto put = [&](uint64_t v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) in.push_back(std::byte(v >> (8 * i)));
  };
  in.push_back(std::byte(v6_12 ? kV6_12 : 0));
  in.push_back(std::byte(level));
  put(0x0000000300000102ull, 8);           // zero pages: 1, 8, 32, 33
  put(96 * 4096 / 8, 2);                   // RAM [0, 96 pages)
  put(8 * 4096 / 8, 2);                    // a hole of 8 pages
  put(24 * 4096 / 8, 2);                   // RAM [104, 128 pages)
  put(kEntries, 8);
  for (uint64_t nr = 0; nr < 256; ++nr) {  // sections 0..7 present, with a mem_map
    put(nr < 8 ? kMemMap | 3 : 0, 8);
    put(0, 8);
  }
  const unsigned lru = v6_12 ? 5 : 4, priv = v6_12 ? 14 : 13, swapbacked = v6_12 ? 17 : 19,
                 hwpoison = v6_12 ? 20 : 23;
  const uint64_t head = v6_12 ? 64 : 65536;
  const uint32_t buddy = v6_12 ? 0xf0000000u : 0xffffff7fu;
  std::vector<std::byte> pages(kMappedPfns * kStructPage);
  auto set = [&](uint64_t pfn, uint64_t flags, uint64_t word8, uint64_t mapping, uint64_t priv_word,
                 uint32_t mapcount) {
    std::byte* p = pages.data() + pfn * kStructPage;
    std::memcpy(p, &flags, 8);
    std::memcpy(p + 8, &word8, 8);
    std::memcpy(p + 24, &mapping, 8);
    std::memcpy(p + 40, &priv_word, 8);
    std::memcpy(p + 48, &mapcount, 4);
  };
  for (uint64_t pfn = 0; pfn < kMappedPfns; ++pfn) set(pfn, 0, 0, 0, 0, 0xffffffffu);
  set(2, 1ull << lru, 0, kHeap + 0x5000, 0, ~0u);                                // cache
  set(3, 1ull << lru | 1ull << priv, 0, kHeap + 0x5000, 0, ~0u);                 // buffers
  set(4, 1ull << lru | 1ull << swapbacked, 0, kHeap + 0x6001, 0, ~0u);           // anon
  set(6, v6_12 ? 0 : 1ull << 9, 0, kHeap + 0x7001, 0, v6_12 ? 0xf5000000u : ~0u);  // slab
  set(7, 1ull << hwpoison, 0, 0, 0, ~0u);
  set(8, 0, 0, 0, 2, buddy);                                                     // free 8..11
  set(12, 0, 0, 0, 0, v6_12 ? 0xf1000000u : 0xfffffeffu);                        // offline
  set(13, 0, 0, 0, 40, buddy);                                                   // bad order
  set(16, head | 1ull << lru | 1ull << swapbacked, 0, kHeap + 0x6001, 0, ~0u);   // THP 16..23
  for (uint64_t t = 17; t < 24; ++t) set(t, t == 17 && v6_12 ? 3 : 0, (kMemMap + 16 * kStructPage) | 1, 0x400, 0, ~0u);
  if (!v6_12) pages[17 * kStructPage + 17] = std::byte(3);
  set(64, 0, 0, 0, 5, buddy);                                                    // free 64..95
  in.insert(in.end(), pages.begin(), pages.end());
  return in;
}

}  // namespace vmcap::fuzz::filter_image
