// The capture kernel's command line: every rule of the table on a word made for it, real
// Debian and Fedora lines, the config's edits, and the length limit.
#include "arm/machine/capture_cmdline.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "arm/machine/kernel_cmdline.h"

namespace vmcap::arm {
namespace {

using Words = std::vector<std::string>;

CaptureCmdline build(std::string_view running, CmdlineEdits edits = {}) {
  auto c = build_capture_cmdline(running, edits);
  EXPECT_TRUE(c) << c.error().message();
  return c ? *c : CaptureCmdline{};
}

// The additions of the table, in order.
Words additions() {
  Words w;
  for (const CmdlineRule& r : capture_cmdline_rules())
    if (r.action == RuleAction::Add) w.emplace_back(r.pattern);
  return w;
}

Words concat(Words a, const Words& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const CmdlineChange* change_for(const CaptureCmdline& c, std::string_view word) {
  for (const CmdlineChange& ch : c.changes)
    if (ch.word == word) return &ch;
  return nullptr;
}

TEST(CaptureCmdline, ADebianLine) {
  auto c = build(
      "BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64 root=UUID=0c3d ro quiet crashkernel=384M-:128M "
      "console=tty0 console=ttyS0,115200n8 hugepages=512 hugepagesz=2M\n");
  EXPECT_EQ(c.words, concat({"ro", "console=tty0", "console=ttyS0,115200n8"}, additions()));
  for (const char* w : {"BOOT_IMAGE=/boot/vmlinuz-6.1.0-50-amd64", "root=UUID=0c3d", "quiet",
                        "crashkernel=384M-:128M", "hugepages=512", "hugepagesz=2M"}) {
    const CmdlineChange* ch = change_for(c, w);
    ASSERT_NE(ch, nullptr) << w;
    EXPECT_EQ(ch->kind, CmdlineChange::Kind::Dropped) << w;
    EXPECT_FALSE(ch->reason.empty()) << w;
  }
  EXPECT_EQ(c.line(), join_kernel_cmdline(c.words));
  EXPECT_EQ(c.cmdline_len(), c.line().size() + 1);
  EXPECT_EQ(split_kernel_cmdline(c.line()), c.words);
}

TEST(CaptureCmdline, AFedoraLine) {
  auto c = build(
      "BOOT_IMAGE=(hd0,gpt2)/vmlinuz-6.8.5-301.fc40.x86_64 root=/dev/mapper/fedora-root ro "
      "rd.lvm.lv=fedora/root rd.luks.uuid=luks-3f1e rhgb quiet crashkernel=2G-64G:256M,64G-:512M "
      "resume=/dev/mapper/fedora-swap rootflags=subvol=root");
  EXPECT_EQ(c.words, concat({"ro"}, additions()));
  EXPECT_EQ(change_for(c, "rd.lvm.lv=fedora/root")->kind, CmdlineChange::Kind::Dropped);
  EXPECT_EQ(change_for(c, "rootflags=subvol=root")->kind, CmdlineChange::Kind::Dropped);
}

// Every name of every drop rule, as a bare word, with a value, quoted, and dashed.
TEST(CaptureCmdline, EveryDropRuleDropsItsNames) {
  for (const CmdlineRule& r : capture_cmdline_rules()) {
    if (r.action != RuleAction::Drop) continue;
    std::string_view p = r.pattern;
    while (!p.empty()) {
      const size_t sp = p.find(' ');
      std::string name(p.substr(0, sp));
      p = sp == std::string_view::npos ? std::string_view{} : p.substr(sp + 1);
      if (name.ends_with('*')) name = name.substr(0, name.size() - 1) + "anything";
      std::string dashed = name;
      std::replace(dashed.begin(), dashed.end(), '_', '-');
      for (const std::string& w : {name, name + "=1", "\"" + name + "=a b\"", dashed + "=2"}) {
        auto c = build("console=ttyS0 " + w);
        EXPECT_EQ(c.words.front(), "console=ttyS0") << w;
        EXPECT_EQ(c.words.size(), 1 + additions().size()) << w;
        const CmdlineChange* ch = change_for(c, w);
        ASSERT_NE(ch, nullptr) << w;
        EXPECT_EQ(ch->kind, CmdlineChange::Kind::Dropped);
        EXPECT_EQ(ch->reason, r.reason) << w;
      }
    }
  }
}

TEST(CaptureCmdline, NamesThatOnlyLookAlikeStay) {
  auto c = build("memory_corruption_check=0 rootdelayx=1 ipv6.disable=1 mem_sleep_default=deep rd quiet2 initcall_debug");
  EXPECT_EQ(c.words, concat({"memory_corruption_check=0", "rootdelayx=1", "ipv6.disable=1", "mem_sleep_default=deep",
                             "rd", "quiet2", "initcall_debug"},
                            additions()));
}

TEST(CaptureCmdline, EveryAdditionHasItsReason) {
  auto c = build("");
  EXPECT_EQ(c.words, additions());
  size_t n = 0;
  for (const CmdlineRule& r : capture_cmdline_rules()) {
    if (r.action != RuleAction::Add) continue;
    const CmdlineChange& ch = c.changes.at(n++);
    EXPECT_EQ(ch.kind, CmdlineChange::Kind::Added);
    EXPECT_EQ(ch.word, r.pattern);
    EXPECT_EQ(ch.reason, r.reason);
  }
  EXPECT_EQ(n, c.changes.size());
  for (const char* w : {"irqpoll", "nr_cpus=1", "reset_devices"})  // the kernel docs' three
    EXPECT_NE(std::find(c.words.begin(), c.words.end(), w), c.words.end()) << w;
}

TEST(CaptureCmdline, RunningWordsWithAnAddedNameAreReplaced) {
  auto c = build("panic=-1 nr_cpus=8 irqpoll nr-cpus=4 console=ttyS0");
  EXPECT_EQ(c.words, concat({"console=ttyS0"}, additions()));
  EXPECT_EQ(change_for(c, "panic=-1")->reason, "replaced by panic=10");
  EXPECT_EQ(change_for(c, "nr-cpus=4")->reason, "replaced by nr_cpus=1");
  EXPECT_EQ(std::count(c.words.begin(), c.words.end(), "irqpoll"), 1);
}

TEST(CaptureCmdline, ARunningInitcallBlacklistStaysBesideOurs) {
  // The kernel adds the names of every initcall_blacklist= word to one list: the running
  // system's (a driver that hangs this machine) must reach the capture kernel too.
  auto c = build("initcall_blacklist=foo_init,bar_init console=ttyS0");
  EXPECT_EQ(c.words, concat({"initcall_blacklist=foo_init,bar_init", "console=ttyS0"}, additions()));
  EXPECT_EQ(change_for(c, "initcall_blacklist=foo_init,bar_init"), nullptr);
  EXPECT_NE(std::find(c.words.begin(), c.words.end(), "initcall_blacklist=tracer_init_tracefs"), c.words.end());
  // The config still removes both, or replaces ours.
  auto removed = build("initcall_blacklist=foo_init", {{}, {"initcall_blacklist"}});
  EXPECT_EQ(std::count_if(removed.words.begin(), removed.words.end(),
                          [](const std::string& w) { return w.starts_with("initcall_blacklist"); }),
            0);
  auto replaced = build("", {{"initcall_blacklist=tracer_init_tracefs,foo"}, {}});
  EXPECT_EQ(std::count_if(replaced.words.begin(), replaced.words.end(),
                          [](const std::string& w) { return w.starts_with("initcall_blacklist"); }),
            1);
  // The config's append replaces our word, never the running system's.
  auto appended = build("initcall_blacklist=foo_init console=ttyS0", {{"initcall_blacklist=bar_init"}, {}});
  EXPECT_NE(std::find(appended.words.begin(), appended.words.end(), "initcall_blacklist=foo_init"),
            appended.words.end());
  EXPECT_EQ(appended.words.back(), "initcall_blacklist=bar_init");
  EXPECT_EQ(std::find(appended.words.begin(), appended.words.end(), "initcall_blacklist=tracer_init_tracefs"),
            appended.words.end());
  // The running word again as the config's append: once, where the append puts it.
  auto again = build("initcall_blacklist=bar_init console=ttyS0", {{"initcall_blacklist=bar_init"}, {}});
  EXPECT_EQ(std::count(again.words.begin(), again.words.end(), "initcall_blacklist=bar_init"), 1);
  EXPECT_EQ(again.words.back(), "initcall_blacklist=bar_init");
  ASSERT_NE(change_for(again, "initcall_blacklist=bar_init"), nullptr);
  // Our word on the running line already, in either spelling: once.
  for (const char* running : {"initcall_blacklist=tracer_init_tracefs", "initcall-blacklist=tracer_init_tracefs"}) {
    auto twice = build(running);
    EXPECT_EQ(twice.words, additions()) << running;
    ASSERT_NE(change_for(twice, running), nullptr) << running;
    EXPECT_EQ(change_for(twice, running)->reason, "added as initcall_blacklist=tracer_init_tracefs");
  }
}

TEST(CaptureCmdline, TheConfigRemovesFromTheLineAndTheAdditions) {
  auto c = build("console=ttyS0 vmcap.debug=1 vmcap.x foo=1", {{}, {"usbcore.nousb", "vmcap.*", "foo"}});
  Words want = {"console=ttyS0"};
  for (const std::string& a : additions())
    if (a != "usbcore.nousb") want.push_back(a);
  EXPECT_EQ(c.words, want);
  EXPECT_EQ(change_for(c, "usbcore.nousb")->reason, "config: remove usbcore.nousb");
  EXPECT_EQ(change_for(c, "vmcap.debug=1")->reason, "config: remove vmcap.*");
  EXPECT_EQ(change_for(c, "foo=1")->reason, "config: remove foo");
}

TEST(CaptureCmdline, TheConfigAppendsLastAndReplacesAnAddition) {
  auto c = build("console=tty0 nr_cpus=8", {{"nr_cpus=2", "console=ttyS1", "quiet"}, {}});
  EXPECT_EQ(c.words.back(), "quiet");  // appends are never dropped, even a rule's name
  EXPECT_EQ(std::count(c.words.begin(), c.words.end(), "nr_cpus=1"), 0);
  EXPECT_EQ(std::count(c.words.begin(), c.words.end(), "nr_cpus=2"), 1);
  EXPECT_EQ(c.words.front(), "console=tty0");  // more than one console is fine
  EXPECT_EQ(c.words[c.words.size() - 2], "console=ttyS1");
  EXPECT_EQ(change_for(c, "nr_cpus=1")->reason, "replaced by the config's nr_cpus=2");
  EXPECT_EQ(change_for(c, "nr_cpus=8")->reason, "replaced by the config's nr_cpus=2");
  EXPECT_EQ(change_for(c, "quiet")->reason, "config: append");
}

TEST(CaptureCmdline, BadEditsAreRefused) {
  for (const CmdlineEdits& e : std::vector<CmdlineEdits>{{{"a b"}, {}},
                                                         {{"a=\"b"}, {}},
                                                         {{""}, {}},
                                                         {{" x"}, {}},
                                                         {{}, {""}},
                                                         {{}, {"a=b"}},
                                                         {{}, {"*"}},
                                                         {{}, {"a b"}},
                                                         {{}, {"a*b*"}}}) {
    auto c = build_capture_cmdline("quiet", e);
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().kind, ErrorKind::Usage);
  }
  EXPECT_TRUE(build_capture_cmdline("quiet", {{"a=\"b c\""}, {"rd.*"}}));
}

TEST(CaptureCmdline, InitArgumentsAfterTheSeparatorGo) {
  auto c = build("console=ttyS0 -- single emergency");
  EXPECT_EQ(c.words, concat({"console=ttyS0"}, additions()));
  for (const char* w : {"--", "single", "emergency"})
    EXPECT_NE(change_for(c, w)->reason.find("after --"), std::string::npos) << w;
}

TEST(CaptureCmdline, AnUnclosedQuoteCannotSwallowTheAdditions) {
  auto c = build("console=ttyS0 foo=\"bar baz");
  EXPECT_EQ(c.words, concat({"console=ttyS0"}, additions()));
  EXPECT_NE(change_for(c, "foo=\"bar baz")->reason.find("unclosed quote"), std::string::npos);
  EXPECT_EQ(split_kernel_cmdline(c.line()), c.words);
}

TEST(CaptureCmdline, AUsbConsoleKeepsUsb) {
  auto c = build("console=ttyUSB0,115200");
  EXPECT_EQ(std::count(c.words.begin(), c.words.end(), "usbcore.nousb"), 0);
  EXPECT_EQ(change_for(c, "usbcore.nousb")->reason, "a console= is on USB");
}

TEST(CaptureCmdlineLength, TheKernelsElfcorehdrRoomCounts) {
  EXPECT_TRUE(check_cmdline_fits(2017, 2047));
  auto r = check_cmdline_fits(2018, 2047);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_NE(r.error().reason.find("2018 bytes"), std::string::npos) << r.error().reason;
  EXPECT_NE(r.error().reason.find("2048 > 2047"), std::string::npos) << r.error().reason;
  EXPECT_FALSE(check_cmdline_fits(1, 0));
  EXPECT_TRUE(check_cmdline_fits(225, 255));  // protocol < 2.06: 255
}

TEST(CaptureCmdlineLength, AHugeRunningLineBuildsButDoesNotFit) {
  std::string running;
  for (int i = 0; i < 20000; ++i) running += "vmcap.word" + std::to_string(i) + "=x ";
  auto c = build(running);
  EXPECT_EQ(c.words.size(), 20000 + additions().size());
  EXPECT_FALSE(check_cmdline_fits(c.cmdline_len(), 2047));
}

TEST(CaptureCmdlineLength, TheAdditionsAloneFitTheSmallestLimit) {
  // An empty running line gives the additions only: they must fit an old 255-byte limit.
  EXPECT_TRUE(check_cmdline_fits(build("").cmdline_len(), 255)) << build("").cmdline_len();
}

}  // namespace
}  // namespace vmcap::arm
