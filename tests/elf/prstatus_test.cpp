#include "elf/prstatus.h"

#include <cstring>

#include <gtest/gtest.h>

#include "elf/elf_dump.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using testing::SyntheticVmcore;
using testing::TempDir;

uint64_t reg(const std::vector<std::pair<std::string, uint64_t>>& regs, const std::string& name) {
  for (const auto& [n, v] : regs)
    if (n == name) return v;
  ADD_FAILURE() << "no register " << name;
  return 0;
}

testing::X86_64Regs sample_regs(uint64_t base) {
  testing::X86_64Regs r;
  r.r15 = base + 1; r.r14 = base + 2; r.r13 = base + 3; r.r12 = base + 4; r.rbp = base + 5;
  r.rbx = base + 6; r.r11 = base + 7; r.r10 = base + 8; r.r9 = base + 9; r.r8 = base + 10;
  r.rax = base + 11; r.rcx = base + 12; r.rdx = base + 13; r.rsi = base + 14; r.rdi = base + 15;
  r.orig_rax = base + 16; r.rip = base + 17; r.cs = 0x10; r.eflags = 0x246; r.rsp = base + 20;
  r.ss = 0x18; r.fs_base = base + 22; r.gs_base = base + 23; r.ds = 0; r.es = 0; r.fs = 0; r.gs = 0x2b;
  return r;
}

std::unique_ptr<ElfDump> open(const TempDir& dir, const SyntheticVmcore& b) {
  EXPECT_TRUE(b.write(dir.file("core")));
  auto r = ElfDump::open(dir.file("core"));
  EXPECT_TRUE(r) << r.error().message();
  return r ? std::move(*r) : nullptr;
}

TEST(Prstatus, X86_64BothByteOrders) {
  for (bool big : {false, true}) {
    SyntheticVmcore b;
    b.set_big_endian(big).add_prstatus(1234, sample_regs(0xffffffff81000000ull));
    b.add_load(0, 0, "x");
    TempDir dir;
    auto d = open(dir, b);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->notes().size(), 1u);
    EXPECT_EQ(d->notes()[0].desc.size(), 336u);
    auto s = decode_prstatus(d->notes()[0], d->machine(), d->little_endian(), 3);
    ASSERT_TRUE(s) << s.error().message();
    EXPECT_EQ(s->cpu, 3);
    EXPECT_EQ(s->pid, 1234u);
    EXPECT_EQ(s->pc, 0xffffffff81000000ull + 17);
    EXPECT_EQ(s->sp, 0xffffffff81000000ull + 20);
    EXPECT_EQ(s->fp, 0xffffffff81000000ull + 5);
    EXPECT_FALSE(s->cr3);
    ASSERT_EQ(s->registers.size(), 27u);
    EXPECT_EQ(s->registers[0].first, "r15");
    EXPECT_EQ(s->registers[0].second, 0xffffffff81000001ull);
    EXPECT_EQ(reg(s->registers, "orig_rax"), 0xffffffff81000000ull + 16);
    EXPECT_EQ(reg(s->registers, "eflags"), 0x246u);
    EXPECT_EQ(reg(s->registers, "gs"), 0x2bu);
    EXPECT_EQ(reg(s->registers, "gs_base"), 0xffffffff81000000ull + 23);
  }
}

TEST(Prstatus, I386Layout) {
  std::vector<std::byte> desc(144);
  uint32_t pid = 77;
  std::memcpy(desc.data() + 24, &pid, 4);
  for (uint32_t i = 0; i < 17; ++i) {
    uint32_t v = 0xc1000000u + i;
    std::memcpy(desc.data() + 72 + 4 * i, &v, 4);
  }
  Note n{"CORE", 1, desc, 0x1000};
  auto s = decode_prstatus(n, kEmI386, true, 0);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->pid, 77u);
  EXPECT_EQ(s->registers.size(), 17u);
  EXPECT_EQ(s->pc, 0xc1000000u + 12);  // eip
  EXPECT_EQ(s->sp, 0xc1000000u + 15);  // esp
  EXPECT_EQ(s->fp, 0xc1000000u + 5);   // ebp
  EXPECT_EQ(reg(s->registers, "eax"), 0xc1000006u);
}

