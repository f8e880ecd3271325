#include "capture/translate/arm64_virtual_memory.h"

#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "capture/translate/make_virtual_memory.h"
#include "tests/translate/arm64_page_table_builder.h"
#include "tests/translate/paged_physical_memory.h"

namespace vmcap {
namespace {

using testing::Arm64PageTableBuilder;
using testing::PagedPhysicalMemory;

constexpr uint64_t kRamStart = 0x40000000;   // QEMU virt
constexpr uint64_t kImagePhys = 0x40200000;  // where the image is loaded
constexpr uint64_t kTables = 0x50000000;     // page tables allocated from here

// One granule x VA configuration x CPU.
struct Config {
  const char* name;
  unsigned page_shift, va_bits, runtime_va_bits;
  bool lpa2;        // expected
  unsigned levels;  // expected
  uint64_t high_pa; // a physical address to map, as high as the configuration reaches
};

const Config kConfigs[] = {
    {"4K_39", 12, 39, 39, false, 3, 0x00008a0000000000ull},
    {"4K_48", 12, 48, 48, false, 4, 0x0000ca0000000000ull},
    {"4K_52_lpa2", 12, 52, 52, true, 5, 0x000ea40000000000ull},
    {"4K_52_on_48", 12, 52, 48, false, 4, 0x0000ca0000000000ull},
    {"16K_36", 14, 36, 36, false, 2, 0x00008a0000000000ull},
    {"16K_47", 14, 47, 47, false, 3, 0x0000ca0000000000ull},
    {"16K_48", 14, 48, 48, false, 4, 0x0000ca0000000000ull},
    {"16K_52_lpa2", 14, 52, 52, true, 4, 0x000ea40000000000ull},
    {"16K_52_on_47", 14, 52, 47, false, 3, 0x0000ca0000000000ull},
    {"64K_42", 16, 42, 42, false, 2, 0x000aca0000000000ull},
    {"64K_48_lpa", 16, 48, 48, false, 3, 0x000aca0000000000ull},
    {"64K_52_lpa", 16, 52, 52, false, 3, 0x000aca0000000000ull},
    {"64K_52_on_48", 16, 52, 48, false, 3, 0x000aca0000000000ull},
};

// A kernel laid out the way 5.4+ does it for this configuration: the image 128 MiB past
// PAGE_END, swapper_pg_dir 16 MiB into it, RAM at 1 GiB, PHYS_OFFSET shifted "negative"
// when a 52-bit configuration runs on fewer bits (arm64_memblock_init).
struct Kernel {
  explicit Kernel(const Config& c) : config(c) {
    const unsigned va_min = c.va_bits > 48 ? (c.page_shift == 14 ? 47 : 48) : c.va_bits;
    page_offset = ~0ull << c.va_bits;
    page_end = ~0ull << (va_min - 1);
    image_va = page_end + (128ull << 20);
    swapper = image_va + (16ull << 20);
    kimage_voffset = image_va - kImagePhys;
    phys_offset = kRamStart;
    if (c.runtime_va_bits < c.va_bits)
      phys_offset -= (1ull << c.va_bits) - (1ull << c.runtime_va_bits);
    table_va_bits = c.page_shift == 16 ? c.va_bits : c.runtime_va_bits;
    info_text = fmt::format(
        "OSRELEASE=6.12.0\nPAGESIZE={}\nNUMBER(VA_BITS)={}\nNUMBER(TCR_EL1_T1SZ)={:#x}\n"
        "NUMBER(kimage_voffset)={:#x}\nNUMBER(PHYS_OFFSET)={:#x}\nKERNELOFFSET=0\n"
        "SYMBOL(_stext)={:x}\nSYMBOL(swapper_pg_dir)={:x}\nSYMBOL(prb)={:x}\n",
        1u << c.page_shift, c.va_bits, 64 - c.runtime_va_bits, kimage_voffset, phys_offset,
        image_va + 0x10000, swapper, image_va + 0x1400000);
    auto info = VmcoreInfo::parse(info_text);
    EXPECT_TRUE(info) << info.error().message();
    auto l = Arm64Layout::from_vmcoreinfo(*info);
    EXPECT_TRUE(l) << l.error().message();
    if (l) layout = *l;
    pt = std::make_unique<Arm64PageTableBuilder>(mem, c.page_shift, table_va_bits, c.lpa2,
                                                 swapper - kimage_voffset, kTables);
  }
  uint64_t page() const { return 1ull << config.page_shift; }
  uint64_t block(unsigned level) const {
    return 1ull << (config.page_shift + (config.page_shift - 3) * level);
  }
  uint64_t linear(uint64_t pa) const { return pa - phys_offset + page_offset; }
  Arm64VirtualMemory vm() const { return Arm64VirtualMemory(mem, layout); }

