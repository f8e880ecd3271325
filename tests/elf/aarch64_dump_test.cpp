// aarch64 dumps through the readers: what a QEMU aarch64 ELF dump (p_vaddr == p_paddr, RAM
// at 1 GiB, CORE NT_PRSTATUS + NT_PRFPREG per CPU, pr_pid = cpu index + 1) and a real arm64
// /proc/vmcore (linear-map p_vaddr) say about their machine and CPUs; and the one machine
// table every reader and writer names machines from.
#include <gtest/gtest.h>

#include "elf/crashing_cpu.h"
#include "elf/elf_dump.h"
#include "elf/machine.h"
#include "elf/prstatus.h"
#include "tests/support/aarch64_prstatus.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using testing::SyntheticVmcore;
using testing::TempDir;

constexpr uint32_t kNtPrfpreg = 2;
constexpr uint64_t kRamStart = 0x40000000;  // QEMU virt

SyntheticVmcore qemu_aarch64_elf(unsigned cpus) {
  SyntheticVmcore v;
  v.set_machine(kEmAarch64).set_leading_section_headers(1).set_ehsize(0);
  for (unsigned c = 0; c < cpus; ++c) {
    v.add_note("CORE", kNtPrstatus, testing::aarch64_prstatus(c + 1, testing::aarch64_regs_of_cpu(c)));
    v.add_note("CORE", kNtPrfpreg, testing::aarch64_prfpreg());
  }
  v.add_vmcoreinfo("OSRELEASE=6.1.0-arm64-test\nPAGESIZE=4096\n");
  v.add_load(kRamStart, kRamStart, std::string(64 << 10, 'r'));
  return v;
}

std::unique_ptr<ElfDump> open(const TempDir& dir, const SyntheticVmcore& v) {
  EXPECT_TRUE(v.write(dir.file("core")));
  auto r = ElfDump::open(dir.file("core"));
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(*r) : nullptr;
}

TEST(Aarch64Elf, QemuDumpMachineAndEveryCpusRegisters) {
  TempDir dir;
  auto d = open(dir, qemu_aarch64_elf(2));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->machine(), kEmAarch64);
  EXPECT_EQ(machine_name(d->machine()), "aarch64");
  auto states = read_cpu_states(*d);
  EXPECT_TRUE(states.warnings.empty());
  ASSERT_EQ(states.cpus.size(), 2u) << "NT_PRFPREG notes are not CPUs";
  for (unsigned c = 0; c < 2; ++c) {
    const auto want = testing::aarch64_regs_of_cpu(c);
    const CpuState& s = states.cpus[c];
    EXPECT_EQ(s.pid, c + 1) << "QEMU writes pr_pid = cpu index + 1";
    EXPECT_EQ(s.pc, want.pc);
    EXPECT_EQ(s.sp, want.sp);
    EXPECT_EQ(s.fp, want.x[29]);
    EXPECT_FALSE(s.cr3);
    auto key = key_registers(s, d->machine());
    ASSERT_EQ(key.size(), 5u);
    EXPECT_EQ(key[0], (std::pair<std::string, uint64_t>{"pc", want.pc}));
    EXPECT_EQ(key[1], (std::pair<std::string, uint64_t>{"sp", want.sp}));
    EXPECT_EQ(key[2], (std::pair<std::string, uint64_t>{"pstate", want.pstate}));
    EXPECT_EQ(key[3], (std::pair<std::string, uint64_t>{"x29", want.x[29]}));
    EXPECT_EQ(key[4], (std::pair<std::string, uint64_t>{"x30", want.x[30]}));
  }
  ASSERT_TRUE(choose_crashing_cpu(states.cpus));
}

TEST(Aarch64Elf, RealVmcoreLinearMapIsAStatedMapping) {
  // kexec-tools 2.0.24+ writes the flipped layout's linear-map addresses in p_vaddr.
  SyntheticVmcore v;
  v.set_machine(kEmAarch64);
  v.add_note("CORE", kNtPrstatus, testing::aarch64_prstatus(312, testing::aarch64_regs_of_cpu(0)));
  v.add_vmcoreinfo("OSRELEASE=6.12.0-arm64-test\nPAGESIZE=16384\n");
  v.add_load(kRamStart, 0xffff000000000000ull, std::string(32 << 10, 'm'));
  TempDir dir;
  auto d = open(dir, v);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->machine(), kEmAarch64);
  ASSERT_EQ(d->virtual_mappings().size(), 1u);
  EXPECT_EQ(d->virtual_mappings()[0].paddr, kRamStart);
  auto states = read_cpu_states(*d);
  ASSERT_EQ(states.cpus.size(), 1u);
  EXPECT_EQ(states.cpus[0].pid, 312u);
}

