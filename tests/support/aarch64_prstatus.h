// Test helper: the notes an aarch64 dump carries per CPU, byte by byte from the layouts
// (the kernel's struct elf_prstatus for arm64, QEMU's target/arm/arch_dump.c): NT_PRSTATUS
// of 392 bytes (pr_pid at 32, x0..x30 at 112, sp 360, pc 368, pstate 376, pr_fpvalid 384)
// and NT_PRFPREG of 528 (user_fpsimd_state). Header-only; shares no code with the reader.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace vmcap::testing {

struct Aarch64Regs {
  std::array<uint64_t, 31> x{};  // x29 = frame pointer, x30 = link register
  uint64_t sp = 0, pc = 0, pstate = 0;
};

inline constexpr size_t kAarch64PrstatusSize = 392;
inline constexpr size_t kAarch64PrfpregSize = 528;

inline std::vector<std::byte> aarch64_prstatus(uint32_t pid, const Aarch64Regs& r) {
  std::vector<std::byte> d(kAarch64PrstatusSize);
  auto put64 = [&](size_t at, uint64_t v) { std::memcpy(d.data() + at, &v, 8); };  // LE host
  std::memcpy(d.data() + 32, &pid, 4);
  for (size_t i = 0; i < 31; ++i) put64(112 + 8 * i, r.x[i]);
  put64(360, r.sp);
  put64(368, r.pc);
  put64(376, r.pstate);
  const uint32_t fpvalid = 1;
  std::memcpy(d.data() + 384, &fpvalid, 4);
  return d;
}

// Registers that tell one CPU from another: every value carries the CPU number.
inline Aarch64Regs aarch64_regs_of_cpu(unsigned cpu) {
  Aarch64Regs r;
  for (size_t i = 0; i < 31; ++i) r.x[i] = 0xffff800080000000ull + cpu * 0x1000 + i;
  r.sp = 0xffff80008000f000ull + cpu * 0x10;
  r.pc = 0xffffd8a3c0a1b2c0ull + cpu * 4;
  r.pstate = 0x60400005 + cpu;
  return r;
}

inline std::vector<std::byte> aarch64_prfpreg() {
  std::vector<std::byte> d(kAarch64PrfpregSize);
  for (size_t i = 0; i < d.size(); ++i) d[i] = std::byte(i * 7);
  return d;
}

}  // namespace vmcap::testing
