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

}  // namespace
}  // namespace vmcap
