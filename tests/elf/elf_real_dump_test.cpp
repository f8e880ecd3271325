// The ELF reader over real dumps made by scripts/make-test-vmcore.sh (QEMU dump-guest-memory
// and a real kdump /proc/vmcore of Debian kernels), checked against what the guest itself
// reported before the dump (uname, /proc/kallsyms, /proc/iomem): the oracle is the kernel.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "elf/elf_dump.h"
#include "elf/prstatus.h"

namespace vmcap {
namespace {

namespace fs = std::filesystem;
using KeyValues = std::map<std::string, std::string>;

KeyValues parse_lines(std::istream& in) {
  KeyValues kv;
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

KeyValues read_report(const fs::path& p) {
  std::ifstream in(p);
  return parse_lines(in);
}

// The machine a tag's guest reported (qemu.report or kdump.report); "" when neither exists.
std::string reported_machine(const fs::path& tag) {
  for (const char* r : {"qemu.report", "kdump.report"})
    if (fs::exists(tag / r)) return read_report(tag / r)["machine"];
  return "";
}

// Tag folders of one machine's guests (x86_64 ones reported no machine before arm64 came).
std::vector<fs::path> tag_dirs(const std::string& machine = "x86_64") {
  const char* root = std::getenv("VMCAP_TEST_VMCORES");
  std::vector<fs::path> out;
  if (!root || !fs::is_directory(root)) return out;
  for (const auto& e : fs::directory_iterator(root)) {
    if (!e.is_directory() || e.path().filename().string()[0] == '.') continue;
    const std::string m = reported_machine(e.path());
    if (m == machine || (m.empty() && machine == "x86_64")) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string cstr(const std::vector<char>& buf, size_t at) { return std::string(buf.data() + at); }

// Reads the kernel's own utsname through VMCOREINFO and the dump's physical memory.
void expect_utsname(const ElfDump& d, const KeyValues& info, const KeyValues& report) {
  ASSERT_TRUE(info.count("SYMBOL(init_uts_ns)"));
  const uint64_t sym = std::stoull(info.at("SYMBOL(init_uts_ns)"), nullptr, 16);
  const int64_t phys_base = std::stoll(info.at("NUMBER(phys_base)"));
  // uts_namespace.name follows a struct kref (4 bytes) where VMCOREINFO does not say.
  const uint64_t name_off = info.count("OFFSET(uts_namespace.name)")
                                ? std::stoull(info.at("OFFSET(uts_namespace.name)"))
                                : 4;
  const uint64_t paddr = sym - 0xffffffff80000000ull + static_cast<uint64_t>(phys_base) + name_off;
  std::vector<char> uts(65 * 6, '\0');
  auto r = d.memory().read(paddr, std::as_writable_bytes(std::span(uts)));
  ASSERT_TRUE(r) << r.error().message();
  uts.back() = '\0';
  EXPECT_EQ(cstr(uts, 0), "Linux");
  EXPECT_EQ(cstr(uts, 65 * 2), report.at("kernel_release"));
  EXPECT_EQ(cstr(uts, 65 * 3), report.at("kernel_version"));
  EXPECT_EQ(cstr(uts, 65 * 4), report.at("machine"));
}

void check_common(const ElfDump& d, const KeyValues& report, KeyValues& info) {
  EXPECT_TRUE(d.warnings().empty()) << d.warnings().front();
  EXPECT_EQ(d.machine(), kEmX86_64);
  EXPECT_EQ(d.word_size(), 64);
  EXPECT_TRUE(d.little_endian());
  auto text = d.vmcoreinfo_text();
  ASSERT_TRUE(text);
  std::istringstream in(*text);
  info = parse_lines(in);
  EXPECT_EQ(info["OSRELEASE"], report.at("kernel_release"));
  EXPECT_EQ(std::stoull(info["KERNELOFFSET"], nullptr, 16),
            std::stoull(report.at("kaslr_offset"), nullptr, 16));
  expect_utsname(d, info, report);

  auto cpus = read_cpu_states(d);
  EXPECT_TRUE(cpus.warnings.empty());
  ASSERT_GE(cpus.cpus.size(), 1u);
  const uint64_t text_addr = std::stoull(report.at("text_addr"), nullptr, 16);
  bool some_pc_in_kernel = false;
  for (const auto& c : cpus.cpus) some_pc_in_kernel |= c.pc >= text_addr && c.pc - text_addr < (1u << 30);
  EXPECT_TRUE(some_pc_in_kernel);
}

TEST(ElfRealDump, QemuDumpGuestMemory) {
  auto tags = tag_dirs();
  if (tags.empty()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set or empty (qemu fixture not run)";
  int checked = 0;
  for (const auto& tag : tags) {
    if (!fs::exists(tag / "qemu.elf")) continue;
    SCOPED_TRACE(tag.string());
    const KeyValues report = read_report(tag / "qemu.report");
    for (bool use_mmap : {false, true}) {
      auto r = ElfDump::open((tag / "qemu.elf").string(), ElfOpenOptions{use_mmap});
      ASSERT_TRUE(r) << r.error().message();
      const ElfDump& d = **r;
      KeyValues info;
      check_common(d, report, info);
      // QEMU: no virtual addresses; RAM from 0, at least what the guest saw as MemTotal.
      EXPECT_TRUE(d.virtual_mappings().empty());
      ASSERT_FALSE(d.memory().ranges().empty());
      EXPECT_EQ(d.memory().ranges()[0].start, 0u);
      EXPECT_GE(d.memory().total_bytes(), std::stoull(report.at("mem_total_kb")) * 1024);
      // One CORE + one QEMU note per CPU; CR3 is a page-aligned address inside the dump.
      auto cpus = read_cpu_states(d);
      EXPECT_EQ(cpus.cpus.size(), std::stoull(report.at("cpus_online")));
      for (const auto& c : cpus.cpus) {
        ASSERT_TRUE(c.cr3);
        const uint64_t root = *c.cr3 & 0x000ffffffffff000ull;
        EXPECT_NE(root, 0u);
        std::byte page_table[4096];
        EXPECT_TRUE(d.memory().read(root, page_table));
      }
    }
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no qemu.elf under VMCAP_TEST_VMCORES";
}

TEST(ElfRealDump, KdumpProcVmcore) {
  auto tags = tag_dirs();
  if (tags.empty()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set or empty (qemu fixture not run)";
  int checked = 0;
  for (const auto& tag : tags) {
    if (!fs::exists(tag / "kdump.vmcore")) continue;
    SCOPED_TRACE(tag.string());
    const KeyValues report = read_report(tag / "kdump.report");
    for (bool use_mmap : {false, true}) {
      auto r = ElfDump::open((tag / "kdump.vmcore").string(), ElfOpenOptions{use_mmap});
      ASSERT_TRUE(r) << r.error().message();
      const ElfDump& d = **r;
      KeyValues info;
      check_common(d, report, info);
      // Notes at 0x1000, the first PT_LOAD is the kernel text at _text, inside RAM.
      ASSERT_FALSE(d.notes().empty());
      EXPECT_EQ(d.notes()[0].file_offset, 0x1000u);
      ASSERT_FALSE(d.virtual_mappings().empty());
      const auto& text = d.virtual_mappings()[0];
      EXPECT_EQ(text.vaddr, std::stoull(report.at("text_addr"), nullptr, 16));
      bool text_in_ram = false;
      for (const auto& m : d.virtual_mappings())
        if (&m != &text && text.paddr >= m.paddr && text.paddr + text.size <= m.paddr + m.size)
          text_in_ram = true;
      EXPECT_TRUE(text_in_ram);
      // The crashkernel region is not in the vmcore: a hole at its first byte.
      const std::string range = report.at("crashkernel_range");
      const uint64_t ck = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
      std::byte one[1];
      auto hole = d.memory().read(ck, one);
      ASSERT_FALSE(hole);
      EXPECT_EQ(hole.error().kind, ErrorKind::Hole);
      EXPECT_EQ(hole.error().offset, ck);
      // Kernel vmcores carry no QEMU note, hence no CR3.
      for (const auto& c : read_cpu_states(d).cpus) EXPECT_FALSE(c.cr3);
    }
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no kdump.vmcore under VMCAP_TEST_VMCORES";
}

}  // namespace
}  // namespace vmcap
