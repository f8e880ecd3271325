// The page filter on a synthetic kernel: struct pages laid out as 6.1 and 6.12 lay them
// out, reached through mem_section (all three forms) in a page-backed physical memory
// read through a direct map. Each makedumpfile rule has a page here.
#include "capture/filter/classify_pages.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "capture/filter/dump_level.h"
#include "capture/filter/page_rules.h"
#include "tests/filter/direct_map_memory.h"
#include "tests/translate/paged_physical_memory.h"

namespace vmcap {
namespace {

using testing::DirectMapMemory;
using testing::PagedPhysicalMemory;

constexpr uint64_t kDirect = 0xffff888000000000ull;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kPagesPerSection = 16;      // SECTION_SIZE_BITS 16
constexpr uint64_t kRamPages = 64;             // pfns 0..63: four sections
constexpr uint64_t kRootsPaddr = 0x200000;     // the root array (mem_section's value)
constexpr uint64_t kPointerPaddr = 0x1ff000;   // a variable holding the root array address
constexpr uint64_t kEntriesPaddr = 0x201000;   // root 0: mem_section entries
constexpr uint64_t kMemMapPaddr = 0x210000;    // struct pages of pfns 0..63
constexpr uint64_t kGarbageMap = 0xffffea7700000000ull;  // not mapped anywhere

enum class Kernel { V6_1, V6_12 };
enum class Form { Roots, PointerToRoots, Flat };

struct Flags {
  unsigned lru, priv, swapcache, swapbacked, hwpoison;
  uint64_t head_mask;
};
Flags flags_of(Kernel k) {
  return k == Kernel::V6_1 ? Flags{4, 13, 10, 19, 23, 65536} : Flags{5, 14, 10, 17, 20, 64};
}

std::string vmcoreinfo(Kernel k, Form f) {
  std::string s = "OSRELEASE=test\nPAGESIZE=4096\n";
  const uint64_t sym = f == Form::PointerToRoots ? kDirect + kPointerPaddr : kDirect + kRootsPaddr;
  char buf[64];
  std::snprintf(buf, sizeof buf, "SYMBOL(mem_section)=%llx\n", static_cast<unsigned long long>(sym));
  s += buf;
  // MAX_PHYSMEM_BITS 24: 256 sections; 4096/16 entries a root -> 1 root when EXTREME.
  s += f == Form::Flat ? "LENGTH(mem_section)=256\n" : "LENGTH(mem_section)=1\n";
  s += "SIZE(mem_section)=16\nOFFSET(mem_section.section_mem_map)=0\n"
       "NUMBER(SECTION_SIZE_BITS)=16\nNUMBER(MAX_PHYSMEM_BITS)=24\n"
       "SIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._refcount)=52\nOFFSET(page.mapping)=24\n"
       "OFFSET(page.lru)=8\nOFFSET(page._mapcount)=48\nOFFSET(page.private)=40\n"
       "OFFSET(page.compound_head)=8\nLENGTH(zone.free_area)=11\n";
  if (k == Kernel::V6_1) {
    s += "OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\n"
         "NUMBER(PG_lru)=4\nNUMBER(PG_private)=13\nNUMBER(PG_swapcache)=10\n"
         "NUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\nNUMBER(PG_hwpoison)=23\n"
         "NUMBER(PG_head_mask)=65536\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
         "NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n";
  } else {
    s += "NUMBER(PG_lru)=5\nNUMBER(PG_private)=14\nNUMBER(PG_swapcache)=10\n"
         "NUMBER(PG_swapbacked)=17\nNUMBER(PAGE_SLAB_MAPCOUNT_VALUE)=-184549376\n"
         "NUMBER(PG_hwpoison)=20\nNUMBER(PG_head_mask)=64\n"
         "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n"
         "NUMBER(PAGE_HUGETLB_MAPCOUNT_VALUE)=-201326592\n"
         "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-251658240\n";
  }
  return s;
}

std::string without(std::string text, const std::string& key) {
  auto at = text.find(key + "=");
  if (at == std::string::npos) return text;
  return text.erase(at, text.find('\n', at) + 1 - at);
}

// One struct page's words.
struct StructPage {
  uint64_t flags = 0, compound_head = 0, word16 = 0, mapping = 0, priv = 0;
  uint32_t mapcount = 0xffffffffu, refcount = 1;
};

class SyntheticKernel {
 public:
  SyntheticKernel(Kernel k, Form f) : kernel_(k), form_(f), fl_(flags_of(k)) {
    for (uint64_t pfn = 0; pfn < kRamPages; ++pfn) {
      std::string data(kPage, static_cast<char>(0xab));
      mem_.write(pfn * kPage, data);
    }
    build();
  }