// A "QEMU" note is QEMU's x86 CPU state: on another machine it is not decoded as one (its
// bytes would become a bogus cr3 and a CPU of their own).
TEST(Aarch64Elf, QemuNoteIsNotReadAsX86State) {
  SyntheticVmcore v = qemu_aarch64_elf(1);
  testing::QemuX86_64State q;
  q.cr[3] = 0x1234000;
  v.add_qemu_cpu_state(q);
  TempDir dir;
  auto d = open(dir, v);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  ASSERT_EQ(states.cpus.size(), 1u);
  EXPECT_FALSE(states.cpus[0].cr3);
  EXPECT_TRUE(states.warnings.empty());
}

TEST(Aarch64Elf, ShortPrstatusIsAWarningNamingTheSize) {
  SyntheticVmcore v;
  v.set_machine(kEmAarch64);
  auto desc = testing::aarch64_prstatus(1, testing::aarch64_regs_of_cpu(0));
  desc.resize(336);  // an x86_64-sized note in an aarch64 file
  v.add_note("CORE", kNtPrstatus, desc);
  v.add_load(kRamStart, kRamStart, "x");
  TempDir dir;
  auto d = open(dir, v);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  EXPECT_TRUE(states.cpus.empty());
  ASSERT_EQ(states.warnings.size(), 1u);
  EXPECT_NE(states.warnings[0].find("336 bytes"), std::string::npos) << states.warnings[0];
  EXPECT_NE(states.warnings[0].find("392"), std::string::npos) << states.warnings[0];
}

TEST(MachineTable, NamesAndUtsnamesComeFromOneTable) {
  EXPECT_EQ(machine_name(kEmX86_64), "x86_64");
  EXPECT_EQ(machine_name(kEmAarch64), "aarch64");
  EXPECT_EQ(machine_name(kEmI386), "i386");
  EXPECT_EQ(machine_name(9999), "unknown (9999)");
  EXPECT_EQ(utsname_machine(kEmX86_64), "x86_64");
  EXPECT_EQ(utsname_machine(kEmAarch64), "aarch64");
  EXPECT_EQ(utsname_machine(kEmI386), "i686");
  EXPECT_EQ(utsname_machine(9999), "unknown");
  // Round trips: what a writer puts in a header, a reader maps back.
  for (uint16_t m : {kEmX86_64, kEmAarch64, kEmI386, kEmArm})
    EXPECT_EQ(machine_from_utsname(utsname_machine(m)), m) << m;
  EXPECT_EQ(machine_from_utsname("arm64"), kEmAarch64);
  EXPECT_EQ(machine_from_utsname("Unknown"), 0) << "what QEMU writes for aarch64 guests";
  EXPECT_EQ(machine_from_utsname("S390X"), 22) << "what QEMU writes for s390x guests";
}

TEST(MachineTable, PrstatusSizes) {
  EXPECT_EQ(machine_from_prstatus_size(392, true), kEmAarch64);
  EXPECT_EQ(machine_from_prstatus_size(392, false), kEmAarch64);
  EXPECT_EQ(machine_from_prstatus_size(336, true), kEmX86_64);
  EXPECT_EQ(machine_from_prstatus_size(336, false), 0) << "s390x's is 336 too, big-endian";
  EXPECT_EQ(machine_from_prstatus_size(144, true), kEmI386);
  EXPECT_EQ(machine_from_prstatus_size(148, true), kEmArm);
  EXPECT_EQ(machine_from_prstatus_size(0, true), 0);
  EXPECT_EQ(machine_from_prstatus_size(528, true), 0) << "NT_PRFPREG's size names nothing";

  std::vector<Note> notes;
  EXPECT_EQ(machine_from_notes(notes, true).machine, 0);
  notes.push_back(Note{"CORE", kNtPrfpreg, std::vector<std::byte>(528), 0});
  notes.push_back(Note{"VMCOREINFO", 0, std::vector<std::byte>(392), 0});
  EXPECT_EQ(machine_from_notes(notes, true).machine, 0) << "only CORE NT_PRSTATUS counts";
  notes.push_back(Note{"CORE", kNtPrstatus, std::vector<std::byte>(392), 0});
  auto m = machine_from_notes(notes, true);
  EXPECT_EQ(m.machine, kEmAarch64);
  EXPECT_NE(m.basis.find("392"), std::string::npos) << m.basis;
}

}  // namespace
}  // namespace vmcap
