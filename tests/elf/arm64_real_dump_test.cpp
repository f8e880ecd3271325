// The ELF reader over the real arm64 dumps scripts/make-test-vmcore.sh makes (Debian 5.10,
// 6.1, 6.12 4K and 16K, with and without LPA2; label qemu, fixture test_vmcores_arm64),
// against what the guest reported before the dump: QEMU's ELF dump (p_vaddr == p_paddr,
// RAM at 1 GiB, CORE NT_PRSTATUS + NT_PRFPREG per CPU, pr_pid = cpu index + 1) and the
// capture kernel's /proc/vmcore (the kernel image PT_LOAD first at _text, overlapping RAM;
// linear-map p_vaddr; the crashkernel region left out).
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include "elf/elf_dump.h"
#include "elf/prstatus.h"
#include "tests/support/real_vmcores.h"

namespace vmcap {
namespace {

namespace fs = std::filesystem;
using testing::read_report;

uint64_t hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

class Arm64RealDump : public ::testing::TestWithParam<std::string> {};

TEST_P(Arm64RealDump, MachineCpusAndMemoryMatchTheGuest) {
  const fs::path tag = testing::test_vmcores_dir() / GetParam();
  int checked = 0;
  for (const char* name : {"qemu.elf", "kdump.vmcore"}) {
    if (!fs::exists(tag / name)) continue;  // kdump-only tags have no qemu.elf
    SCOPED_TRACE((tag / name).string());
    const bool qemu = std::string(name) == "qemu.elf";
    auto report = read_report(tag / (qemu ? "qemu.report" : "kdump.report"));
    ASSERT_FALSE(report.empty());
    EXPECT_EQ(report["machine"], "aarch64");
    auto r = ElfDump::open((tag / name).string());
    ASSERT_TRUE(r) << r.error().message();
    const ElfDump& d = **r;
    EXPECT_TRUE(d.warnings().empty()) << d.warnings().front();
    EXPECT_EQ(d.machine(), kEmAarch64);
    EXPECT_EQ(d.word_size(), 64);
    EXPECT_TRUE(d.little_endian());
    auto text = d.vmcoreinfo_text();
    ASSERT_TRUE(text);
    EXPECT_NE(text->find("OSRELEASE=" + report["kernel_release"] + "\n"), std::string::npos);
    EXPECT_NE(text->find("PAGESIZE=" + report["page_size"] + "\n"), std::string::npos);

    auto cpus = read_cpu_states(d);
    EXPECT_TRUE(cpus.warnings.empty()) << cpus.warnings.front();
    ASSERT_EQ(cpus.cpus.size(), std::stoull(report["cpus_online"]));
    const uint64_t text_addr = hex(report["text_addr"]);
    for (size_t i = 0; i < cpus.cpus.size(); ++i) {
      const CpuState& c = cpus.cpus[i];
      EXPECT_FALSE(c.cr3);
      ASSERT_EQ(key_registers(c, d.machine()).size(), 5u);
      if (qemu) EXPECT_EQ(c.pid, i + 1) << "QEMU writes pr_pid = cpu index + 1";
      // Every CPU stopped in kernel code, within 1 GiB of _text.
      EXPECT_GE(c.pc, text_addr);
      EXPECT_LT(c.pc - text_addr, 1ull << 30) << std::hex << c.pc;
    }

    // QEMU virt's RAM starts at 1 GiB: QEMU dumps all of it, the kdump all but the
    // crashkernel reservation.
    ASSERT_FALSE(d.memory().ranges().empty());
    EXPECT_EQ(d.memory().ranges()[0].start, 0x40000000u);
    EXPECT_GE(d.memory().total_bytes(), std::stoull(report["mem_total_kb"]) * 1024);
    ++checked;
    if (qemu) {
      EXPECT_TRUE(d.virtual_mappings().empty());
      continue;
    }
    ASSERT_FALSE(d.virtual_mappings().empty());
    EXPECT_EQ(d.virtual_mappings()[0].vaddr, text_addr) << "the kernel image PT_LOAD at _text";
    const std::string range = report["crashkernel_range"];
    std::byte one[1];
    auto hole = d.memory().read(hex(range.substr(0, range.find('-'))), one);
    ASSERT_FALSE(hole);
    EXPECT_EQ(hole.error().kind, ErrorKind::Hole);
  }
  if (checked == 0) GTEST_SKIP() << "no arm64 dumps in " << tag << " (fixture test_vmcores_arm64 not run)";
}

INSTANTIATE_TEST_SUITE_P(Kernels, Arm64RealDump, ::testing::ValuesIn(testing::test_vmcore_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
