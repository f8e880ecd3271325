#include "capture/kernel/printk_generation.h"

#include <gtest/gtest.h>

#include "capture/kernel/feature_keys.h"

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

}  // namespace
}  // namespace vmcap
