#include "capture/kernel/vmcoreinfo.h"

#include <gtest/gtest.h>

namespace vmcap {
namespace {

TEST(VmcoreInfo, ParsesEveryKindOfKey) {
  auto info = VmcoreInfo::parse(
      "OSRELEASE=6.1.0-41-amd64\nPAGESIZE=4096\nSYMBOL(prb)=ffffffff8f0a1b20\n"
      "OFFSET(printk_info.seq)=0\nSIZE(printk_info)=88\nLENGTH(mem_section)=2048\n"
      "NUMBER(phys_base)=-2147483648\nKERNELOFFSET=e000000\nCRASHTIME=1763770000\n");
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->value("OSRELEASE"), "6.1.0-41-amd64");
  EXPECT_EQ(info->page_size(), 4096u);
  EXPECT_EQ(info->symbol("prb"), 0xffffffff8f0a1b20u);
  EXPECT_EQ(info->offset("printk_info.seq"), 0u);
  EXPECT_EQ(info->size("printk_info"), 88u);
  EXPECT_EQ(info->length("mem_section"), 2048u);
  EXPECT_EQ(info->number("phys_base"), -2147483648LL);
  EXPECT_EQ(info->kernel_offset(), 0xe000000u);
  EXPECT_EQ(info->crash_time(), 1763770000);
  EXPECT_TRUE(info->has("SYMBOL(prb)"));
  EXPECT_EQ(info->entries().size(), 9u);
}

TEST(VmcoreInfo, StopsAtNulPadding) {
  std::string text("PAGESIZE=4096\n\0\0\0GARBAGE=1\n", 28);
  auto info = VmcoreInfo::parse(text);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->value("GARBAGE"));
  EXPECT_EQ(info->page_size(), 4096u);
}

TEST(VmcoreInfo, MissingKeyErrorNamesTheKey) {
  auto info = VmcoreInfo::parse("PAGESIZE=4096\n");
  ASSERT_TRUE(info);
  auto sym = info->require_symbol("prb");
  ASSERT_FALSE(sym);
  EXPECT_EQ(sym.error().kind, ErrorKind::Missing);
  EXPECT_EQ(sym.error().message(), "VMCOREINFO has no SYMBOL(prb)");
}

TEST(VmcoreInfo, BadNumberIsAnErrorNamingTheLine) {
  auto info = VmcoreInfo::parse("SYMBOL(prb)=zz\n", "core");
  ASSERT_FALSE(info);
  EXPECT_NE(info.error().message().find("SYMBOL(prb)=zz"), std::string::npos);
  EXPECT_NE(info.error().message().find("core: "), std::string::npos);
}

TEST(VmcoreInfo, MalformedLinesAreKeptNotFatal) {
  auto info = VmcoreInfo::parse("junk line\nPAGESIZE=4096\n");
  ASSERT_TRUE(info);
  ASSERT_EQ(info->malformed_lines().size(), 1u);
  EXPECT_EQ(info->page_size(), 4096u);
}

}  // namespace
}  // namespace vmcap

