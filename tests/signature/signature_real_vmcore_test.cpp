// Crash signatures of real dumps (sysrq-c on Debian 5.10, 6.1, 6.12), checked against the
// guests' serial consoles, which printed the same panic independently of memory: the
// signature read from the dump equals the one computed from the console. The hash must
// be the same for every kernel (the frames agree once offsets, ".cold" suffixes and the
// dump_stack/panic machinery are gone) and for another boot of the same kernel (the
// QEMU dump of the same tag: a different boot, KASLR offset, format and pc).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <regex>

#include "capture/signature/dump_signature.h"
#include "tests/signature/real_vmcores.h"

namespace vmcap {
namespace {

using test::open_vmcore;
using test::plain_tags;
using test::report_value;
using test::vmcore_path;

const std::vector<std::string> kSysrqFrames = {
    "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger", "proc_reg_write",
    "vfs_write",          "ksys_write",     "do_syscall_64",       "entry_SYSCALL_64_after_hwframe"};

CrashSignature of(const std::string& path) {
  std::string error;
  auto v = open_vmcore(path, error);
  EXPECT_TRUE(v) << path << ": " << error;
  if (!v) return {};
  auto sig = signature_of_dump(*v->dump, v->view);
  EXPECT_TRUE(sig) << sig.error().message();
  return sig ? *sig : CrashSignature{};
}

// The console lines of the crash (from "sysrq: Trigger a crash" on), as printed.
std::vector<std::string> console_crash(const std::string& tag) {
  std::ifstream in(vmcore_path(tag, "kdump.console.log"));
  std::vector<std::string> out;
  bool on = false;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find("sysrq: Trigger a crash") != std::string::npos) on = true;
    if (on && line.find("Linux version") != std::string::npos) break;  // the capture kernel
    if (on) out.push_back(line);
  }
  return out;
}

TEST(SignatureRealVmcore, EveryKernelSysrqCrashHasTheSameSignature) {
  auto tags = plain_tags();
  ASSERT_FALSE(tags.empty());
  std::set<std::string> hashes;
  for (const auto& tag : tags) {
    SCOPED_TRACE(tag);
    CrashSignature sig = of(vmcore_path(tag));
    EXPECT_EQ(sig.reason, "Kernel panic - not syncing: sysrq triggered crash");
    EXPECT_EQ(sig.frames, kSysrqFrames);
    ASSERT_TRUE(sig.pc);
    EXPECT_TRUE(std::regex_match(sig.hash, std::regex("[0-9a-f]{16}"))) << sig.hash;
    if (tag == "5.10") {  // no kallsyms in its VMCOREINFO
      EXPECT_EQ(sig.symbol, "");
      bool said = false;
      for (const auto& w : sig.warnings) said |= w.find("kallsyms") != std::string::npos;
      EXPECT_TRUE(said);
    } else {
      // kdump saves the registers in __crash_kexec (crash's bt frame #1 on 6.1).
      EXPECT_TRUE(std::regex_match(sig.symbol, std::regex("__crash_kexec\\+0x[0-9a-f]+/0x[0-9a-f]+")))
          << sig.symbol;
    }
    // The console printed the same crash: same reason, frames and hash.
    auto console = console_crash(tag);
    ASSERT_GT(console.size(), 10u);
    CrashSignature from_console = compute_crash_signature(console, std::nullopt, nullptr);
    EXPECT_EQ(from_console.reason, sig.reason);
    EXPECT_EQ(from_console.frames, sig.frames);
    EXPECT_EQ(from_console.hash, sig.hash);
    hashes.insert(sig.hash);
  }
  EXPECT_EQ(hashes.size(), 1u) << "the same bug on 5.10, 6.1 and 6.12 hashes alike";
}

// The QEMU dump of each tag is of a guest that did not crash (make-test-vmcore's qemu
// mode dumps a running kernel): no reason, no trace, whatever its pc.
TEST(SignatureRealVmcore, RunningKernelHasNoCrashReason) {
  for (const auto& tag : plain_tags()) {
    SCOPED_TRACE(tag);
    CrashSignature sig = of(vmcore_path(tag, "qemu.elf"));
    EXPECT_EQ(sig.reason, "");
    EXPECT_TRUE(sig.frames.empty());
    EXPECT_TRUE(sig.pc);
  }
}

// Another boot of the same kernel crashing the same way (other KASLR offset, pids,
// timestamps): TAG-filter from make-test-vmcore's kdump tags when it was made, and
// VMCAP_SIGNATURE_OTHER_VMCORES=DIR/TAG/kdump.vmcore (e.g. a developer's build-vm/tv3).
TEST(SignatureRealVmcore, AnotherBootOfTheSameKernelHashesAlike) {
  size_t compared = 0;
  for (const auto& tag : plain_tags()) {
    std::vector<std::string> others{vmcore_path(tag + "-filter")};
    if (const char* dir = std::getenv("VMCAP_SIGNATURE_OTHER_VMCORES"))
      others.push_back(std::string(dir) + "/" + tag + "/kdump.vmcore");
    for (const auto& other : others) {
      if (!std::filesystem::exists(other)) continue;
      SCOPED_TRACE(other);
      auto report = std::filesystem::path(other).replace_filename("kdump.report").string();
      auto kaslr = report_value(report, "kaslr_offset");
      auto ours = report_value(vmcore_path(tag, "kdump.report"), "kaslr_offset");
      ASSERT_TRUE(kaslr && ours);
      EXPECT_NE(*kaslr, *ours) << "not another boot";
      CrashSignature a = of(vmcore_path(tag));
      CrashSignature b = of(other);
      EXPECT_EQ(b.reason, a.reason);
      EXPECT_EQ(b.frames, a.frames);
      EXPECT_EQ(b.hash, a.hash);
      ++compared;
    }
  }
  if (compared == 0) GTEST_SKIP() << "no second boot of a plain tag here (TAG-filter, VMCAP_SIGNATURE_OTHER_VMCORES)";
}

}  // namespace
}  // namespace vmcap