  void build() {
    const uint64_t mem_map = kDirect + kMemMapPaddr;
    // Sections 0, 1: real; 2: garbage pointer; 3: absent (no flags). Metadata sections: 0.
    auto entry = [&](uint64_t nr) -> uint64_t {
      const uint64_t first = nr * kPagesPerSection;
      // The kernel stores the section's mem_map minus its first pfn (in struct pages).
      if (nr <= 1) return (mem_map + first * 64 - first * 64) | 3;
      if (nr == 2) return (kGarbageMap - first * 64) | 3;
      return 0;
    };
    if (form_ == Form::Flat) {
      // The entries themselves at the symbol (SPARSEMEM without EXTREME): 256 * 16 bytes.
      for (uint64_t nr = 0; nr < 256; ++nr) mem_.write_u64(kRootsPaddr + nr * 16, entry(nr));
    } else {
      mem_.write_u64(kRootsPaddr, kDirect + kEntriesPaddr);
      for (uint64_t nr = 0; nr < 256; ++nr) mem_.write_u64(kEntriesPaddr + nr * 16, entry(nr));
      mem_.write_u64(kPointerPaddr, kDirect + kRootsPaddr);
    }
    // Pages with a flag bit at 1 << n.
    auto f = [](unsigned bit) { return uint64_t{1} << bit; };
    set(0, {});                                                 // kernel data
    set(1, {});                                                 // kernel page of zeros
    mem_.write(1 * kPage, std::string(kPage, '\0'));
    set(2, {.flags = f(fl_.lru), .mapping = kDirect + 0x5000});        // file cache
    set(3, {.flags = f(fl_.lru) | f(fl_.priv), .mapping = kDirect + 0x5000});  // + buffers
    set(4, {.flags = f(fl_.lru) | f(fl_.swapbacked), .mapping = kDirect + 0x6001});  // anon
    set(5, {.flags = f(fl_.lru) | f(fl_.swapbacked), .mapping = kDirect + 0x6003});  // KSM
    // Slab: the mapping word holds slab data with bit 0 set; not anonymous.
    if (kernel_ == Kernel::V6_1) set(6, {.flags = f(9), .mapping = kDirect + 0x7001});
    else set(6, {.mapping = kDirect + 0x7001, .mapcount = 0xf5000000u});
    set(7, {.flags = f(fl_.hwpoison)});
    set(8, {.priv = 2, .mapcount = buddy()});                   // free block 8..11
    set(9, {.flags = f(fl_.lru) | f(fl_.swapbacked), .mapping = kDirect + 0x6001});  // stale
    set(12, {.mapcount = kernel_ == Kernel::V6_1 ? 0xfffffeffu : 0xf1000000u});  // offline
    set(13, {.priv = 40, .mapcount = buddy()});                 // invalid order: keep
    set(14, {.flags = f(fl_.swapcache) | f(fl_.swapbacked), .mapping = kDirect + 0x5000});
    set(15, {.mapcount = kernel_ == Kernel::V6_1 ? 0xfffffdffu : 0xf2000000u});  // page table
    // Anonymous THP of order 3 at 16..23.
    set(16, {.flags = fl_.head_mask | f(fl_.lru) | f(fl_.swapbacked), .mapping = kDirect + 0x6001});
    for (uint64_t t = 17; t < 24; ++t) set(t, {.compound_head = page_addr(16) | 1, .mapping = 0x400});
    set_order(17, 3);
    // Hugetlb of order 3 at 24..31 (not anonymous: a hugetlbfs file).
    StructPage h{.flags = fl_.head_mask, .mapping = kDirect + 0x8000};
    if (kernel_ == Kernel::V6_12) h.mapcount = 0xf4000000u;
    set(24, h);
    for (uint64_t t = 25; t < 32; ++t) set(t, {.compound_head = page_addr(24) | 1, .mapping = 0x400});
    set_order(25, 3);
    if (kernel_ == Kernel::V6_1) mem_.write(kMemMapPaddr + 25 * 64 + 16, std::string(1, '\2'));
    // Section 2 (garbage map): one zero page still goes as zero.
    mem_.write(33 * kPage, std::string(kPage, '\0'));
  }

