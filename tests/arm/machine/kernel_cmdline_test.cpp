// Splitting a command line the kernel's way (lib/cmdline.c next_arg) and naming parameters.
#include "arm/machine/kernel_cmdline.h"

#include <gtest/gtest.h>

namespace vmcap::arm {
namespace {

using Words = std::vector<std::string>;

TEST(KernelCmdline, SplitsOnWhitespace) {
  EXPECT_EQ(split_kernel_cmdline("BOOT_IMAGE=/vmlinuz root=UUID=1 ro  quiet\n"),
            (Words{"BOOT_IMAGE=/vmlinuz", "root=UUID=1", "ro", "quiet"}));
  EXPECT_EQ(split_kernel_cmdline("\t a\tb\r\nc\v\fd "), (Words{"a", "b", "c", "d"}));
  EXPECT_EQ(split_kernel_cmdline(""), Words{});
  EXPECT_EQ(split_kernel_cmdline(" \n "), Words{});
}

TEST(KernelCmdline, QuotesGroupWords) {
  EXPECT_EQ(split_kernel_cmdline("a param=\"x y\" b"), (Words{"a", "param=\"x y\"", "b"}));
  EXPECT_EQ(split_kernel_cmdline("\"param=x y\" b"), (Words{"\"param=x y\"", "b"}));
  EXPECT_EQ(split_kernel_cmdline("a\"b c\"d e"), (Words{"a\"b c\"d", "e"}));
  // An unclosed quote runs to the end of the line.
  EXPECT_EQ(split_kernel_cmdline("a \"b c d"), (Words{"a", "\"b c d"}));
}

TEST(KernelCmdline, Latin1NonBreakingSpaceSeparatesAsInTheKernel) {
  EXPECT_EQ(split_kernel_cmdline("a\xa0" "b"), (Words{"a", "b"}));
}

TEST(KernelCmdline, ANulEndsTheLine) {
  EXPECT_EQ(split_kernel_cmdline(std::string("a b\0c d", 7)), (Words{"a", "b"}));
}

TEST(KernelCmdline, ParameterNames) {
  EXPECT_EQ(cmdline_param_name("root=/dev/sda1"), "root");
  EXPECT_EQ(cmdline_param_name("quiet"), "quiet");
  EXPECT_EQ(cmdline_param_name("\"root=/dev/x y\""), "root");
  EXPECT_EQ(cmdline_param_name("\"quiet\""), "quiet");
  EXPECT_EQ(cmdline_param_name("rd.lvm.lv=vg/root"), "rd.lvm.lv");
  EXPECT_EQ(cmdline_param_name("a=b=c"), "a");
  EXPECT_EQ(cmdline_param_name("=x"), "");
  EXPECT_EQ(cmdline_param_name(""), "");
  EXPECT_EQ(cmdline_param_name("\""), "");
}

TEST(KernelCmdline, DashesAndUnderscoresAreTheSameInNames) {
  EXPECT_TRUE(cmdline_names_equal("panic_on_warn", "panic-on-warn"));
  EXPECT_TRUE(cmdline_names_equal("nr_cpus", "nr_cpus"));
  EXPECT_FALSE(cmdline_names_equal("nr_cpus", "nr_cpu"));
  EXPECT_FALSE(cmdline_names_equal("root", "Root"));
  EXPECT_TRUE(cmdline_name_has_prefix("iscsi-initiator", "iscsi_"));
  EXPECT_FALSE(cmdline_name_has_prefix("rd", "rd."));
}

TEST(KernelCmdline, OpenQuotes) {
  EXPECT_FALSE(cmdline_word_has_open_quote("a=\"b c\""));
  EXPECT_TRUE(cmdline_word_has_open_quote("a=\"b c"));
  EXPECT_FALSE(cmdline_word_has_open_quote("plain"));
}

TEST(KernelCmdline, JoinThenSplitGivesTheWordsBack) {
  const Words w = split_kernel_cmdline("console=ttyS0,115200 a=\"x  y\" \"q r\" --  init arg");
  EXPECT_EQ(split_kernel_cmdline(join_kernel_cmdline(w)), w);
  EXPECT_EQ(join_kernel_cmdline(w), "console=ttyS0,115200 a=\"x  y\" \"q r\" -- init arg");
}

}  // namespace
}  // namespace vmcap::arm
