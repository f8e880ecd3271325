#include "capture/kernel/printk_generation.h"

#include <gtest/gtest.h>

#include "capture/kernel/feature_keys.h"
#include "capture/kernel/sparsemem_numbers.h"

#include <algorithm>

namespace vmcap {
namespace {

PrintkGeneration gen(const char* text) {
  auto info = VmcoreInfo::parse(text);
  EXPECT_TRUE(info);
  return printk_generation(*info);
}

TEST(PrintkGeneration, ToldFromVmcoreinfoKeys) {
  EXPECT_EQ(gen("SYMBOL(prb)=ffffffff82000000\n"), PrintkGeneration::Lockless);
  EXPECT_EQ(gen("SYMBOL(log_buf)=ffffffff82000000\nSIZE(printk_log)=16\n"), PrintkGeneration::Records);
  EXPECT_EQ(gen("SYMBOL(log_buf)=ffffffff82000000\nSIZE(log)=16\n"), PrintkGeneration::Records);
  EXPECT_EQ(gen("SYMBOL(log_buf)=ffffffff82000000\nSYMBOL(log_end)=ffffffff82000010\n"),
            PrintkGeneration::CharRing);
  EXPECT_EQ(gen("OSRELEASE=1\n"), PrintkGeneration::Unknown);
}

TEST(FeatureKeys, NamesWhatIsMissingPerFeature) {
  auto info = VmcoreInfo::parse("SYMBOL(log_buf)=1\nSYMBOL(log_end)=2\nSYMBOL(init_top_pgt)=3\n");
  ASSERT_TRUE(info);
  auto f = check_feature_keys(*info, 62);
  ASSERT_GE(f.size(), 3u);
  EXPECT_EQ(f[0].feature, "log");
  EXPECT_EQ(f[0].missing, std::vector<std::string>{"SYMBOL(log_buf_len)"});
  EXPECT_EQ(f[1].feature, "x86_64 translation");
  EXPECT_EQ(f[1].missing, std::vector<std::string>{"NUMBER(phys_base)"});
  // Not x86_64: no translation entry.
  auto arm = check_feature_keys(*info, 183);
  for (const auto& x : arm) EXPECT_NE(x.feature, "x86_64 translation");
}

TEST(FeatureKeys, Arm64Translation) {
  auto find = [](const std::vector<FeatureKeys>& fs) {
    for (const auto& f : fs)
      if (f.feature == "arm64 translation") return f;
    return FeatureKeys{"(none)", {}};
  };
  auto info = VmcoreInfo::parse("PAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(PHYS_OFFSET)=0x40000000\n");
  auto f = find(check_feature_keys(*info, 183));
  EXPECT_EQ(f.missing,
            (std::vector<std::string>{"NUMBER(kimage_voffset)", "SYMBOL(swapper_pg_dir)"}));
  EXPECT_EQ(find(check_feature_keys(*info, 62)).feature, "(none)");
  // 52-bit with 4K pages needs T1SZ to know whether the CPU folded to 48 bits; either
  // spelling will do.
  const std::string full =
      "PAGESIZE=4096\nNUMBER(VA_BITS)=52\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nSYMBOL(swapper_pg_dir)=ffff800011000000\n";
  EXPECT_EQ(find(check_feature_keys(*VmcoreInfo::parse(full), 183)).missing,
            std::vector<std::string>{"NUMBER(TCR_EL1_T1SZ)"});
  EXPECT_TRUE(find(check_feature_keys(*VmcoreInfo::parse(full + "NUMBER(tcr_el1_t1sz)=0x10\n"), 183))
                  .missing.empty());
}

// The page filter's sparsemem sizes: missing on x86_64 when VMCOREINFO lacks them, computed
// (so not missing) for an arm64 kernel whose layout is known (5.10 without the backport).
TEST(FeatureKeys, PageFilterSparsememKeysComputedOnArm64) {
  auto filter = [](const std::vector<FeatureKeys>& fs) {
    for (const auto& f : fs)
      if (f.feature == "page filter") return f.missing;
    return std::vector<std::string>{"(none)"};
  };
  const std::string arm64 =
      "OSRELEASE=5.10.0-32-arm64\nPAGESIZE=4096\nNUMBER(VA_BITS)=48\nNUMBER(PHYS_OFFSET)=0x40000000\n"
      "NUMBER(kimage_voffset)=0xffff800010000000\nSYMBOL(swapper_pg_dir)=ffff800011000000\n";
  auto info = VmcoreInfo::parse(arm64);
  ASSERT_TRUE(info);
  auto on_x86 = filter(check_feature_keys(*info, 62)), on_arm64 = filter(check_feature_keys(*info, 183));
  auto has = [](const std::vector<std::string>& v, const char* k) { return std::find(v.begin(), v.end(), k) != v.end(); };
  EXPECT_TRUE(has(on_x86, "NUMBER(SECTION_SIZE_BITS)"));
  EXPECT_TRUE(has(on_x86, "NUMBER(MAX_PHYSMEM_BITS)"));
  EXPECT_FALSE(has(on_arm64, "NUMBER(SECTION_SIZE_BITS)"));
  EXPECT_FALSE(has(on_arm64, "NUMBER(MAX_PHYSMEM_BITS)"));
  EXPECT_TRUE(has(on_arm64, "SYMBOL(mem_section)"));  // what cannot be computed still is
  const SparsememNumbers n = sparsemem_numbers(*info, 183);
  EXPECT_EQ(n.section_size_bits, 30);  // before 5.12
  EXPECT_EQ(n.max_physmem_bits, 48);
  EXPECT_EQ(n.computed.size(), 2u);
  EXPECT_FALSE(sparsemem_numbers(*info, 62).section_size_bits);
}

}  // namespace
}  // namespace vmcap