TEST(Prstatus, Aarch64Layout) {
  std::vector<std::byte> desc(392);
  uint32_t pid = 5;
  std::memcpy(desc.data() + 32, &pid, 4);
  for (uint64_t i = 0; i < 34; ++i) {
    uint64_t v = 0xffff800010000000ull + i;
    std::memcpy(desc.data() + 112 + 8 * i, &v, 8);
  }
  Note n{"CORE", 1, desc, 0};
  auto s = decode_prstatus(n, kEmAarch64, true, 1);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->pid, 5u);
  EXPECT_EQ(s->registers.size(), 34u);
  EXPECT_EQ(s->registers[30].first, "x30");
  EXPECT_EQ(s->fp, 0xffff800010000000ull + 29);
  EXPECT_EQ(s->sp, 0xffff800010000000ull + 31);
  EXPECT_EQ(s->pc, 0xffff800010000000ull + 32);
  EXPECT_EQ(reg(s->registers, "pstate"), 0xffff800010000000ull + 33);
}

TEST(Prstatus, ShortOrWrongNotesAreErrors) {
  Note shortnote{"CORE", 1, std::vector<std::byte>(200), 0x1234};
  auto s = decode_prstatus(shortnote, kEmX86_64, true, 0, "vmcore");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().offset, 0x1234u);
  EXPECT_EQ(s.error().file, "vmcore");
  EXPECT_NE(s.error().reason.find("336"), std::string::npos);
  Note wrong_type{"CORE", 2, std::vector<std::byte>(336), 0};
  EXPECT_FALSE(decode_prstatus(wrong_type, kEmX86_64, true, 0));
  Note ok_size{"CORE", 1, std::vector<std::byte>(336), 0};
  EXPECT_FALSE(decode_prstatus(ok_size, 8 /* EM_MIPS */, true, 0));
}

TEST(QemuCpuState, DecodesRegistersAndControlRegisters) {
  testing::QemuX86_64State q;
  q.rax = 0x1111; q.rsp = 0xffffc90000003f00ull; q.rbp = 0xffffc90000003f80ull;
  q.rip = 0xffffffff81a00000ull; q.rflags = 0x82; q.r15 = 0xf15;
  q.cr = {0x80050033, 0, 0x7f0000001000ull, 0x10a000, 0x3506f0};
  q.kernel_gs_base = 0x7f00deadbeefull;
  SyntheticVmcore b;
  b.add_qemu_cpu_state(q).add_load(0, 0, "x");
  TempDir dir;
  auto d = open(dir, b);
  ASSERT_TRUE(d);
  auto s = decode_qemu_cpu_state(d->notes()[0], true);
  ASSERT_TRUE(s) << s.error().message();
  EXPECT_EQ(s->version, 1u);
  EXPECT_EQ(s->size, 440u);
  EXPECT_EQ(s->rip, 0xffffffff81a00000ull);
  EXPECT_EQ(s->rsp, 0xffffc90000003f00ull);
  EXPECT_EQ(s->rbp, 0xffffc90000003f80ull);
  EXPECT_EQ(s->cr[0], 0x80050033u);
  EXPECT_EQ(s->cr[3], 0x10a000u);
  EXPECT_EQ(s->cr[4], 0x3506f0u);
  EXPECT_EQ(s->kernel_gs_base, 0x7f00deadbeefull);
  EXPECT_EQ(reg(s->registers, "rax"), 0x1111u);
  EXPECT_EQ(reg(s->registers, "r15"), 0xf15u);
  EXPECT_EQ(reg(s->registers, "rflags"), 0x82u);
  EXPECT_EQ(reg(s->registers, "cr2"), 0x7f0000001000ull);
}

TEST(QemuCpuState, RejectsShortAndUnknownVersions) {
  Note shortnote{"QEMU", 0, std::vector<std::byte>(100), 0x50};
  auto s = decode_qemu_cpu_state(shortnote, true);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().offset, 0x50u);
  std::vector<std::byte> v2(440);
  v2[0] = std::byte{2};
  EXPECT_FALSE(decode_qemu_cpu_state(Note{"QEMU", 0, v2, 0}, true));
  // Version 1 without the optional kernel_gs_base (size 432).
  std::vector<std::byte> v1(432);
  v1[0] = std::byte{1};
  v1[4] = std::byte{432 & 0xff};
  v1[5] = std::byte{432 >> 8};
  auto old = decode_qemu_cpu_state(Note{"QEMU", 0, v1, 0}, true);
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->kernel_gs_base);
}

