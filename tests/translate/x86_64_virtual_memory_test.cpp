#include "capture/translate/x86_64_virtual_memory.h"

#include <cstring>
#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "capture/translate/make_virtual_memory.h"
#include "tests/translate/page_table_builder.h"
#include "tests/translate/paged_physical_memory.h"

namespace vmcap {
namespace {

using testing::PagedPhysicalMemory;
using testing::PageTableBuilder;

constexpr uint64_t kTopPgtVaddr = 0xffffffff82a0c000ull;  // SYMBOL(init_top_pgt)
constexpr int64_t kPhysBase = -0x200000;                    // negative, as KASLR can make it
constexpr uint64_t kTopPgtPaddr = 0x2a0c000 - 0x200000;     // vaddr - map start + phys_base
constexpr uint64_t kDirectMap = 0xff11000000000000ull;      // a 5-level page_offset_base
constexpr uint64_t kDirectMap4 = 0xffff888000000000ull;     // the 4-level one

X86_64Params params(bool five_level, uint64_t sme_mask = 0) {
  X86_64Params p;
  p.phys_base = kPhysBase;
  p.top_pgt = kTopPgtVaddr;
  p.five_level = five_level;
  p.sme_mask = sme_mask;
  p.kernel_image_size = 1ull << 30;
  return p;
}

std::string read_string(const VirtualMemory& vm, uint64_t vaddr, size_t n) {
  std::string s(n, '\0');
  auto r = vm.read(vaddr, std::as_writable_bytes(std::span(s.data(), s.size())));
  if (!r) return "ERROR: " + r.error().message();
  return s;
}

TEST(X86_64VirtualMemory, KernelImageUsesPhysBase) {
  PagedPhysicalMemory mem;
  // A kernel-image symbol at 0xffffffff82000010 lives at 0x2000010 + phys_base.
  mem.write(0x2000010 - 0x200000, "linux_banner");
  X86_64VirtualMemory vm(mem, params(false), {});
  EXPECT_EQ(read_string(vm, 0xffffffff82000010ull, 12), "linux_banner");
  auto t = vm.translate(0xffffffff82000010ull);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->paddr, 0x1e00010u);
  EXPECT_EQ(vm.page_table_reads(), 0u);  // no walk for the image
}

TEST(X86_64VirtualMemory, FourLevelWalkAcrossScatteredPages) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false);
  const uint64_t va = kDirectMap4 + 0x12345000;
  pt.map(va, 0x700000, 4096);
  pt.map(va + 4096, 0x300000, 4096);  // next virtual page, lower physical page
  mem.write(0x700ffc, "abcd");
  mem.write(0x300000, "efgh");
  X86_64VirtualMemory vm(mem, params(false), {});
  EXPECT_EQ(read_string(vm, va + 0xffc, 8), "abcdefgh");
}

TEST(X86_64VirtualMemory, LargeLeavesIgnorePatAndNx) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false);
  const uint64_t nx = 1ull << 63, pat_large = 1ull << 12;
  pt.map(kDirectMap4, 0x40000000, 1ull << 30, nx | pat_large);               // 1 GiB
  pt.map(kDirectMap4 + (1ull << 30), 0x200000, 2ull << 20, nx | pat_large);  // 2 MiB
  mem.write(0x40000000 + 0x123456, "gig");
  mem.write(0x200000 + 0x1ffffe, "2m");
  X86_64VirtualMemory vm(mem, params(false), {});
  EXPECT_EQ(read_string(vm, kDirectMap4 + 0x123456, 3), "gig");
  EXPECT_EQ(read_string(vm, kDirectMap4 + (1ull << 30) + 0x1ffffe, 2), "2m");
  auto t = vm.walk(kDirectMap4 + 0x123456);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->paddr, 0x40123456u);
  EXPECT_EQ(t->contiguous, (1ull << 30) - 0x123456);
}