  uint32_t buddy() const { return kernel_ == Kernel::V6_1 ? 0xffffff7fu : 0xf0000000u; }
  static uint64_t page_addr(uint64_t pfn) { return kDirect + kMemMapPaddr + pfn * 64; }

  void set(uint64_t pfn, StructPage p) {
    const uint64_t a = kMemMapPaddr + pfn * 64;
    mem_.write_u64(a + 0, p.flags);
    mem_.write_u64(a + 8, p.compound_head);
    mem_.write_u64(a + 16, p.word16);
    mem_.write_u64(a + 24, p.mapping);
    mem_.write_u64(a + 40, p.priv);
    mem_.write_u32(a + 48, p.mapcount);
    mem_.write_u32(a + 52, p.refcount);
  }
  // The compound order as the kernel keeps it in page[1].
  void set_order(uint64_t first_tail, uint8_t order) {
    const uint64_t a = kMemMapPaddr + first_tail * 64;
    if (kernel_ == Kernel::V6_1) {
      mem_.write(a + 17, std::string(1, static_cast<char>(order)));
    } else {
      uint64_t flags = order;  // folio._flags_1 low byte
      mem_.write_u64(a, flags);
    }
  }

  PagedPhysicalMemory& memory() { return mem_; }
  std::string info_text() const { return vmcoreinfo(kernel_, form_); }

