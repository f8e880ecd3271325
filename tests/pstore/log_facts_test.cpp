// The kernel release and the panic line from a dump's text, and the printk prefix of its lines.
#include "pstore/records/log_facts.h"

#include <gtest/gtest.h>

#include "pstore/records/log_line.h"

namespace vmcap::pstore {
namespace {

TEST(LogLine, PrefixesAreStripped) {
  EXPECT_EQ(printk_line_message("<6>[    0.000000] Linux version 6.1.0"), "Linux version 6.1.0");
  EXPECT_EQ(printk_line_message("<0>[12345.678901] Kernel panic"), "Kernel panic");
  EXPECT_EQ(printk_line_message("<4>[    1.000000][    T1] with caller"), "with caller");
  EXPECT_EQ(printk_line_message("<4>[     C0] caller only"), "caller only");
  EXPECT_EQ(printk_line_message("<12>no time"), "no time");
  EXPECT_EQ(printk_line_message("<6>[    1.0] [not a time] kept"), "[not a time] kept");
  EXPECT_EQ(printk_line_message("<6>[ x.y] text"), "[ x.y] text");
  EXPECT_EQ(printk_line_message("mid-line text"), "mid-line text");
  EXPECT_EQ(printk_line_message("<6"), "<6");
  EXPECT_EQ(printk_line_message("<>x"), "<>x");
  EXPECT_EQ(printk_line_message("<123456>x"), "<123456>x");
  EXPECT_EQ(printk_line_message(""), "");
  EXPECT_TRUE(starts_with_printk_prefix("<6>[    1.0] x"));
  EXPECT_TRUE(starts_with_printk_prefix("<14>x"));
  EXPECT_FALSE(starts_with_printk_prefix("ine end\n<6>"));
  EXPECT_FALSE(starts_with_printk_prefix(""));
}

TEST(LogFacts, ReleaseFromTheBanner) {
  const LogFacts f = read_log_facts(
      "<5>[    0.000000] Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) "
      "12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1 (2024-02-01)\n"
      "<6>[    0.000000] Command line: console=ttyS0\n");
  EXPECT_EQ(f.kernel_release, "6.1.0-18-amd64");
  EXPECT_EQ(f.release_from, ReleaseSource::LinuxVersionLine);
  EXPECT_FALSE(f.panic_line);
}

TEST(LogFacts, ReleaseFromAnOopsCpuLine) {
  struct Case {
    const char* line;
    const char* release;
  };
  for (const Case& c : {
           Case{"<4>[   12.345678] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1",
                "6.1.0-18-amd64"},
           Case{"<4>[   12.345678] CPU: 1 UID: 0 PID: 245 Comm: sh Not tainted 6.12.12-amd64 #1  Debian 6.12.12-1~bpo12+1",
                "6.12.12-amd64"},
           Case{"<4>[   12.3] CPU: 3 PID: 99 Comm: my prog Tainted: G        W  OE      5.10.0-28-amd64 #1 Debian",
                "5.10.0-28-amd64"},
           Case{"<4>[   12.3] CPU: 0 PID: 1 Comm: bash Kdump: loaded Tainted: P           O      6.1.0 #1", "6.1.0"},
           Case{"CPU: 0 PID: 1 Comm: init Not tainted 4.19.0-custom #7 abcdef0123", "4.19.0-custom"},
       }) {
    SCOPED_TRACE(c.line);
    const LogFacts f = read_log_facts(std::string("<4>[   12.0] ------------[ cut here ]------------\n") + c.line + "\n");
    EXPECT_EQ(f.kernel_release, c.release);
    EXPECT_EQ(f.release_from, ReleaseSource::OopsCpuLine);
  }
  for (const char* line : {"<4>[ 1.0] CPU: 0 PID: 1 Comm: x Not tainted", "<4>[ 1.0] CPU: 0 PID: 1 Comm: x Tainted: G",
                           "<4>[ 1.0] CPU: 0 PID: 1 Comm: x Not tainted #1", "<6>[ 1.0] CPU: 0 online",
                           "<4>[ 1.0] CPU: 0 PID: 1 Not tainted 6.1.0 #1"}) {
    SCOPED_TRACE(line);
    EXPECT_FALSE(read_log_facts(line).kernel_release);
  }
}

TEST(LogFacts, TheBannerWinsOverTheCpuLine) {
  const LogFacts f = read_log_facts(
      "<4>[ 1.0] CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-a #1\n<5>[ 0.0] Linux version 6.1.0-b (x) #1\n");
  EXPECT_EQ(f.kernel_release, "6.1.0-b");
  EXPECT_EQ(f.release_from, ReleaseSource::LinuxVersionLine);
}

TEST(LogFacts, PanicLine) {
  const LogFacts f = read_log_facts(
      "<6>[   30.000000] sysrq: Trigger a crash\n"
      "<0>[   30.000100] Kernel panic - not syncing: sysrq triggered crash\n"
      "<4>[   30.000200] CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-18-amd64 #1  Debian 6.1.76-1\n"
      "<0>[   30.010000] ---[ end Kernel panic - not syncing: sysrq triggered crash ]---\n");
  EXPECT_EQ(f.panic_line, "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(f.kernel_release, "6.1.0-18-amd64");

  // Only the end marker left (the panic line fell out of an earlier, lost part).
  const LogFacts end = read_log_facts("<0>[ 3.0] ---[ end Kernel panic - not syncing: Fatal exception ]---");
  EXPECT_EQ(end.panic_line, "Kernel panic - not syncing: Fatal exception");
  EXPECT_FALSE(end.kernel_release);

  EXPECT_FALSE(read_log_facts("").panic_line);
  EXPECT_FALSE(read_log_facts("<6>[ 1.0] no panic here\n").panic_line);
  // Mid-line text (a cut part's first line) is read as it is.
  EXPECT_EQ(read_log_facts("Kernel panic - not syncing: x\n").panic_line, "Kernel panic - not syncing: x");
}

TEST(LogFacts, LongLinesAndGarbage) {
  std::string text(kMaxFactLineBytes + 1, 'x');
  text += "\n<5>[ 0.0] Linux version 6.1.0 (x)\n";
  EXPECT_EQ(read_log_facts(text).kernel_release, "6.1.0");
  EXPECT_FALSE(read_log_facts("Linux version \x01\x02 x").kernel_release);
  EXPECT_FALSE(read_log_facts("Linux version ").kernel_release);
  EXPECT_FALSE(read_log_facts(std::string("\0\0\0\n\n\n", 6)).kernel_release);
}

}  // namespace
}  // namespace vmcap::pstore
