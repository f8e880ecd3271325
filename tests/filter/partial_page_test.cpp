// The one page makedumpfile 1.7.8 keeps and vmcap leaves out on the 3.5 GiB 6.1-big bench
// dump at -d 31: pfn 0x9f, the last page of x86's low RAM, which /proc/vmcore holds only in
// part (its PT_LOAD ends at 0x9fc00; 0x9fc00-0x9ffff is the BIOS's EBDA, reserved in e820).
// vmcap never keeps a page the dump holds only in part. makedumpfile's choice depends on its
// mode: non-cyclic (bitmaps in a file: on 6.1-big, whose -D output says "enough free memory
// to be done in one cycle", or with --work-dir) it counts a PT_LOAD's partial last page as
// RAM and writes it with the missing KiB zero-filled; cyclic (the CI dumps, max_mapnr
// 0x3ffdd: no such line there; or with --cyclic-buffer) it leaves it out, as vmcap does.
// The guest never used the page as RAM (x86 reserves the first MiB): its struct page is
// PG_reserved like its whole neighbour's, /proc/kpageflags said RESERVED, kpagecount 0.
// Pinned on the CI dumps that carry the guest's kpageflags, forcing each makedumpfile mode.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "capture/filter/classify_pages.h"
#include "capture/filter/mem_section_map.h"
#include "capture/filter/struct_page_layout.h"
#include "capture/translate/kernel_view.h"
#include "elf/byte_order.h"
#include "elf/open_dump.h"
#include "tests/filter/chroot_oracle_fixture.h"
#include "tests/filter/kpageflags_oracle.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

#ifndef VMCAP_FILTER_KPAGEFLAGS_TAGS
#define VMCAP_FILTER_KPAGEFLAGS_TAGS "6.1-filter"
#endif

namespace vmcap {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kKpfReserved = uint64_t{1} << 32;  // KPF_RESERVED

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

// What the crashed kernel's struct page of a pfn says (the fields makedumpfile looks at).
struct StructPage {
  uint64_t flags = 0, mapping = 0, compound_head = 0;
  uint32_t mapcount = 0;
};

class PartialPageTest : public testing::ChrootOracleTest {
 protected:
  void SetUp() override {
    ChrootOracleTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    for (const char* name : {"kdump.kpageflags", "kdump.kpagecount"}) {
      const std::string path = testing::test_vmcore_file(GetParam(), name);
      ASSERT_TRUE(std::filesystem::exists(path)) << path << " missing (a -filter tag saves it)";
    }
    auto f = testing::read_kpageflags(testing::test_vmcore_file(GetParam(), "kdump.kpageflags"));
    ASSERT_TRUE(f) << f.error().message();
    kpageflags_ = std::move(*f);
    // kpagecount has kpageflags' layout: 8 bytes a pfn.
    auto c = testing::read_kpageflags(testing::test_vmcore_file(GetParam(), "kdump.kpagecount"));
    ASSERT_TRUE(c) << c.error().message();
    kpagecount_ = std::move(*c);
    std::vector<SkippedRule> skipped;
    layout_ = read_struct_page_layout(kernel_->info, 31, skipped);
  }

  // Pfns some range of the dump covers without the whole page being readable.
  std::vector<uint64_t> partial_pfns() const {
    std::vector<uint64_t> out;
    std::vector<std::byte> page(kPage);
    for (const PhysRange& r : dump_->memory().ranges())
      for (uint64_t edge : {r.start, r.end()}) {
        if (edge % kPage == 0) continue;
        const uint64_t pfn = edge / kPage;
        if (!dump_->memory().read(pfn * kPage, page) &&
            (out.empty() || out.back() != pfn))
          out.push_back(pfn);
      }
    return out;
  }

