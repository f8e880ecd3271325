// CPU registers saved in an ELF core's notes: NT_PRSTATUS ("CORE", one per CPU, the
// kernel's struct elf_prstatus) and QEMU's "QEMU" note (QEMUCPUState, which adds the
// control registers, so CR3 for page-table walks).
//
// Layouts (verified against the kernel's include/linux/elfcore.h and QEMU's
// target/i386/arch_dump.c):
// - x86_64 elf_prstatus: 336 bytes, pr_pid u32 at 32, pr_reg (user_regs_struct, 27 u64)
//   at 112.
// - i386 elf_prstatus: 144 bytes, pr_pid at 24, pr_reg (17 u32) at 72.
// - aarch64 elf_prstatus: 392 bytes, pr_pid at 32, pr_reg (x0..x30, sp, pc, pstate) at 112.
// - QEMUCPUState v1: u32 version, u32 size, 18 u64 (rax rbx rcx rdx rsi rdi rsp rbp r8..r15
//   rip rflags) at 8, 10 segment descriptors of 24 bytes at 152, cr[5] at 392,
//   kernel_gs_base at 432 (present when size >= 440). Written for both x86 ELF classes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "elf/dump.h"
#include "elf/machine.h"
#include "elf/result.h"

namespace vmcap {

inline constexpr uint32_t kNtPrstatus = 1;

struct CpuState {
  int cpu = 0;        // ordinal of its NT_PRSTATUS (or QEMU) note, in file order
  uint32_t pid = 0;   // task running on the CPU (0 = idle); absent in QEMU-only states
  uint64_t pc = 0;    // rip / eip / pc
  uint64_t sp = 0;    // rsp / esp / sp
  uint64_t fp = 0;    // rbp / ebp / x29
  std::optional<uint64_t> cr3;  // only from a QEMU note
  std::vector<std::pair<std::string, uint64_t>> registers;  // every named register
};

// Decodes one NT_PRSTATUS note for the given e_machine (x86_64, i386, aarch64).
Result<CpuState> decode_prstatus(const Note& note, uint16_t machine, bool little_endian, int cpu,
                                 const std::string& path = {});

// The registers that say where a CPU was, in the order people read them: aarch64 pc, sp,
// pstate, x29 (frame pointer), x30 (link register); x86_64 rip, rsp, rbp, eflags (and cr3
// from a QEMU note); i386 eip, esp, ebp, eflags. Empty for machines without a layout.
std::vector<std::pair<std::string, uint64_t>> key_registers(const CpuState& cpu, uint16_t machine);

struct QemuCpuState {
  uint32_t version = 0;
  uint32_t size = 0;
  uint64_t rip = 0, rsp = 0, rbp = 0;
  std::array<uint64_t, 5> cr{};
  std::optional<uint64_t> kernel_gs_base;
  std::vector<std::pair<std::string, uint64_t>> registers;
};

// Decodes one "QEMU" note (x86 guests).
Result<QemuCpuState> decode_qemu_cpu_state(const Note& note, bool little_endian,
                                           const std::string& path = {});

struct CpuStates {
  std::vector<CpuState> cpus;
  std::vector<std::string> warnings;  // notes that could not be decoded
};

// Every CPU in the dump: the i-th NT_PRSTATUS is paired with the i-th QEMU note (QEMU
// writes them in that order per CPU, for x86 guests only: other machines' "QEMU" notes are
// not decoded), which adds cr0..cr4; ordinals count notes that could
// not be decoded too (they are warnings), so one damaged note shifts no pairing. A QEMU
// note whose PRSTATUS partner is missing or damaged becomes a CPU of its own.
CpuStates read_cpu_states(const Dump& dump);

}  // namespace vmcap