 private:
  Kernel kernel_;
  Form form_;
  Flags fl_;
  PagedPhysicalMemory mem_;
};

// Records every pfn's category.
class Recorder : public PageCategorySink {
 public:
  void pages(uint64_t first, uint64_t count, PageCategory c) override {
    for (uint64_t p = first; p < first + count; ++p) {
      EXPECT_TRUE(by_pfn.emplace(p, c).second) << "pfn " << p << " reported twice";
      EXPECT_GE(p, last_end) << "out of order";
    }
    last_end = first + count;
  }
  std::map<uint64_t, PageCategory> by_pfn;
  uint64_t last_end = 0;
};

struct Outcome {
  FilterResult result;
  std::map<uint64_t, PageCategory> cats;
};

Outcome run(SyntheticKernel& k, int level, const std::string& info_text) {
  auto info = VmcoreInfo::parse(info_text);
  EXPECT_TRUE(info) << info.error().message();
  DirectMapMemory vm(k.memory(), kDirect);
  Recorder rec;
  auto r = classify_pages(*info, vm, k.memory(), FilterOptions{level, &rec});
  EXPECT_TRUE(r) << r.error().message();
  if (!r) return {};
  return {std::move(*r), rec.by_pfn};
}

using C = PageCategory;

std::vector<C> expected_at_31(Kernel) {
  std::vector<C> e(kRamPages, C::Kept);
  e[1] = C::Zero;
  e[2] = C::Cache;
  e[3] = C::CachePrivate;
  e[4] = e[5] = C::User;
  e[7] = C::HwPoison;
  for (int p = 8; p < 12; ++p) e[p] = C::Free;
  e[12] = C::Offline;
  e[14] = C::Cache;
  for (int p = 16; p < 32; ++p) e[p] = C::User;
  e[33] = C::Zero;
  return e;
}

class ClassifyPages : public ::testing::TestWithParam<std::tuple<Kernel, Form>> {};

TEST_P(ClassifyPages, EveryRuleAtLevel31) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  Outcome r = run(k, 31, k.info_text());
  const auto e = expected_at_31(kernel);
  for (uint64_t pfn = 0; pfn < kRamPages; ++pfn) {
    ASSERT_TRUE(r.cats.count(pfn)) << pfn;
    EXPECT_EQ(page_category_name(r.cats[pfn]), page_category_name(e[pfn])) << "pfn " << pfn;
    EXPECT_EQ(r.result.keep.test(pfn), e[pfn] == C::Kept) << "pfn " << pfn;
  }
  const FilterCounts& c = r.result.counts;
  EXPECT_EQ(c.invalid_free_order, 1u);
  EXPECT_EQ(c.unreadable_struct_page, 16u);  // the garbage section
  EXPECT_GE(c.no_mem_map, 16u);              // the absent section (and the metadata pages)
  EXPECT_EQ(c.of(C::Free), 4u);
  EXPECT_EQ(c.of(C::User), 18u);
  EXPECT_EQ(c.total, k.memory().page_count());
  EXPECT_EQ(c.kept, r.result.keep.count());
  EXPECT_TRUE(r.result.skipped.empty()) << r.result.skipped[0].rule;
  // One warning for the garbage section, one for the invalid buddy order.
  ASSERT_EQ(r.result.warnings.size(), 2u) << format_filter_summary(r.result);
  EXPECT_NE(r.result.warnings[0].find("pfn 0xd: buddy page with invalid order"), std::string::npos)
      << r.result.warnings[0];
  EXPECT_NE(r.result.warnings[1].find("section 2 (pfn 0x20): mem_map at 0xffffea7700000000"),
            std::string::npos)
      << r.result.warnings[1];
  const std::string summary = format_filter_summary(r.result);
  EXPECT_NE(summary.find("excluded: zero 2, cache 2, cache_private 1, user 18, free 4, hwpoison 1, "
                         "offline 1"),
            std::string::npos)
      << summary;
}

TEST_P(ClassifyPages, EachLevelBitAlone) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  const auto full = expected_at_31(kernel);
  const std::map<C, int> bit = {{C::Zero, 1}, {C::Cache, 2 | 4}, {C::CachePrivate, 4},
                                {C::User, 8}, {C::Free, 16}};
  for (int level : {0, 1, 2, 4, 8, 16}) {
    SCOPED_TRACE("level " + std::to_string(level));
    Outcome r = run(k, level, k.info_text());
    for (uint64_t pfn = 0; pfn < kRamPages; ++pfn) {
      C want = full[pfn];
      if (want == C::CachePrivate && level == 2) want = C::Kept;
      else if (auto it = bit.find(want); it != bit.end() && !(it->second & level)) want = C::Kept;
      // Inside the free block a stale anonymous struct page: without bit 16 it decides alone.
      if (pfn == 9 && !(level & 16)) want = level & 8 ? C::User : C::Kept;
      EXPECT_EQ(page_category_name(r.cats[pfn]), page_category_name(want)) << "pfn " << pfn;
    }
  }
}

TEST_P(ClassifyPages, MissingKeysSkipRulesAndKeepPages) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  Outcome r = run(k, 31, without(k.info_text(), "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)"));
  ASSERT_FALSE(r.result.skipped.empty());
  EXPECT_EQ(r.result.skipped[0].rule, "free pages");
  EXPECT_EQ(r.result.skipped[0].key, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)");
  for (int p = 8; p < 12; ++p) EXPECT_NE(r.cats[p], C::Free) << p;
  EXPECT_EQ(r.cats[2], C::Cache);  // other rules still apply
  EXPECT_NE(format_filter_summary(r.result).find("rules skipped: free pages (missing "
                                                 "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE))"),
            std::string::npos);

  r = run(k, 31, without(k.info_text(), "NUMBER(PG_lru)"));
  ASSERT_FALSE(r.result.skipped.empty());
  EXPECT_EQ(r.result.skipped[0].key, "NUMBER(PG_lru)");
  EXPECT_EQ(r.cats[2], C::Kept);
  EXPECT_EQ(r.cats[14], C::Kept);
  EXPECT_EQ(r.cats[4], C::User);

  r = run(k, 31, without(k.info_text(), "NUMBER(PG_head_mask)"));
  ASSERT_GE(r.result.skipped.size(), 2u);
  EXPECT_EQ(r.result.skipped[0].rule, "compound pages as a whole");
  EXPECT_EQ(r.cats[16], C::User);  // the anonymous head alone
  EXPECT_EQ(r.cats[17], C::Kept);  // its tails are kept when in doubt
  EXPECT_EQ(r.cats[24], C::Kept);  // hugetlb unknown

  r = run(k, 31, without(k.info_text(), "SYMBOL(mem_section)"));
  ASSERT_EQ(r.result.skipped.size(), 1u);
  EXPECT_EQ(r.result.skipped[0].key, "SYMBOL(mem_section)");
  for (uint64_t p = 0; p < kRamPages; ++p)
    EXPECT_EQ(r.cats[p], p == 1 || p == 33 ? C::Zero : C::Kept) << p;  // only the zero rule
}