  Config config;
  uint64_t page_offset, page_end, image_va, swapper, kimage_voffset, phys_offset;
  unsigned table_va_bits;
  std::string info_text;
  Arm64Layout layout;
  PagedPhysicalMemory mem;
  std::unique_ptr<Arm64PageTableBuilder> pt;
};

std::string read_string(const VirtualMemory& vm, uint64_t vaddr, size_t n) {
  std::string s(n, '\0');
  auto r = vm.read(vaddr, std::as_writable_bytes(std::span(s.data(), s.size())));
  if (!r) return "ERROR: " + r.error().message();
  return s;
}

class Arm64Walk : public ::testing::TestWithParam<Config> {};

TEST_P(Arm64Walk, LayoutMatchesTheConfiguration) {
  Kernel k(GetParam());
  EXPECT_EQ(k.layout.levels, GetParam().levels);
  EXPECT_EQ(k.layout.lpa2, GetParam().lpa2);
  EXPECT_EQ(k.pt->levels(), GetParam().levels);
  EXPECT_EQ(k.layout.page_offset, k.page_offset);
  EXPECT_EQ(k.layout.page_end, k.page_end);
  EXPECT_TRUE(k.layout.in_image(k.swapper));
}

TEST_P(Arm64Walk, PagesAndBlocksOutsideTheFastPaths) {
  Kernel k(GetParam());
  const uint64_t vmalloc = k.page_end + (1ull << 30) + 3 * k.page();
  const uint64_t high = GetParam().high_pa;
  k.pt->map(vmalloc, high, k.page());
  k.pt->map(vmalloc + k.page(), kRamStart + 5 * k.page(), k.page());  // next page, lower PA
  k.mem.write(high + k.page() - 4, "abcd");
  k.mem.write(kRamStart + 5 * k.page(), "efgh");
  auto vm = k.vm();
  EXPECT_EQ(read_string(vm, vmalloc + k.page() - 4, 8), "abcdefgh");
  auto t = vm.walk(vmalloc + 0x10);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->paddr, high + 0x10);
  EXPECT_EQ(t->contiguous, k.page() - 0x10);

