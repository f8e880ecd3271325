// Where to set crashkernel=, and the other settings that would fight it.
#include "arm/machine/grub_advice.h"

#include <gtest/gtest.h>

#include "tests/arm/machine/fake_root.h"

namespace vmcap::arm {
namespace {

using testing::FakeRoot;

TEST(GrubAdvice, TheSnippetAndTheCommand) {
  FakeRoot m;
  auto a = crashkernel_advice(144u << 20, m.root());
  EXPECT_EQ(a.parameter, "crashkernel=144M");
  EXPECT_EQ(a.file, "/etc/default/grub.d/vmcap.cfg");
  EXPECT_EQ(a.content, "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX crashkernel=144M\"\n");
  EXPECT_EQ(a.command, "update-grub");
  EXPECT_TRUE(a.conflicts.empty());
  EXPECT_EQ(crashkernel_advice((96u << 20) + 1, m.root()).parameter, "crashkernel=97M");
}

TEST(GrubAdvice, KdumpToolsSnippetWinsOverOurs) {
  FakeRoot m;
  m.put("/etc/default/grub",
        "GRUB_DEFAULT=0\n# GRUB_CMDLINE_LINUX=\"crashkernel=1G\"\nGRUB_CMDLINE_LINUX=\"crashkernel=256M\"\n");
  m.put("/etc/default/grub.d/kdump-tools.cfg",
        "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M\"\n");
  m.put("/etc/default/grub.d/vmcap.cfg", "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX crashkernel=96M\"\n");
  m.put("/etc/default/grub.d/zz-local.cfg", "GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX crashkernel=512M\"\n");
  m.put("/etc/default/grub.d/notes.txt", "crashkernel=1M\n");
  auto a = crashkernel_advice(144u << 20, m.root());
  ASSERT_EQ(a.conflicts.size(), 3u);
  EXPECT_EQ(a.conflicts[0].where, "/etc/default/grub:3");
  EXPECT_FALSE(a.conflicts[0].wins);  // before ours on the line: ours is the last
  EXPECT_EQ(a.conflicts[1].where, "/etc/default/grub.d/kdump-tools.cfg:1");
  EXPECT_TRUE(a.conflicts[1].wins);  // _DEFAULT comes after GRUB_CMDLINE_LINUX
  EXPECT_EQ(a.conflicts[2].where, "/etc/default/grub.d/zz-local.cfg:1");
  EXPECT_TRUE(a.conflicts[2].wins);  // sourced after vmcap.cfg
}

TEST(GrubAdvice, LongLinesAreCut) {
  FakeRoot m;
  m.put("/etc/default/grub", "GRUB_CMDLINE_LINUX=\"crashkernel=1G " + std::string(5000, 'x') + "\"\n");
  auto a = crashkernel_advice(1u << 30, m.root());
  ASSERT_EQ(a.conflicts.size(), 1u);
  EXPECT_EQ(a.conflicts[0].line.size(), 200u);
}

}  // namespace
}  // namespace vmcap::arm
