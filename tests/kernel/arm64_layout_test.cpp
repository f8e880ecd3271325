#include "capture/kernel/arm64_layout.h"

#include <string>

#include <gtest/gtest.h>

namespace vmcap {
namespace {

// The arm64 keys of real VMCOREINFO notes (Debian's kernels in QEMU, KASLR on), trimmed to
// what the layout reads plus a few image symbols.
const char* kDebian61 =
    "OSRELEASE=6.1.0-50-arm64\nPAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffa3f7c3f1bd30\nSYMBOL(swapper_pg_dir)=ffffa3f7c3653000\n"
    "SYMBOL(_stext)=ffffa3f7c2010000\nSYMBOL(mem_section)=ffff00001fed0380\n"
    "NUMBER(SECTION_SIZE_BITS)=27\nNUMBER(MAX_PHYSMEM_BITS)=48\n"
    "SYMBOL(prb)=ffffa3f7c3ce8708\nSYMBOL(clear_seq)=ffffa3f7c3f82600\nSIZE(page)=64\n"
    "NUMBER(VA_BITS)=48\nNUMBER(MODULES_VADDR)=0xffff800000000000\n"
    "NUMBER(MODULES_END)=0xffff800008000000\nNUMBER(VMALLOC_START)=0xffff800008000000\n"
    "NUMBER(VMALLOC_END)=0xfffffbfff0000000\nNUMBER(VMEMMAP_START)=0xfffffc0000000000\n"
    "NUMBER(VMEMMAP_END)=0xfffffe0000000000\nNUMBER(kimage_voffset)=0xffffa3f781e00000\n"
    "NUMBER(PHYS_OFFSET)=0x40000000\nNUMBER(TCR_EL1_T1SZ)=0x10\nKERNELOFFSET=23f7ba000000\n"
    "NUMBER(KERNELPACMASK)=0xffff000000000000\n";

const char* kDebian612Lpa2 =
    "OSRELEASE=6.12.95+deb12-arm64\nPAGESIZE=4096\n"
    "SYMBOL(swapper_pg_dir)=ffffa41e9dae9000\nSYMBOL(_stext)=ffffa41e9be10000\n"
    "NUMBER(VMALLOC_START)=0xffff800080000000\nSYMBOL(vmemmap)=ffffc1ffbf000000\n"
    "SYMBOL(mem_section)=fff000001fcfd340\nNUMBER(SECTION_SIZE_BITS)=27\n"
    "NUMBER(MAX_PHYSMEM_BITS)=52\nSYMBOL(prb)=ffffa41e9e49a710\n"
    "SYMBOL(clear_seq)=ffffa41e9e838740\nNUMBER(VA_BITS)=52\n"
    "NUMBER(MODULES_VADDR)=0xffff800000000000\nNUMBER(MODULES_END)=0xffff800080000000\n"
    "NUMBER(VMALLOC_END)=0xffffc1ffbf800000\nNUMBER(VMEMMAP_START)=0xffffc1ffc0000000\n"
    "NUMBER(VMEMMAP_END)=0xffffffffc0000000\nNUMBER(kimage_voffset)=0xffffa41e5bc00000\n"
    "NUMBER(PHYS_OFFSET)=0x40000000\nNUMBER(TCR_EL1_T1SZ)=0xc\nKERNELOFFSET=241e1be00000\n"
    "NUMBER(KERNELPACMASK)=0xfff0000000000000\n";

Arm64Layout layout(const std::string& text) {
  auto info = VmcoreInfo::parse(text);
  EXPECT_TRUE(info) << info.error().message();
  auto l = Arm64Layout::from_vmcoreinfo(*info);
  EXPECT_TRUE(l) << l.error().message();
  return l ? *l : Arm64Layout{};
}

Error layout_error(const std::string& text) {
  auto info = VmcoreInfo::parse(text);
  EXPECT_TRUE(info) << info.error().message();
  auto l = Arm64Layout::from_vmcoreinfo(*info);
  EXPECT_FALSE(l);
  return l ? Error{} : l.error();
}

TEST(Arm64Layout, LevelsPerGranuleAndVaSize) {
  EXPECT_EQ(arm64_table_levels(12, 39), 3u);
  EXPECT_EQ(arm64_table_levels(12, 48), 4u);
  EXPECT_EQ(arm64_table_levels(12, 52), 5u);
  EXPECT_EQ(arm64_table_levels(14, 36), 2u);
  EXPECT_EQ(arm64_table_levels(14, 47), 3u);
  EXPECT_EQ(arm64_table_levels(14, 48), 4u);
  EXPECT_EQ(arm64_table_levels(14, 52), 4u);
  EXPECT_EQ(arm64_table_levels(16, 42), 2u);
  EXPECT_EQ(arm64_table_levels(16, 48), 3u);
  EXPECT_EQ(arm64_table_levels(16, 52), 3u);
}

TEST(Arm64Layout, Debian61FortyEightBit) {
  auto l = layout(kDebian61);
  EXPECT_EQ(l.page_shift, 12u);
  EXPECT_EQ(l.va_bits, 48u);
  EXPECT_EQ(l.runtime_va_bits, 48u);
  EXPECT_EQ(l.levels, 4u);
  EXPECT_FALSE(l.lpa2);
  EXPECT_TRUE(l.flipped);
  EXPECT_EQ(l.page_offset, 0xffff000000000000ull);
  EXPECT_EQ(l.page_end, 0xffff800000000000ull);
  EXPECT_EQ(l.linear, (Arm64Range{0xffff000000000000ull, 0xffff800000000000ull}));
  EXPECT_EQ(l.linear_to_phys(0xffff00001fed0380ull), 0x5fed0380u);  // mem_section
  EXPECT_EQ(l.phys_to_linear(0x5fed0380u), 0xffff00001fed0380ull);
  EXPECT_EQ(l.kernel_offset, 0x23f7ba000000u);
  EXPECT_EQ(l.image_to_phys(0xffffa3f7c3653000ull), 0x41853000u);  // swapper_pg_dir
  // _stext's page to clear_seq's; mem_section (linear) is not taken for the image.
  EXPECT_EQ(l.image, (Arm64Range{0xffffa3f7c2010000ull, 0xffffa3f7c3f83000ull}));
  EXPECT_EQ(l.modules, (Arm64Range{0xffff800000000000ull, 0xffff800008000000ull}));
  EXPECT_EQ(l.section_size_bits, 27u);
  EXPECT_EQ(l.max_physmem_bits, 48u);
  EXPECT_EQ(l.vmemmap_start, 0xfffffc0000000000ull);
  EXPECT_EQ(l.vmemmap, 0xfffffbffff000000ull);  // - (0x40000000 >> 12) * 64
  EXPECT_TRUE(l.computed_keys.empty());
}

TEST(Arm64Layout, Debian612WithLpa2) {
  auto l = layout(kDebian612Lpa2);
  EXPECT_EQ(l.va_bits, 52u);
  EXPECT_EQ(l.runtime_va_bits, 52u);
  EXPECT_EQ(l.table_va_bits, 52u);
  EXPECT_EQ(l.levels, 5u);
  EXPECT_TRUE(l.lpa2);
  EXPECT_EQ(l.page_offset, 0xfff0000000000000ull);
  EXPECT_EQ(l.page_end, 0xffff800000000000ull);
  EXPECT_TRUE(l.in_linear_map(0xfff000001fcfd340ull));
  EXPECT_EQ(l.linear_to_phys(0xfff000001fcfd340ull), 0x5fcfd340u);
  EXPECT_EQ(l.max_physmem_bits, 52u);
  EXPECT_EQ(l.vmemmap, 0xffffc1ffbf000000ull);  // SYMBOL(vmemmap)
  EXPECT_EQ(*l.vmemmap_start - 0x40000ull * 64, *l.vmemmap);  // the formula agrees
}

// 6.12 on a CPU without LPA2 folds to 48 bits: T1SZ says 16, one level fewer, and
// memstart_addr goes "negative" so the linear map still starts at -2^48.
TEST(Arm64Layout, Debian612FoldedTo48Bit) {
  std::string text = kDebian612Lpa2;
  text.replace(text.find("TCR_EL1_T1SZ)=0xc"), 17, "TCR_EL1_T1SZ)=0x10");
  text.replace(text.find("PHYS_OFFSET)=0x40000000"), 23, "PHYS_OFFSET)=0xfff1000040000000");
  text.replace(text.find("SYMBOL(vmemmap)=ffffc1ffbf000000"), 32, "SYMBOL(vmemmap)=fffffdffbf000000");
  auto l = layout(text);
  EXPECT_EQ(l.runtime_va_bits, 48u);
  EXPECT_EQ(l.table_va_bits, 48u);
  EXPECT_EQ(l.levels, 4u);
  EXPECT_FALSE(l.lpa2);
  EXPECT_EQ(l.phys_offset, static_cast<int64_t>(0xfff1000040000000ull));
  EXPECT_EQ(l.page_offset, 0xfff0000000000000ull);
  EXPECT_EQ(l.linear, (Arm64Range{0xffff000000000000ull, 0xffff800000000000ull}));
  EXPECT_FALSE(l.in_linear_map(0xfff0000000000000ull));  // not reachable at 48 bits
  EXPECT_EQ(l.linear_to_phys(0xffff000000000000ull), 0x40000000u);
  EXPECT_EQ(l.kernel_va_start(), 0xffff000000000000ull);
  // VMEMMAP_START stays the 52-bit constant; vmemmap moves with memstart_addr, and the
  // formula gives what the kernel stated (the real 6.12-arm64-nolpa2 note).
  EXPECT_EQ(l.vmemmap, 0xfffffdffbf000000ull);
  const int64_t first_pfn = l.phys_offset >> 12;
  EXPECT_EQ(*l.vmemmap_start - static_cast<uint64_t>(first_pfn) * 64, *l.vmemmap);
}

// A real 6.12-arm64-nolpa2 QEMU note (CI's fresh dumps failed about half the time): KASLR
// put the image at 0xffffd28d..., above the VMEMMAP_START the kernel states for 52 bits
// (0xffffc1ffc0000000). Folded to 48 bits only the top 2 TiB of that is vmemmap; 6.9+
// gives the rest to vmalloc (VMALLOC_END 0xfffffdffbf800000) and KASLR picks from the
// middle half of vmalloc. Taking the stated range for vmemmap dropped every image symbol,
// leaving an image of one page, and the image formula unused.
const char* kDebian612FoldedImageHigh =
    "OSRELEASE=6.12.95+deb12-arm64\nPAGESIZE=4096\n"
    "SYMBOL(init_uts_ns)=ffffd28d35fbb3b8\nSYMBOL(node_online_map)=ffffd28d35c6f930\n"
    "SYMBOL(swapper_pg_dir)=ffffd28d352e9000\nSYMBOL(_stext)=ffffd28d33610000\n"
    "NUMBER(VMALLOC_START)=0xffff800080000000\nSYMBOL(vmemmap)=fffffdffbf000000\n"
    "SYMBOL(mem_section)=ffff00001fede340\nNUMBER(SECTION_SIZE_BITS)=27\n"
    "NUMBER(MAX_PHYSMEM_BITS)=48\nSIZE(page)=64\nSYMBOL(prb)=ffffd28d35c9a710\n"
    "SYMBOL(printk_rb_static)=ffffd28d35c9a808\nSYMBOL(clear_seq)=ffffd28d36038740\n"
    "SYMBOL(kallsyms_names)=ffffd28d34859c98\nSYMBOL(kallsyms_relative_base)=ffffd28d34abcef8\n"
    "NUMBER(VA_BITS)=52\nNUMBER(MODULES_VADDR)=0xffff800000000000\n"
    "NUMBER(MODULES_END)=0xffff800080000000\nNUMBER(VMALLOC_END)=0xfffffdffbf800000\n"
    "NUMBER(VMEMMAP_START)=0xffffc1ffc0000000\nNUMBER(VMEMMAP_END)=0xffffffffc0000000\n"
    "NUMBER(kimage_voffset)=0xffffd28cf3400000\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\n"
    "NUMBER(TCR_EL1_T1SZ)=0x10\nKERNELOFFSET=528cb3600000\n"
    "NUMBER(KERNELPACMASK)=0xffff000000000000\n";

TEST(Arm64Layout, Debian612FoldedImageAboveTheConfiguredVmemmapStart) {
  auto l = layout(kDebian612FoldedImageHigh);
  EXPECT_EQ(l.runtime_va_bits, 48u);
  // The struct pages of the 48-bit linear map: from that of its start (RAM's first pfn
  // here, PHYS_OFFSET puts 1 GiB there) to the stated end; VMALLOC_END is 8 MiB below.
  ASSERT_TRUE(l.vmemmap_region);
  EXPECT_EQ(*l.vmemmap_region, (Arm64Range{0xfffffdffc0000000ull, 0xffffffffc0000000ull}));
  EXPECT_EQ(*l.vmemmap + (0x40000000ull >> 12) * 64, l.vmemmap_region->start);
  EXPECT_EQ(l.vmalloc->end + (8ull << 20), l.vmemmap_region->start);
  // _stext's page to clear_seq's, as on every other layout.
  EXPECT_EQ(l.image, (Arm64Range{0xffffd28d33610000ull, 0xffffd28d36039000ull}));
  EXPECT_TRUE(l.in_image(0xffffd28d352e9000ull));  // swapper_pg_dir
  EXPECT_EQ(l.image_to_phys(0xffffd28d33610000ull), 0x40210000u);
  EXPECT_FALSE(l.in_image(*l.vmemmap + 0x40000ull * 64));
}

// The stated vmemmap range is whole where the linear map is: the configured size runs.
TEST(Arm64Layout, VmemmapRegionAsStatedWhenNotFolded) {
  auto l = layout(kDebian612Lpa2);
  EXPECT_EQ(l.vmemmap_region, (Arm64Range{0xffffc1ffc0000000ull, 0xffffffffc0000000ull}));
  auto l61 = layout(kDebian61);
  EXPECT_EQ(l61.vmemmap_region, (Arm64Range{0xfffffc0000000000ull, 0xfffffe0000000000ull}));
}

// The 16K flavour folded to 47 bits (the real 6.12-arm64-16k-nolpa2 note's numbers): the
// top 1/32 of the stated vmemmap, VMALLOC_END 8 MiB below it.
TEST(Arm64Layout, SixteenKFoldedVmemmapRegion) {
  auto l = layout(
      "OSRELEASE=6.12.95+deb12-arm64-16k\nPAGESIZE=16384\nNUMBER(VA_BITS)=52\n"
      "NUMBER(TCR_EL1_T1SZ)=0x11\nSIZE(page)=64\nNUMBER(kimage_voffset)=0xffffe3f788e00000\n"
      "NUMBER(PHYS_OFFSET)=0xfff0800040000000\nSYMBOL(_stext)=ffffe3f7c9010000\n"
      "NUMBER(VMALLOC_START)=0xffffc00080000000\nNUMBER(VMALLOC_END)=0xffffffbfbf800000\n"
      "NUMBER(VMEMMAP_START)=0xfffff03fc0000000\nNUMBER(VMEMMAP_END)=0xffffffffc0000000\n"
      "SYMBOL(vmemmap)=ffffffbfbfc00000\n");
  ASSERT_TRUE(l.vmemmap_region);
  EXPECT_EQ(*l.vmemmap_region, (Arm64Range{0xffffffbfc0000000ull, 0xffffffffc0000000ull}));
  EXPECT_EQ(*l.vmemmap + (0x40000000ull >> 14) * 64, l.vmemmap_region->start);
  EXPECT_EQ(l.vmalloc->end + (8ull << 20), l.vmemmap_region->start);
}

// The 16K flavour: 52-bit configuration, VA_BITS_MIN 47; 4 levels with LPA2, 3 without.
TEST(Arm64Layout, SixteenKFlavour) {
  const std::string base =
      "OSRELEASE=6.12.0-0-arm64-16k\nPAGESIZE=16384\nNUMBER(VA_BITS)=52\n"
      "NUMBER(kimage_voffset)=0xffffb00000000000\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "SYMBOL(swapper_pg_dir)=ffffc00002000000\n";
  auto l = layout(base + "NUMBER(TCR_EL1_T1SZ)=0xc\n");
  EXPECT_EQ(l.page_shift, 14u);
  EXPECT_EQ(l.levels, 4u);
  EXPECT_TRUE(l.lpa2);
  EXPECT_EQ(l.page_end, 0xffffc00000000000ull);  // -2^46
  auto folded = layout(base + "NUMBER(TCR_EL1_T1SZ)=0x11\n");
  EXPECT_EQ(folded.runtime_va_bits, 47u);
  EXPECT_EQ(folded.levels, 3u);
  EXPECT_FALSE(folded.lpa2);
  EXPECT_EQ(folded.linear, (Arm64Range{0xffff800000000000ull, 0xffffc00000000000ull}));
}

// 64K pages: swapper_pg_dir is built for VA_BITS even when the CPU runs 48 bits.
TEST(Arm64Layout, SixtyFourKWalksTheConfiguredSize) {
  auto l = layout(
      "OSRELEASE=6.6.0\nPAGESIZE=65536\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
      "NUMBER(kimage_voffset)=0xffff7fff80000000\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\n"
      "SYMBOL(swapper_pg_dir)=ffff800002000000\n");
  EXPECT_EQ(l.runtime_va_bits, 48u);
  EXPECT_EQ(l.table_va_bits, 52u);
  EXPECT_EQ(l.levels, 3u);
  EXPECT_FALSE(l.lpa2);  // 64K has LPA, always decoded: no switch
  EXPECT_EQ(l.section_size_bits, 29u);
  EXPECT_EQ(l.max_physmem_bits, 52u);
}

// 5.10: lower-case T1SZ key, no ranges, no SECTION_SIZE_BITS, VMEMMAP_START computed.
TEST(Arm64Layout, Debian510Fallbacks) {
  auto l = layout(
      "OSRELEASE=5.10.0-32-arm64\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "NUMBER(MAX_PHYSMEM_BITS)=48\nNUMBER(tcr_el1_t1sz)=0x10\nKERNELOFFSET=0\n"
      "SYMBOL(swapper_pg_dir)=ffff800011a3c000\nSYMBOL(_stext)=ffff800010010000\nSIZE(page)=64\n");
  EXPECT_EQ(l.runtime_va_bits, 48u);
  EXPECT_EQ(l.section_size_bits, 30u);
  EXPECT_EQ(l.vmemmap_start, 0xfffffdffffe00000ull);
  EXPECT_EQ(l.vmemmap, 0xfffffdffffe00000ull - 0x40000ull * 64);
  EXPECT_FALSE(l.modules);
  EXPECT_EQ(l.computed_keys,
            (std::vector<std::string>{"NUMBER(SECTION_SIZE_BITS)", "NUMBER(VMEMMAP_START)"}));
  EXPECT_EQ(l.image, (Arm64Range{0xffff800010010000ull, 0xffff800011a3d000ull}));
}

// 5.11 to 5.17: the vmemmap projection, no stated VMEMMAP_START.
TEST(Arm64Layout, VmemmapStartBetween511And518) {
  auto l = layout(
      "OSRELEASE=5.15.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n");
  EXPECT_EQ(l.vmemmap_start, 0xfffffc0000000000ull);
  EXPECT_EQ(l.section_size_bits, 27u);
  auto modern = layout(
      "OSRELEASE=6.6.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n");
  EXPECT_FALSE(modern.vmemmap_start);  // 5.18+ states it; no guess for a damaged note
  EXPECT_FALSE(modern.vmemmap);
}

// Before 5.4 the linear map is the top half; the image sits below it.
TEST(Arm64Layout, OldLayoutBefore54) {
  const std::string text =
      "PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(kimage_voffset)=0xffff000008000000\n"
      "NUMBER(PHYS_OFFSET)=0x40000000\nSYMBOL(swapper_pg_dir)=ffff000009a10000\nSIZE(page)=64\n";
  auto l = layout("OSRELEASE=4.19.0-20-arm64\n" + text);
  EXPECT_FALSE(l.flipped);
  EXPECT_EQ(l.page_offset, 0xffff800000000000ull);
  EXPECT_TRUE(l.in_linear_map(0xffffffffffff0000ull));
  EXPECT_FALSE(l.in_linear_map(0xffff7fffffffffffull));
  EXPECT_EQ(l.linear_to_phys(0xffff800000001000ull), 0x40001000u);
  EXPECT_EQ(l.vmemmap_start, 0xffff7e0000000000ull);
  EXPECT_TRUE(l.in_image(0xffff000009a10000ull));
  // Without OSRELEASE the image's place tells the same.
  EXPECT_FALSE(layout(text).flipped);
  EXPECT_TRUE(layout(kDebian61).flipped);
}

TEST(Arm64Layout, TagsAreStripped) {
  EXPECT_EQ(Arm64Layout::untag(0xf2ff00001fed0380ull), 0xffff00001fed0380ull);
  EXPECT_EQ(Arm64Layout::untag(0x0cff00001fed0380ull), 0xffff00001fed0380ull);
  EXPECT_EQ(Arm64Layout::untag(0xff7f000000001000ull), 0x007f000000001000ull);
}

TEST(Arm64Layout, BadValuesAreErrorsNamingTheKey) {
  const std::string ok =
      "NUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n";
  EXPECT_NE(layout_error("NUMBER(VA_BITS)=48\n" + ok).reason.find("PAGESIZE"), std::string::npos);
  EXPECT_NE(layout_error("PAGESIZE=8192\nNUMBER(VA_BITS)=48\n" + ok).reason.find("granule"),
            std::string::npos);
  EXPECT_NE(layout_error("PAGESIZE=4096\n" + ok).reason.find("NUMBER(VA_BITS)"),
            std::string::npos);
  EXPECT_NE(layout_error("PAGESIZE=4096\nNUMBER(VA_BITS)=64\n" + ok).reason.find("36..52"),
            std::string::npos);
  // T1SZ wider than the configuration, or absurd.
  EXPECT_NE(layout_error("PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0xc\n" + ok)
                .reason.find("TCR_EL1_T1SZ"),
            std::string::npos);
  EXPECT_NE(layout_error("PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=-5\n" + ok)
                .reason.find("TCR_EL1_T1SZ"),
            std::string::npos);
  auto missing = layout_error("PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(PHYS_OFFSET)=0\n");
  EXPECT_EQ(missing.kind, ErrorKind::Missing);
  EXPECT_NE(missing.reason.find("NUMBER(kimage_voffset)"), std::string::npos);
  EXPECT_EQ(layout("PAGESIZE=4096\nNUMBER(VA_BITS)=36\n" + ok).levels, 3u);
}

// The runtime VA is VA_BITS or, for a 52-bit configuration on hardware without it,
// VA_BITS_MIN (48; 47 with 16K pages): a T1SZ narrower than that would put the start of
// the kernel range above PAGE_END, and the linear map would wrap round to cover it all.
// Found by fuzz_arm64_translation: an old release (the pre-5.4 layout) with VA_BITS 52 and
// a T1SZ of 48 bits put PAGE_OFFSET (-2^51) below what the running VA reaches (-2^48); the
// linear map starts where the kernel's addresses do.
TEST(Arm64Layout, OldLayoutLinearMapInsideTheRunningVa) {
  auto l = layout(
      "OSRELEASE=2.10.0-32-arm64\nPAGESIZE=4096\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x10\n"
      "NUMBER(kimage_voffset)=0xffffa8c7c0400000\nNUMBER(PHYS_OFFSET)=0xfffffd5e80000000\n"
      "SYMBOL(swapper_pg_dir)=ffffa8c801875000\n");
  EXPECT_FALSE(l.flipped);
  EXPECT_EQ(l.runtime_va_bits, 48u);
  EXPECT_EQ(l.linear.start, l.kernel_va_start());
  EXPECT_EQ(l.linear.end, 0u);
}

TEST(Arm64Layout, T1szNarrowerThanVaBitsMinIsAnError) {
  const std::string ok =
      "OSRELEASE=6.12.0\nNUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n";
  for (const char* bad : {"PAGESIZE=4096\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x19\n",
                          "PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x19\n",
                          "PAGESIZE=16384\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x12\n",
                          "PAGESIZE=65536\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x16\n",
                          // 64 - T1SZ would overflow int64_t
                          "PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(TCR_EL1_T1SZ)=0x8000000000000000\n",
                          "PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(tcr_el1_t1sz)=-9223372036854775808\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_NE(layout_error(bad + ok).reason.find("TCR_EL1_T1SZ"), std::string::npos);
  }
  // The folds the kernel makes are fine, and their linear map is an ordered range.
  for (const char* good : {"PAGESIZE=4096\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x10\n",
                           "PAGESIZE=16384\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x11\n",
                           "PAGESIZE=65536\nNUMBER(VA_BITS)=52\nNUMBER(TCR_EL1_T1SZ)=0x10\n",
                           "PAGESIZE=4096\nNUMBER(VA_BITS)=39\nNUMBER(TCR_EL1_T1SZ)=0x19\n"}) {
    SCOPED_TRACE(good);
    auto l = layout(good + ok);
    EXPECT_LT(l.linear.start, l.linear.end);
    EXPECT_EQ(l.linear.start, l.kernel_va_start());
  }
}

// Values out of their plausible range fall back as if absent.
TEST(Arm64Layout, ImplausibleSparsememNumbersFallBack) {
  auto l = layout(
      "OSRELEASE=6.1.0\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(SECTION_SIZE_BITS)=99\n"
      "NUMBER(MAX_PHYSMEM_BITS)=7\nSIZE(page)=100000\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "NUMBER(MODULES_VADDR)=0xffff800008000000\nNUMBER(MODULES_END)=0xffff800000000000\n");
  EXPECT_EQ(l.section_size_bits, 27u);
  EXPECT_EQ(l.max_physmem_bits, 48u);
  EXPECT_EQ(l.struct_page_size, 64u);
  EXPECT_FALSE(l.modules);  // start after end
}

}  // namespace
}  // namespace vmcap