  // makedumpfile 1.7.8 -d 31 with extra options; its two bitmaps, and the file.
  std::string makedumpfile(const std::string& name, const std::string& options) {
    const auto m = testing::chroot_makedumpfile(VMCAP_MAKEDUMPFILE_CHROOT_SCRIPT,
                                                VMCAP_MAKEDUMPFILE_CHROOT, "1.7.8");
    const std::string out = tmp_.file(name + ".kdump"), log = tmp_.file(name + ".log");
    const bool ok = testing::run_makedumpfile(m, "-l -d 31 " + options + " " + vmcore_ + " " + out, log);
    EXPECT_TRUE(ok) << "makedumpfile 1.7.8 " << options << ": " << testing::read_whole_file(log);
    return ok ? out : "";
  }

  std::optional<StructPage> struct_page(uint64_t pfn) const {
    std::vector<SkippedRule> skipped;
    const StructPageLayout& l = layout_;
    if (!l.usable || !l.mapcount || !l.compound_head) return std::nullopt;
    MemSectionMap map(kernel_->info, *kernel_->memory, l.size, skipped);
    std::string why;
    auto first = map.section_first_page(pfn >> map.pfn_section_shift(), why);
    if (!first) return std::nullopt;
    std::vector<std::byte> b(l.size);
    const uint64_t at = *first + (pfn & (map.pages_per_section() - 1)) * l.size;
    if (!kernel_->memory->read(at, b)) return std::nullopt;
    StructPage s;
    s.flags = load_le64(b, l.flags);
    s.mapping = load_le64(b, l.mapping);
    s.compound_head = load_le64(b, *l.compound_head);
    s.mapcount = load_le32(b, *l.mapcount);
    return s;
  }