TEST_P(ClassifyPages, StructPagesMissingFromTheDumpKeepTheirPages) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  // The mem_map page holds pfns 0..63's struct pages: drop it.
  k.memory().drop_page(kMemMapPaddr);
  Outcome r = run(k, 31, k.info_text());
  for (uint64_t p = 0; p < 32; ++p)
    EXPECT_EQ(r.cats[p], p == 1 ? C::Zero : C::Kept) << p;
  EXPECT_GT(r.result.warnings.size(), 0u);
}

// A buddy page claiming an order LENGTH(zone.free_area) cannot give: with a garbage
// LENGTH (64) the default 11 orders stand, so order 20 at pfn 0 is kept, and nothing after it
// is excluded with it.
TEST_P(ClassifyPages, ImpossibleBuddyOrderKeepsThePageAndWhatFollows) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  k.set(0, {.priv = 20, .mapcount = k.buddy()});
  const std::string info = without(k.info_text(), "LENGTH(zone.free_area)") + "LENGTH(zone.free_area)=64\n";
  Outcome r = run(k, 31, info);
  const auto e = expected_at_31(kernel);
  for (uint64_t pfn = 0; pfn < kRamPages; ++pfn)
    EXPECT_EQ(page_category_name(r.cats[pfn]), page_category_name(e[pfn])) << "pfn " << pfn;
  EXPECT_EQ(r.result.counts.invalid_free_order, 2u);  // pfn 0 and pfn 13
  ASSERT_FALSE(r.result.skipped.empty());
  EXPECT_EQ(r.result.skipped[0].key, "LENGTH(zone.free_area) (implausible)");
}

// A free block never spans more than a memory section (16 pages here): order 4 at pfn 0
// is a whole section and excluded; order 5 is garbage and kept.
TEST_P(ClassifyPages, BuddyBlockAtMostOneSection) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  k.set(0, {.priv = 4, .mapcount = k.buddy()});
  Outcome r = run(k, 31, k.info_text());
  for (uint64_t pfn = 0; pfn < 16; ++pfn) EXPECT_EQ(r.cats[pfn], C::Free) << pfn;
  EXPECT_EQ(r.cats[16], C::User);

  k.set(0, {.priv = 5, .mapcount = k.buddy()});
  r = run(k, 31, k.info_text());
  const auto e = expected_at_31(kernel);
  for (uint64_t pfn = 0; pfn < kRamPages; ++pfn)
    EXPECT_EQ(page_category_name(r.cats[pfn]), page_category_name(e[pfn])) << "pfn " << pfn;
  EXPECT_EQ(r.result.counts.invalid_free_order, 2u);
}

// The free block 8..11 with pfn 10 missing from the dump: the block's decision stops at the
// end of the range 0..9; pfn 11 (a range of its own) is decided by its own struct page.
TEST_P(ClassifyPages, FreeBlockStopsAtTheEndOfItsMemoryRange) {
  auto [kernel, form] = GetParam();
  SyntheticKernel k(kernel, form);
  k.memory().drop_page(10 * kPage);
  Outcome r = run(k, 31, k.info_text());
  EXPECT_EQ(r.cats[8], C::Free);
  EXPECT_EQ(r.cats[9], C::Free);
  EXPECT_EQ(r.cats.count(10), 0u);
  EXPECT_EQ(r.cats[11], C::Kept);
  EXPECT_TRUE(r.result.keep.test(11));
}