TEST(X86_64VirtualMemory, FiveLevelWalk) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, true);
  const uint64_t va = kDirectMap + 0x5000;
  pt.map(va, 0x900000, 4096);
  pt.map(kDirectMap + (3ull << 30), 0x80000000, 1ull << 30);
  mem.write(0x900010, "five");
  mem.write(0x80000000 + 77, "big");
  X86_64VirtualMemory vm(mem, params(true), {});
  EXPECT_EQ(read_string(vm, va + 0x10, 4), "five");
  EXPECT_EQ(read_string(vm, kDirectMap + (3ull << 30) + 77, 3), "big");
  // A 4-level reading of the same tables must not find it (bits 48..56 index the PGD).
  X86_64VirtualMemory vm4(mem, params(false), {});
  EXPECT_TRUE(vm4.read(va, std::span<std::byte>()));  // an empty read needs no translation
  std::byte b[1];
  EXPECT_FALSE(vm4.read(va, b));
}

TEST(X86_64VirtualMemory, SmeMaskIsStripped) {
  PagedPhysicalMemory mem;
  const uint64_t c_bit = 1ull << 47;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false, c_bit);
  pt.map(kDirectMap4 + 0x1000, 0x600000, 4096);
  pt.map(kDirectMap4 + (2ull << 30), 0x400000, 2ull << 20);
  mem.write(0x600008, "sme");
  mem.write(0x400008, "smf");
  X86_64VirtualMemory vm(mem, params(false, c_bit), {});
  EXPECT_EQ(read_string(vm, kDirectMap4 + 0x1008, 3), "sme");
  EXPECT_EQ(read_string(vm, kDirectMap4 + (2ull << 30) + 8, 3), "smf");
  // Without the mask, the C-bit reads as part of the address: a hole.
  X86_64VirtualMemory wrong(mem, params(false, 0), {});
  EXPECT_EQ(read_string(wrong, kDirectMap4 + 0x1008, 3).substr(0, 6), "ERROR:");
}

TEST(X86_64VirtualMemory, HolesNameTheVirtualAddress) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false);
  const uint64_t va = kDirectMap4 + 0x10000;
  pt.map(va, 0x500000, 4096);  // mapped, but the page is not in the dump
  pt.map(va + 0x2000, 0x501000, 4096);
  mem.write(0x501000, "x");
  X86_64VirtualMemory vm(mem, params(false), {});
  std::byte b[16];

  auto r = vm.read(va + 8, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
  EXPECT_EQ(r.error().offset, va + 8);
  EXPECT_NE(r.error().reason.find("physical 0x500008"), std::string::npos) << r.error().reason;

  // va + 0x1000 has no PTE.
  r = vm.read(va + 0x1ff8, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
  EXPECT_EQ(r.error().offset, va + 0x1ff8);
  EXPECT_NE(r.error().reason.find("PTE entry 17 = 0x0 not present"), std::string::npos)
      << r.error().reason;

  // Nothing at all in this PGD slot.
  r = vm.read(kDirectMap4 + (1ull << 39), b);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("PGD entry"), std::string::npos) << r.error().reason;
  EXPECT_EQ(r.error().message().find(fmt::format("offset {:#x}", kDirectMap4 + (1ull << 39))),
            0u);

  // Non-canonical.
  r = vm.read(0x0000900000000000ull, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
}

// Inside one 2 MiB leaf a read crosses from a page the dump holds into one it lacks: the
// error names the missing page's virtual address (readers mark that page bad), not the
// read's start.
TEST(X86_64VirtualMemory, HoleInsideALargePageNamesTheMissingPage) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false);
  const uint64_t va = kDirectMap4 + 0x40000000;
  pt.map(va, 0x600000, 2ull << 20);
  mem.write(0x600000, "present");  // 0x601000 on is not in the dump
  X86_64VirtualMemory vm(mem, params(false), {});
  std::byte b[16];
  auto r = vm.read(va + 0xff8, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
  EXPECT_EQ(r.error().offset, va + 0x1000);
  EXPECT_NE(r.error().reason.find(fmt::format("virtual address {:#x} (physical 0x601000)", va + 0x1000)),
            std::string::npos)
      << r.error().reason;
  // Starting in the missing page: its own address.
  r = vm.read(va + 0x1008, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, va + 0x1008);
}

TEST(X86_64VirtualMemory, MissingTopTableOrSymbol) {
  PagedPhysicalMemory mem;  // empty: init_top_pgt's page is not in the dump
  X86_64VirtualMemory vm(mem, params(false), {});
  std::byte b[8];
  auto r = vm.read(kDirectMap4, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, kDirectMap4);
  EXPECT_NE(r.error().reason.find("cannot read the PGD table"), std::string::npos)
      << r.error().reason;

  auto p = params(false);
  p.top_pgt.reset();
  X86_64VirtualMemory none(mem, p, {});
  r = none.read(kDirectMap4, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Missing);
}