  std::vector<uint64_t> kpageflags_, kpagecount_;
  StructPageLayout layout_;
};

TEST_P(PartialPageTest, OnlyNonCyclicMakedumpfileKeepsThePartialLowMemoryPage) {
  // The dump: x86's low RAM range ends inside pfn 0x9f (at 0x9fc00), and that is the only
  // page held in part.
  const std::vector<uint64_t> partial = partial_pfns();
  ASSERT_EQ(partial.size(), 1u) << "partial pages of " << vmcore_;
  const uint64_t pfn = partial[0];
  EXPECT_EQ(pfn, 0x9fu);

  // vmcap leaves it out and says so; its whole neighbour, like every reserved page, stays.
  auto ours = classify_pages(kernel_->info, *kernel_->memory, dump_->memory(),
                             FilterOptions{.dump_level = 31 & ~1});
  ASSERT_TRUE(ours) << ours.error().message();
  EXPECT_FALSE(ours->keep.test(pfn));
  EXPECT_TRUE(ours->keep.test(pfn - 1));
  EXPECT_EQ(ours->counts.partial_pages, 1u);

  // makedumpfile cyclic (a buffer given: never switched to one non-cyclic pass) leaves it
  // out too and keeps exactly vmcap's pages.
  const std::string cyclic = makedumpfile("cyclic", "--cyclic-buffer 1024");
  ASSERT_FALSE(cyclic.empty());
  auto c = testing::read_kdump_bitmaps(cyclic);
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_FALSE(c->ram.test(pfn));
  EXPECT_FALSE(c->dumped.test(pfn));
  EXPECT_TRUE(testing::pfns_only_in(c->dumped, ours->keep).empty() && testing::pfns_only_in(ours->keep, c->dumped).empty())
      << "cyclic makedumpfile 1.7.8 and vmcap keep different pages";

  // makedumpfile non-cyclic (bitmaps in a file under --work-dir) calls it RAM and keeps
  // it: the same pages plus this one, in both bitmaps.
  const std::filesystem::path work = tmp_.file("work");
  std::filesystem::create_directories(work);
  const std::string whole = makedumpfile("noncyclic", "--work-dir " + work.string());
  ASSERT_FALSE(whole.empty());
  auto n = testing::read_kdump_bitmaps(whole);
  ASSERT_TRUE(n) << n.error().message();
  EXPECT_EQ(testing::pfns_only_in(n->ram, c->ram), std::vector<uint64_t>{pfn});
  EXPECT_EQ(testing::pfns_only_in(n->dumped, c->dumped), std::vector<uint64_t>{pfn});
  EXPECT_TRUE(testing::pfns_only_in(c->ram, n->ram).empty() && testing::pfns_only_in(c->dumped, n->dumped).empty());

  // What it wrote: the held bytes from the dump, the rest (the EBDA) zero-filled.
  auto theirs = open_dump(whole);
  ASSERT_TRUE(theirs) << theirs.error().message();
  std::vector<std::byte> page(kPage);
  ASSERT_TRUE((*theirs)->memory().read(pfn * kPage, page));
  uint64_t held = 0;
  for (const PhysRange& r : dump_->memory().ranges())
    if (r.start <= pfn * kPage && r.end() > pfn * kPage) held = r.end() - pfn * kPage;
  ASSERT_GT(held, 0u);
  ASSERT_LT(held, kPage);
  std::vector<std::byte> source(held);
  ASSERT_TRUE(dump_->memory().read(pfn * kPage, source));
  EXPECT_TRUE(std::equal(source.begin(), source.end(), page.begin()));
  EXPECT_TRUE(std::all_of(page.begin() + static_cast<long>(held), page.end(),
                          [](std::byte x) { return x == std::byte{0}; }))
      << "the bytes past " << hex(pfn * kPage + held) << " are not in the dump";

  // The guest's view: reserved, unmapped, like the whole page before it, which everyone keeps.
  ASSERT_GT(kpageflags_.size(), pfn);
  ASSERT_GT(kpagecount_.size(), pfn);
  EXPECT_EQ(kpageflags_[pfn], kKpfReserved) << hex(kpageflags_[pfn]);
  EXPECT_EQ(kpageflags_[pfn - 1], kKpfReserved) << hex(kpageflags_[pfn - 1]);
  EXPECT_EQ(kpagecount_[pfn], 0u);

  // The crashed kernel's struct page: the same flags word as its neighbour's (PG_reserved,
  // same zone and node), no mapping, no page type (_mapcount -1), neither head nor tail.
  auto sp = struct_page(pfn);
  auto before = struct_page(pfn - 1);
  ASSERT_TRUE(sp && before) << "struct pages of " << hex(pfn - 1) << ", " << hex(pfn) << " unreadable";
  EXPECT_EQ(sp->flags, before->flags) << hex(sp->flags) << " vs " << hex(before->flags);
  EXPECT_EQ(sp->mapping, 0u);
  EXPECT_EQ(sp->mapcount, 0xffffffffu);
  EXPECT_EQ(sp->compound_head & 1, 0u);
  EXPECT_EQ(sp->flags & layout_.head_mask.value_or(0), 0u);
  std::printf("[ %s ] pfn %s: dump holds %llu of %llu bytes; vmcap and cyclic makedumpfile 1.7.8 "
              "leave it out, non-cyclic 1.7.8 keeps it zero-filled; struct page flags %s "
              "mapping 0 _mapcount -1; kpageflags %s (RESERVED), kpagecount 0\n",
              GetParam().c_str(), hex(pfn).c_str(), static_cast<unsigned long long>(held),
              static_cast<unsigned long long>(kPage), hex(sp->flags).c_str(),
              hex(kpageflags_[pfn]).c_str());
}

std::vector<std::string> kpageflags_tags() {
  std::istringstream in(VMCAP_FILTER_KPAGEFLAGS_TAGS);
  std::vector<std::string> t;
  for (std::string s; in >> s;) t.push_back(s);
  if (t.empty()) t.push_back("6.1-filter");
  return t;
}

INSTANTIATE_TEST_SUITE_P(Kernels, PartialPageTest, ::testing::ValuesIn(kpageflags_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