  // A block at every level the granule allows (below the top table).
  const Arm64DescriptorFormat format{GetParam().page_shift, GetParam().lpa2};
  for (unsigned level = 1; level < k.layout.levels; ++level) {
    if (!format.block_allowed(level)) continue;
    const uint64_t size = k.block(level);
    const uint64_t va = k.page_end + 2 * size;  // a slot of its own at this level
    // The highest aligned address the configuration reaches, and at least the RAM.
    const uint64_t pa = std::max(high & ~(size - 1), size);
    k.pt->map(va, pa, size);
    k.mem.write(pa + size - 8, fmt::format("blk{}", level));
    auto vm = k.vm();  // the tables changed: a fresh table cache
    auto blk = vm.walk(va + size - 8);
    ASSERT_TRUE(blk) << level << ": " << blk.error().message();
    EXPECT_EQ(blk->paddr, pa + size - 8) << level;
    EXPECT_EQ(blk->contiguous, 8u) << level;
    EXPECT_EQ(read_string(vm, va + size - 8, 4), fmt::format("blk{}", level)) << level;
  }
}

// The linear map and the image by formula give what the tables give.
TEST_P(Arm64Walk, FastPathsAgreeWithTheWalk) {
  Kernel k(GetParam());
  std::vector<uint64_t> pas = {kRamStart, kRamStart + k.page(), kRamStart + (256ull << 20),
                               kRamStart + (1ull << 30) - k.page()};
  // The highest physical address, where the linear map reaches it (52-bit VA or LPA2).
  if (k.layout.in_linear_map(k.linear(GetParam().high_pa))) pas.push_back(GetParam().high_pa);
  for (uint64_t pa : pas) k.pt->map(k.linear(pa), pa, k.page());
  // The linear map as the kernel maps it where it can: one block.
  const uint64_t blk = k.block(1);
  const uint64_t blk_pa = kRamStart + 4 * blk;
  k.pt->map(k.linear(blk_pa), blk_pa, blk);
  // The image: _stext's page, swapper_pg_dir's own page, prb's page.
  const std::vector<uint64_t> image = {k.image_va + 0x10000, k.swapper, k.image_va + 0x1400000};
  for (uint64_t va : image) k.pt->map(va & ~(k.page() - 1), (va & ~(k.page() - 1)) - k.kimage_voffset, k.page());

  auto vm = k.vm();
  for (uint64_t pa : pas) {
    const uint64_t va = k.linear(pa) + 0x28;
    auto fast = vm.translate(va);
    auto walked = vm.walk(va);
    ASSERT_TRUE(fast && walked) << fmt::format("{:#x}", va);
    EXPECT_EQ(fast->paddr, pa + 0x28);
    EXPECT_EQ(walked->paddr, fast->paddr) << fmt::format("{:#x}", va);
  }
  auto fast_blk = vm.translate(k.linear(blk_pa) + blk / 2);
  auto walked_blk = vm.walk(k.linear(blk_pa) + blk / 2);
  ASSERT_TRUE(fast_blk && walked_blk);
  EXPECT_EQ(fast_blk->paddr, walked_blk->paddr);
  for (uint64_t va : image) {
    auto fast = vm.translate(va);
    auto walked = vm.walk(va);
    ASSERT_TRUE(fast && walked) << fmt::format("{:#x}", va);
    EXPECT_EQ(fast->paddr, va - k.kimage_voffset);
    EXPECT_EQ(walked->paddr, fast->paddr);
  }
  // The fast paths read no table.
  Arm64VirtualMemory fresh(k.mem, k.layout);
  for (uint64_t pa : pas) ASSERT_TRUE(fresh.translate(k.linear(pa)));
  for (uint64_t va : image) ASSERT_TRUE(fresh.translate(va));
  EXPECT_EQ(fresh.page_table_reads(), 0u);
}

TEST_P(Arm64Walk, TagsAreStripped) {
  Kernel k(GetParam());
  const uint64_t vmalloc = k.page_end + (1ull << 30);
  k.pt->map(vmalloc, kRamStart + 7 * k.page(), k.page());
  k.mem.write(kRamStart + 7 * k.page() + 8, "tagged");
  k.mem.write(kRamStart + 9 * k.page(), "linear");
  auto vm = k.vm();
  const uint64_t tag = 0xf3ull << 56;
  EXPECT_EQ(read_string(vm, ((vmalloc + 8) & ~(0xffull << 56)) | tag, 6), "tagged");
  EXPECT_EQ(read_string(vm, (k.linear(kRamStart + 9 * k.page()) & ~(0xffull << 56)) | tag, 6),
            "linear");
}

TEST_P(Arm64Walk, InvalidDescriptorsAndRanges) {
  Kernel k(GetParam());
  const uint64_t va = k.page_end + (1ull << 30);
  k.pt->map(va, kRamStart, k.page());
  auto vm = k.vm();
  std::byte b[8];

  // No PTE for the next page: invalid (bit 0 clear) is a hole naming the address.
  auto r = vm.read(va + k.page() + 8, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
  EXPECT_EQ(r.error().offset, va + k.page() + 8);
  EXPECT_NE(r.error().reason.find(fmt::format("virtual address {:#x} not mapped", va + k.page() + 8)),
            std::string::npos)
      << r.error().reason;
  EXPECT_NE(r.error().reason.find("PTE entry"), std::string::npos) << r.error().reason;

  // 0b01 at the page level is reserved.
  k.pt->set_entry(va + 2 * k.page(), 0, k.pt->encode(kRamStart) | 1);
  Arm64VirtualMemory vm2(k.mem, k.layout);
  r = vm2.read(va + 2 * k.page(), b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_NE(r.error().reason.find("reserved"), std::string::npos) << r.error().reason;

  // A block where the granule has none (the top of 4 or 5 levels on 4K without LPA2, the
  // top of 4 levels on 16K...).
  const unsigned top = k.layout.levels - 1;
  const Arm64DescriptorFormat format{GetParam().page_shift, GetParam().lpa2};
  if (!format.block_allowed(top)) {
    const uint64_t far = ~0ull - (k.block(top) - 1);  // the last top-level slot
    k.pt->set_entry(far, top, k.pt->encode(0) | 1);
    Arm64VirtualMemory vm3(k.mem, k.layout);
    r = vm3.walk(far).has_value() ? Result<void>() : vm3.walk(far).error();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Format);
    EXPECT_NE(r.error().reason.find("PGD entry"), std::string::npos) << r.error().reason;
    EXPECT_NE(r.error().reason.find("block descriptor"), std::string::npos) << r.error().reason;
  }

  // A table descriptor pointing at memory the dump lacks.
  const uint64_t lost = k.page_end + (3ull << 30) + k.block(1) * 5;
  k.pt->set_entry(lost, 1, k.pt->encode(0x7ff0000000ull) | 3);
  Arm64VirtualMemory vm4(k.mem, k.layout);
  r = vm4.read(lost, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
  EXPECT_EQ(r.error().offset, lost);
  EXPECT_NE(r.error().reason.find("cannot read the PTE table at physical 0x7ff0000000"),
            std::string::npos)
      << r.error().reason;

  // Below the kernel range (a user address, or 52-bit addresses on a CPU running fewer).
  for (uint64_t outside : std::vector<uint64_t>{0x0000aaaa00001000ull, k.layout.kernel_va_start() - 0x1000}) {
    r = vm.read(outside, b);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Format);
    EXPECT_NE(r.error().reason.find("outside the kernel's"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Granules, Arm64Walk, ::testing::ValuesIn(kConfigs),
                         [](const auto& info) { return std::string(info.param.name); });

// LPA2 built in but not active (6.12 on a CPU without it): bits [9:8] are shareability,
// never PA[51:50]. Read with LPA2 decoding, the same entry would land 3 << 50 higher.
TEST(Arm64VirtualMemory, ShareabilityIsNotAddressWithoutLpa2) {
  const Arm64DescriptorFormat folded{12, false}, lpa2{12, true};
  const uint64_t desc = 0x0060000041234f03ull;  // AF, SH=inner, 0x41234000
  EXPECT_EQ(folded.output_address(desc), 0x41234000u);
  EXPECT_EQ(lpa2.output_address(desc), 0x41234000u | (3ull << 50));
  const Arm64DescriptorFormat k64{16, false};
  EXPECT_EQ(k64.output_address(0x00000000412a0f03ull | 0xa000), 0x000a0000412a0000ull);
}

TEST(Arm64VirtualMemory, MissingSwapperPgDir) {
  Kernel k(kConfigs[1]);
  Arm64Layout l = k.layout;
  l.swapper_pg_dir.reset();
  PagedPhysicalMemory mem;
  Arm64VirtualMemory vm(mem, l);
  std::byte b[8];
  auto r = vm.read(k.page_end + (1ull << 30), b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Missing);
  EXPECT_NE(r.error().reason.find("SYMBOL(swapper_pg_dir)"), std::string::npos);
  // And swapper_pg_dir itself outside the dump.
  Arm64VirtualMemory empty(mem, k.layout);
  r = empty.read(k.page_end + (1ull << 30), b);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("cannot read the PGD table"), std::string::npos)
      << r.error().reason;
}

TEST(Arm64VirtualMemory, ReadingManyPagesWalksFewTables) {
  Kernel k(kConfigs[1]);  // 4K, 48-bit
  const uint64_t va = k.page_end + (1ull << 30);
  std::string expect;
  for (int i = 0; i < 1024; ++i) {  // 4 MiB as pages in reverse physical order
    const uint64_t pa = 0x48000000 + (1023 - i) * 4096ull;
    k.pt->map(va + i * 4096ull, pa, 4096);
    const std::string tag = fmt::format("{:04}", i);
    k.mem.write(pa, tag);
    expect += tag + std::string(4092, '\0');
  }
  auto vm = k.vm();
  EXPECT_EQ(read_string(vm, va, expect.size()), expect);
  EXPECT_LE(vm.page_table_reads(), 6u);  // PGD, PUD, PMD, 2..3 PTE tables
}

// 6.12 folded to 48 bits with KASLR's image above the VMEMMAP_START stated for 52 bits (a
// real 6.12-arm64-nolpa2 note, trimmed; CI's fresh dumps had it about half the time): the
// image's symbols are the image's, read by its formula without the tables (none here).
TEST(Arm64VirtualMemory, FoldedImageAboveTheConfiguredVmemmapStartTakesTheImageFormula) {
  auto info = VmcoreInfo::parse(
      "OSRELEASE=6.12.95+deb12-arm64\nPAGESIZE=4096\nSIZE(page)=64\nNUMBER(VA_BITS)=52\n"
      "NUMBER(TCR_EL1_T1SZ)=0x10\nSYMBOL(swapper_pg_dir)=ffffd28d352e9000\n"
      "SYMBOL(_stext)=ffffd28d33610000\nSYMBOL(prb)=ffffd28d35c9a710\n"
      "SYMBOL(clear_seq)=ffffd28d36038740\nSYMBOL(vmemmap)=fffffdffbf000000\n"
      "NUMBER(MODULES_VADDR)=0xffff800000000000\nNUMBER(MODULES_END)=0xffff800080000000\n"
      "NUMBER(VMALLOC_START)=0xffff800080000000\nNUMBER(VMALLOC_END)=0xfffffdffbf800000\n"
      "NUMBER(VMEMMAP_START)=0xffffc1ffc0000000\nNUMBER(VMEMMAP_END)=0xffffffffc0000000\n"
      "NUMBER(kimage_voffset)=0xffffd28cf3400000\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\n");
  ASSERT_TRUE(info) << info.error().message();
  auto l = Arm64Layout::from_vmcoreinfo(*info);
  ASSERT_TRUE(l) << l.error().message();
  PagedPhysicalMemory mem;
  mem.write(0xffffd28d35c9a710ull - 0xffffd28cf3400000ull, "prb");
  mem.write(0xffffd28d36038740ull - 0xffffd28cf3400000ull, "seq");
  Arm64VirtualMemory vm(mem, *l);
  EXPECT_EQ(read_string(vm, 0xffffd28d35c9a710ull, 3), "prb");
  EXPECT_EQ(read_string(vm, 0xffffd28d36038740ull, 3), "seq");
  EXPECT_EQ(vm.page_table_reads(), 0u);
}

TEST(Arm64VirtualMemory, MakeVirtualMemoryChoosesArm64) {
  Kernel k(kConfigs[2]);  // 4K, 52-bit, LPA2
  k.mem.write(kRamStart + 0x123, "linear");
  auto info = VmcoreInfo::parse(k.info_text);
  auto vm = make_virtual_memory(kEmAarch64, k.mem, *info, {});
  ASSERT_TRUE(vm) << vm.error().message();
  EXPECT_EQ(read_string(**vm, k.linear(kRamStart) + 0x123, 6), "linear");

  auto bare = VmcoreInfo::parse("OSRELEASE=6.1.0\nPAGESIZE=4096\n");
  auto missing = make_virtual_memory(kEmAarch64, k.mem, *bare, {});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Missing);
  EXPECT_NE(missing.error().reason.find("arm64 address translation"), std::string::npos);
  EXPECT_NE(missing.error().reason.find("NUMBER(VA_BITS)"), std::string::npos);
}

}  // namespace
}  // namespace vmcap