namespace vmcap {
namespace {

// 6.12 prints a few NUMBERs in hex: NUMBER(VMALLOC_START)=0xffffcd3680000000.
TEST(VmcoreInfo, HexNumbersAsLinux612PrintsThem) {
  auto info = VmcoreInfo::parse("NUMBER(VMALLOC_START)=0xffffcd3680000000\nNUMBER(x)=-5\n");
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(static_cast<uint64_t>(*info->number("VMALLOC_START")), 0xffffcd3680000000u);
  EXPECT_EQ(info->number("x"), -5);
}

TEST(VmcoreInfo, TooManyLinesIsALimitError) {
  std::string text;
  for (int i = 0; i < 70000; ++i) text += "K=v\n";
  auto info = VmcoreInfo::parse(text);
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, ErrorKind::Limit);
}

// arm64 prints decimal (VA_BITS), 0x-hex (addresses, T1SZ, and a PHYS_OFFSET above
// INT64_MAX when 6.12 folds to 48 bits), hex without 0x (KERNELOFFSET, SYMBOLs) and the
// T1SZ key in lower case on 5.9/5.10.
TEST(VmcoreInfo, ParsesEveryArm64Key) {
  auto info = VmcoreInfo::parse(
      "OSRELEASE=6.12.95+deb12-arm64\nPAGESIZE=16384\nNUMBER(VA_BITS)=52\n"
      "NUMBER(kimage_voffset)=0xffffa41e5bc00000\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\n"
      "NUMBER(TCR_EL1_T1SZ)=0xc\nNUMBER(tcr_el1_t1sz)=0x10\nKERNELOFFSET=241e1be00000\n"
      "NUMBER(KERNELPACMASK)=0xfff0000000000000\nNUMBER(MODULES_VADDR)=0xffff800000000000\n"
      "NUMBER(VMEMMAP_END)=0xffffffffc0000000\nNUMBER(MAX_PHYSMEM_BITS)=52\n"
      "NUMBER(SECTION_SIZE_BITS)=27\nSYMBOL(vmemmap)=ffffc1ffbf000000\n"
      "SYMBOL(swapper_pg_dir)=ffffa41e9dae9000\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-268435456\n");
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->page_size(), 16384u);
  EXPECT_EQ(info->number("VA_BITS"), 52);
  EXPECT_EQ(static_cast<uint64_t>(*info->number("kimage_voffset")), 0xffffa41e5bc00000ull);
  EXPECT_EQ(static_cast<uint64_t>(*info->number("PHYS_OFFSET")), 0xfff1000040000000ull);
  EXPECT_LT(*info->number("PHYS_OFFSET"), 0);  // memstart_addr is signed
  EXPECT_EQ(info->number("TCR_EL1_T1SZ"), 12);
  EXPECT_EQ(info->number("tcr_el1_t1sz"), 16);  // keys are case-sensitive, both kept
  EXPECT_EQ(info->kernel_offset(), 0x241e1be00000ull);
  EXPECT_EQ(static_cast<uint64_t>(*info->number("KERNELPACMASK")), 0xfff0000000000000ull);
  EXPECT_EQ(static_cast<uint64_t>(*info->number("MODULES_VADDR")), 0xffff800000000000ull);
  EXPECT_EQ(static_cast<uint64_t>(*info->number("VMEMMAP_END")), 0xffffffffc0000000ull);
  EXPECT_EQ(info->number("MAX_PHYSMEM_BITS"), 52);
  EXPECT_EQ(info->number("SECTION_SIZE_BITS"), 27);
  EXPECT_EQ(info->symbol("vmemmap"), 0xffffc1ffbf000000ull);
  EXPECT_EQ(info->symbol("swapper_pg_dir"), 0xffffa41e9dae9000ull);
  EXPECT_EQ(info->number("PAGE_BUDDY_MAPCOUNT_VALUE"), -268435456);
  EXPECT_EQ(info->release_version(), (KernelVersion{6, 12}));
}

TEST(VmcoreInfo, KernelOffsetWithOrWithoutPrefix) {
  EXPECT_EQ(VmcoreInfo::parse("KERNELOFFSET=0x1f000000\n")->kernel_offset(), 0x1f000000u);
  EXPECT_EQ(VmcoreInfo::parse("KERNELOFFSET=0\n")->kernel_offset(), 0u);
  EXPECT_FALSE(VmcoreInfo::parse("KERNELOFFSET=zz\n")->kernel_offset());
}

TEST(VmcoreInfo, ReleaseVersion) {
  auto v = [](const char* rel) {
    return VmcoreInfo::parse(std::string("OSRELEASE=") + rel + "\n")->release_version();
  };
  EXPECT_EQ(v("5.10.0-32-arm64"), (KernelVersion{5, 10}));
  EXPECT_EQ(v("4.19.0"), (KernelVersion{4, 19}));
  EXPECT_EQ(v("6.1"), (KernelVersion{6, 1}));
  EXPECT_LT(*v("5.4.0"), (KernelVersion{5, 10}));
  EXPECT_FALSE(v("6"));
  EXPECT_FALSE(v("6."));
  EXPECT_FALSE(v("x.1"));
  EXPECT_FALSE(v(""));
  EXPECT_FALSE(VmcoreInfo::parse("PAGESIZE=4096\n")->release_version());
}

// A hex NUMBER must say so with 0x: digits alone are decimal, and hex digits without the
// prefix are an error naming the line rather than a silent misreading.
TEST(VmcoreInfo, HexNumbersNeedThePrefix) {
  EXPECT_EQ(VmcoreInfo::parse("NUMBER(VA_BITS)=48\n")->number("VA_BITS"), 48);
  auto bad = VmcoreInfo::parse("NUMBER(kimage_voffset)=ffff800010000000\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().reason.find("NUMBER(kimage_voffset)"), std::string::npos);
}

}  // namespace
}  // namespace vmcap