// A compound head claiming an order no page has (above 1 GiB, or misaligned for its pfn) is
// kept with its tails; order 18 (1 GiB) is a page, whose run stops at the range's end.
TEST_P(ClassifyPages, CompoundOrdersUpToAGigabytePage) {
  auto [kernel, form] = GetParam();
  const Flags fl = flags_of(kernel);
  const StructPage anon_head{.flags = fl.head_mask | (uint64_t{1} << fl.lru) | (uint64_t{1} << fl.swapbacked),
                             .mapping = kDirect + 0x6001};
  {
    SyntheticKernel k(kernel, form);
    k.set(0, anon_head);
    k.set(1, {.compound_head = SyntheticKernel::page_addr(0) | 1});
    k.set_order(1, 19);
    Outcome r = run(k, 31, k.info_text());
    auto e = expected_at_31(kernel);
    for (uint64_t pfn = 0; pfn < kRamPages; ++pfn)
      EXPECT_EQ(page_category_name(r.cats[pfn]), page_category_name(e[pfn])) << "pfn " << pfn;
    EXPECT_EQ(r.result.counts.invalid_compound_order, 1u);
    EXPECT_NE(format_filter_summary(r.result).find("1 with invalid compound order"), std::string::npos);
  }
  {
    // The THP at 16 claims order 5: 16 is not a multiple of 32.
    SyntheticKernel k(kernel, form);
    k.set_order(17, 5);
    Outcome r = run(k, 31, k.info_text());
    for (uint64_t pfn = 16; pfn < 24; ++pfn) EXPECT_EQ(r.cats[pfn], C::Kept) << pfn;
    EXPECT_EQ(r.result.counts.invalid_compound_order, 1u);
  }
  {
    SyntheticKernel k(kernel, form);
    k.set(0, anon_head);
    k.set(1, {.compound_head = SyntheticKernel::page_addr(0) | 1});
    k.set_order(1, 18);
    Outcome r = run(k, 31, k.info_text());
    for (uint64_t pfn = 0; pfn < kRamPages; ++pfn) EXPECT_EQ(r.cats[pfn], C::User) << pfn;
    // Past pfn 63 the dump holds the tables (mem_section, mem_map): their own decisions.
    ASSERT_GT(r.cats.size(), kRamPages);
    for (auto [pfn, c] : r.cats)
      if (pfn >= kRamPages) EXPECT_NE(c, C::User) << pfn;
    EXPECT_EQ(r.result.counts.invalid_compound_order, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Kernels, ClassifyPages,
    ::testing::Combine(::testing::Values(Kernel::V6_1, Kernel::V6_12),
                       ::testing::Values(Form::Roots, Form::PointerToRoots, Form::Flat)),
    [](const auto& info) {
      const Kernel k = std::get<0>(info.param);
      const Form f = std::get<1>(info.param);
      return std::string(k == Kernel::V6_1 ? "v6_1" : "v6_12") + "_" +
             (f == Form::Roots ? "roots" : f == Form::PointerToRoots ? "pointer" : "flat");
    });

TEST(ClassifyPagesArgs, BadLevelAndPageSize) {
  PagedPhysicalMemory mem;
  DirectMapMemory vm(mem, kDirect);
  auto info = VmcoreInfo::parse("PAGESIZE=4096\n");
  ASSERT_TRUE(info);
  EXPECT_EQ(classify_pages(*info, vm, mem, {32, nullptr}).error().kind, ErrorKind::Usage);
  EXPECT_EQ(classify_pages(*info, vm, mem, {-1, nullptr}).error().kind, ErrorKind::Usage);
  auto none = VmcoreInfo::parse("OSRELEASE=x\n");
  EXPECT_EQ(classify_pages(*none, vm, mem, {31, nullptr}).error().kind, ErrorKind::Missing);
}

// A physical range far beyond any machine (a corrupted p_paddr) is refused before a bitmap
// is sized for it: the bitmap limit is 2^33 pfns (1 GiB), as the kdump reader's and writers'.
class RangesOnly final : public PhysicalMemory {
 public:
  explicit RangesOnly(std::vector<PhysRange> r) : ranges_(std::move(r)) {}
  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Result<void> read(uint64_t paddr, std::span<std::byte>) const override {
    return make_error(ErrorKind::Hole, {}, paddr, "no bytes");
  }

 private:
  std::vector<PhysRange> ranges_;
};

TEST(ClassifyPagesArgs, MemoryBeyondTheBitmapLimitIsRefused) {
  EXPECT_EQ(kMaxBitmapPfns, uint64_t{1} << 33);
  auto info = VmcoreInfo::parse("PAGESIZE=4096\n");
  ASSERT_TRUE(info);
  PagedPhysicalMemory empty;
  DirectMapMemory vm(empty, kDirect);
  for (const uint64_t start : {uint64_t{1} << 50, (kMaxBitmapPfns << 12) - 4096}) {
    RangesOnly mem({{0, 4096}, {start, 8192}});  // the second one ends a page past the limit or far beyond
    auto r = classify_pages(*info, vm, mem, {31, nullptr});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Limit);
    EXPECT_EQ(r.error().offset, start);
    EXPECT_NE(r.error().reason.find(fmt::format("range {:#x}-{:#x} ends beyond pfn 0x200000000", start,
                                                start + 8192)),
              std::string::npos)
        << r.error().reason;
    EXPECT_NE(r.error().reason.find("1 GiB"), std::string::npos) << r.error().reason;
  }
}

// decide_page on its own: a head's order at the 1 GiB edge, one past, and misaligned.
TEST(DecidePage, CompoundOrderEdge) {
  for (Kernel kernel : {Kernel::V6_1, Kernel::V6_12}) {
    SCOPED_TRACE(kernel == Kernel::V6_1 ? "6.1" : "6.12");
    auto info = VmcoreInfo::parse(vmcoreinfo(kernel, Form::Roots));
    ASSERT_TRUE(info);
    std::vector<SkippedRule> skipped;
    const StructPageLayout l = read_struct_page_layout(*info, 31, skipped);
    ASSERT_TRUE(l.compound_rule);
    const Flags fl = flags_of(kernel);
    std::array<std::byte, 64> head{}, next{};
    auto put = [](std::array<std::byte, 64>& a, size_t at, uint64_t v) { std::memcpy(a.data() + at, &v, 8); };
    put(head, 0, fl.head_mask | (uint64_t{1} << fl.lru) | (uint64_t{1} << fl.swapbacked));
    put(head, 24, kDirect + 0x6001);  // anonymous
    put(head, 48, 0xffffffffu);       // _mapcount -1, _refcount 0
    auto order_in = [&](uint8_t order) {
      next = {};
      if (kernel == Kernel::V6_1) next[17] = std::byte(order);
      else next[0] = std::byte(order);
    };
    order_in(18);
    PageDecision d = decide_page(l, 31, uint64_t{1} << 18, head, next);
    EXPECT_EQ(d.category, C::User);
    EXPECT_EQ(d.pages, uint64_t{1} << 18);
    EXPECT_FALSE(d.invalid_compound_order);
    order_in(19);
    d = decide_page(l, 31, uint64_t{1} << 19, head, next);
    EXPECT_EQ(d.category, C::Kept);
    EXPECT_EQ(d.pages, 1u);
    EXPECT_TRUE(d.invalid_compound_order);
    order_in(3);
    d = decide_page(l, 31, 4, head, next);  // pfn 4 cannot start an 8-page block
    EXPECT_EQ(d.category, C::Kept);
    EXPECT_TRUE(d.invalid_compound_order);
  }
}

// Offsets from VMCOREINFO are 64-bit and may be garbage: one near 2^64 must not wrap around
// the "inside SIZE(page)" check (2^64 - 8 + 8 is 0).
TEST(StructPageLayout, OffsetsNearTwoToThe64DoNotWrap) {
  const std::string base = vmcoreinfo(Kernel::V6_1, Form::Roots);
  auto layout = [](const std::string& text, std::vector<SkippedRule>& skipped) {
    auto info = VmcoreInfo::parse(text);
    EXPECT_TRUE(info);
    return read_struct_page_layout(*info, 31, skipped);
  };
  std::vector<SkippedRule> skipped;
  StructPageLayout l = layout(without(base, "OFFSET(page.flags)") + "OFFSET(page.flags)=18446744073709551608\n", skipped);
  EXPECT_FALSE(l.usable);
  ASSERT_FALSE(skipped.empty());
  EXPECT_EQ(skipped[0].key, "OFFSET(page.flags) (outside SIZE(page))");

  skipped.clear();
  l = layout(without(base, "OFFSET(page.private)") + "OFFSET(page.private)=18446744073709551612\n", skipped);
  EXPECT_TRUE(l.usable);
  EXPECT_FALSE(l.private_);
  EXPECT_FALSE(l.free_rule);
  skipped.clear();
  l = layout(without(base, "OFFSET(page._mapcount)") + "OFFSET(page._mapcount)=18446744073709551614\n", skipped);
  EXPECT_FALSE(l.mapcount);
  // The edge: a word ending exactly at SIZE(page) (64) fits, one byte further does not.
  l = layout(without(base, "OFFSET(page.private)") + "OFFSET(page.private)=56\n", skipped);
  EXPECT_EQ(l.private_, 56u);
  l = layout(without(base, "OFFSET(page.private)") + "OFFSET(page.private)=57\n", skipped);
  EXPECT_FALSE(l.private_);
}

// The same for mem_section's member: a garbage offset makes the section map implausible.
TEST(StructPageLayout, MemSectionOffsetNearTwoToThe64IsImplausible) {
  SyntheticKernel k(Kernel::V6_1, Form::Roots);
  const std::string info = without(k.info_text(), "OFFSET(mem_section.section_mem_map)") +
                           "OFFSET(mem_section.section_mem_map)=18446744073709551612\n";
  Outcome r = run(k, 31, info);
  ASSERT_FALSE(r.result.skipped.empty());
  EXPECT_EQ(r.result.skipped[0].key, "implausible SECTION_SIZE_BITS/MAX_PHYSMEM_BITS/SIZE(mem_section)");
  for (uint64_t p = 0; p < kRamPages; ++p)
    EXPECT_EQ(r.cats[p], p == 1 || p == 33 ? C::Zero : C::Kept) << p;
}

// LENGTH(zone.free_area) up to 16 orders is believed; beyond, x86_64's 11 stand.
TEST(StructPageLayout, FreeAreaLengthEdge) {
  const std::string base = without(vmcoreinfo(Kernel::V6_12, Form::Roots), "LENGTH(zone.free_area)");
  for (auto [length, want] : {std::pair<uint64_t, uint64_t>{16, 16}, {17, 11}, {64, 11}, {1, 1}, {0, 11}}) {
    std::vector<SkippedRule> skipped;
    auto info = VmcoreInfo::parse(base + "LENGTH(zone.free_area)=" + std::to_string(length) + "\n");
    ASSERT_TRUE(info);
    const StructPageLayout l = read_struct_page_layout(*info, 31, skipped);
    EXPECT_EQ(l.free_order_limit, want) << length;
    EXPECT_EQ(skipped.empty(), length == want) << length;
  }
}

TEST(PageTypeValue, BothEncodings) {
  // 6.1: ~PG_buddy under base 0xf0000000.
  PageTypeValue b61{static_cast<uint32_t>(-129)};
  EXPECT_TRUE(b61.matches(0xffffff7fu));
  EXPECT_FALSE(b61.matches(0xffffffffu));  // untyped, unmapped
  EXPECT_FALSE(b61.matches(0u));           // mapped once
  EXPECT_FALSE(b61.matches(0xfffffdffu));  // page table
  // 6.12: the type in the top byte; the low 24 bits are the owner's.
  PageTypeValue b612{0xf0000000u};
  EXPECT_TRUE(b612.matches(0xf0000000u));
  EXPECT_TRUE(b612.matches(0xf0001234u));
  EXPECT_FALSE(b612.matches(0xf1000000u));
  EXPECT_FALSE(b612.matches(0xffffffffu));
  // Before 4.18: the map count value itself.
  PageTypeValue old{static_cast<uint32_t>(-128)};
  EXPECT_TRUE(old.matches(0xffffff80u));
  EXPECT_FALSE(old.matches(0xffffff7fu));
}

}  // namespace
}  // namespace vmcap