TEST(CpuStates, PairsPrstatusWithQemuNotesInOrder) {
  SyntheticVmcore b;
  testing::QemuX86_64State q0, q1;
  q0.cr[3] = 0x1000;
  q1.cr[3] = 0x2000;
  b.add_prstatus(10, sample_regs(0x100)).add_qemu_cpu_state(q0);
  b.add_prstatus(11, sample_regs(0x200)).add_qemu_cpu_state(q1);
  b.add_vmcoreinfo("A=1\n").add_load(0, 0, "x");
  TempDir dir;
  auto d = open(dir, b);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  EXPECT_TRUE(states.warnings.empty());
  ASSERT_EQ(states.cpus.size(), 2u);
  EXPECT_EQ(states.cpus[0].cpu, 0);
  EXPECT_EQ(states.cpus[0].pid, 10u);
  EXPECT_EQ(states.cpus[0].pc, 0x100u + 17);
  EXPECT_EQ(states.cpus[0].cr3, 0x1000u);
  EXPECT_EQ(states.cpus[1].cpu, 1);
  EXPECT_EQ(states.cpus[1].pid, 11u);
  EXPECT_EQ(states.cpus[1].cr3, 0x2000u);
  EXPECT_EQ(reg(states.cpus[1].registers, "cr3"), 0x2000u);
}

// A damaged PRSTATUS keeps its place: the CPUs after it still get their own QEMU notes'
// control registers (before, each got its predecessor's), and its QEMU note stands alone.
TEST(CpuStates, DamagedPrstatusShiftsNoPairing) {
  SyntheticVmcore b;
  testing::QemuX86_64State q[3];
  for (int i = 0; i < 3; ++i) {
    q[i].cr[3] = 0x1000u * (i + 1);
    q[i].rip = 0xa00u + i;
  }
  b.add_prstatus(10, sample_regs(0x100)).add_qemu_cpu_state(q[0]);
  b.add_note("CORE", 1, "too short").add_qemu_cpu_state(q[1]);
  b.add_prstatus(12, sample_regs(0x300)).add_qemu_cpu_state(q[2]);
  b.add_load(0, 0, "x");
  TempDir dir;
  auto d = open(dir, b);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  EXPECT_EQ(states.warnings.size(), 1u);
  ASSERT_EQ(states.cpus.size(), 3u);
  EXPECT_EQ(states.cpus[0].cpu, 0);
  EXPECT_EQ(states.cpus[0].pid, 10u);
  EXPECT_EQ(states.cpus[0].cr3, 0x1000u);
  EXPECT_EQ(states.cpus[1].cpu, 1);  // from its QEMU note alone
  EXPECT_EQ(states.cpus[1].pc, 0xa01u);
  EXPECT_EQ(states.cpus[1].cr3, 0x2000u);
  EXPECT_EQ(states.cpus[2].cpu, 2);
  EXPECT_EQ(states.cpus[2].pid, 12u);
  EXPECT_EQ(states.cpus[2].pc, 0x300u + 17);
  EXPECT_EQ(states.cpus[2].cr3, 0x3000u);
  EXPECT_EQ(reg(states.cpus[2].registers, "cr3"), 0x3000u);
}

TEST(CpuStates, KernelVmcoreHasNoCr3AndBadNotesBecomeWarnings) {
  SyntheticVmcore b;
  b.add_prstatus(1, sample_regs(0));
  b.add_note("CORE", 1, "too short");
  b.add_note("QEMU", 0, "also too short");
  b.add_load(0, 0, "x");
  TempDir dir;
  auto d = open(dir, b);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  ASSERT_EQ(states.cpus.size(), 1u);
  EXPECT_FALSE(states.cpus[0].cr3);
  EXPECT_EQ(states.warnings.size(), 2u);
}

TEST(CpuStates, QemuNotesAloneStillGiveCpus) {
  SyntheticVmcore b;
  testing::QemuX86_64State q;
  q.rip = 0xabc;
  q.cr[3] = 0x5000;
  b.add_qemu_cpu_state(q).add_load(0, 0, "x");
  TempDir dir;
  auto d = open(dir, b);
  ASSERT_TRUE(d);
  auto states = read_cpu_states(*d);
  ASSERT_EQ(states.cpus.size(), 1u);
  EXPECT_EQ(states.cpus[0].pc, 0xabcu);
  EXPECT_EQ(states.cpus[0].cr3, 0x5000u);
}

}  // namespace
}  // namespace vmcap