TEST(X86_64VirtualMemory, StatedMappingsAreAFastPath) {
  PagedPhysicalMemory mem;  // no page tables at all
  mem.write(0x1000000 + 0x20, "direct");
  mem.write(0x3000000, "user");
  std::vector<VirtualMapping> maps = {
      {kDirectMap4 + 0x1000000, 0x1000000, 0x100000},
      {0x3000000, 0x3000000, 0x1000},  // QEMU-style p_vaddr == p_paddr in the user half
  };
  X86_64VirtualMemory vm(mem, params(false), maps);
  EXPECT_EQ(read_string(vm, kDirectMap4 + 0x1000020, 6), "direct");
  EXPECT_EQ(read_string(vm, 0x3000000, 4).substr(0, 6), "ERROR:");  // not taken from a mapping
  EXPECT_EQ(vm.page_table_reads(), 1u);  // only the failed walk tried the (missing) PGD
}

TEST(X86_64VirtualMemory, ReadingAMegabyteRegionWalksFewTables) {
  PagedPhysicalMemory mem;
  PageTableBuilder pt(mem, kTopPgtPaddr, 0x100000, false);
  const uint64_t va = kDirectMap4 + 0x40000000;
  std::string expect;
  for (int i = 0; i < 1024; ++i) {  // 4 MiB as 4 KiB pages in reverse physical order
    uint64_t pa = 0x10000000 + (1023 - i) * 4096ull;
    pt.map(va + i * 4096ull, pa, 4096);
    std::string tag = fmt::format("{:04}", i);
    mem.write(pa, tag);
    expect += tag + std::string(4092, '\0');
  }
  X86_64VirtualMemory vm(mem, params(false), {});
  EXPECT_EQ(read_string(vm, va, expect.size()), expect);
  // PGD, PUD, two PMD-level tables' worth of PTE pages (3: 4 MiB spans 2..3 PTE tables).
  EXPECT_LE(vm.page_table_reads(), 6u);
}

TEST(MakeVirtualMemory, ChoosesByMachine) {
  PagedPhysicalMemory mem;
  mem.write(0x1e00000, "k");
  auto info = VmcoreInfo::parse(
      "OSRELEASE=6.1.0\nSYMBOL(init_top_pgt)=ffffffff82a0c000\nNUMBER(phys_base)=-2097152\n"
      "NUMBER(pgtable_l5_enabled)=0\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n"
      "NUMBER(sme_mask)=0\n");
  ASSERT_TRUE(info);
  auto vm = make_virtual_memory(kEmX86_64, mem, *info, {});
  ASSERT_TRUE(vm) << vm.error().message();
  EXPECT_EQ(read_string(**vm, 0xffffffff82000000ull, 1), "k");

  // An x86_64 VMCOREINFO has none of the arm64 keys: the arm64 side says which.
  auto arm = make_virtual_memory(kEmAarch64, mem, *info, {});
  ASSERT_FALSE(arm);
  EXPECT_NE(arm.error().reason.find("arm64 address translation"), std::string::npos);
  EXPECT_FALSE(make_virtual_memory(3, mem, *info, {}));

  auto bare = VmcoreInfo::parse("OSRELEASE=6.1.0\n");
  auto missing = make_virtual_memory(kEmX86_64, mem, *bare, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Missing);
  EXPECT_NE(missing.error().reason.find("NUMBER(phys_base)"), std::string::npos);
}

TEST(X86_64Params, DefaultsAndLegacySymbol) {
  auto info = VmcoreInfo::parse(
      "SYMBOL(init_level4_pgt)=ffffffff81c09000\nNUMBER(phys_base)=16777216\n");
  auto p = X86_64Params::from_vmcoreinfo(*info);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->top_pgt, 0xffffffff81c09000ull);
  EXPECT_FALSE(p->five_level);
  EXPECT_EQ(p->sme_mask, 0u);
  EXPECT_EQ(p->kernel_image_size, 512ull << 20);
  EXPECT_EQ(p->phys_base, 16777216);
}

}  // namespace
}  // namespace vmcap
