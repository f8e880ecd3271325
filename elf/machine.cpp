#include "elf/machine.h"

#include <fmt/format.h>

#include <array>

#include "elf/dump.h"

namespace vmcap {
namespace {

struct Machine {
  uint16_t e_machine;
  const char* name;     // for people
  const char* utsname;  // what uname -m says
  int word_size;
};

// utsname spellings not in the table map through machine_from_utsname's prefixes.
constexpr std::array<Machine, 14> kMachines = {{
    {kEmX86_64, "x86_64", "x86_64", 64},
    {kEmI386, "i386", "i686", 32},
    {kEmAarch64, "aarch64", "aarch64", 64},
    {kEmArm, "arm", "armv7l", 32},
    {21, "ppc64", "ppc64le", 64},
    {20, "ppc", "ppc", 32},
    {22, "s390x", "s390x", 64},
    {243, "riscv64", "riscv64", 64},
    {258, "loongarch64", "loongarch64", 64},
    {8, "mips", "mips", 32},
    {43, "sparc64", "sparc64", 64},
    {2, "sparc", "sparc", 32},
    {50, "ia64", "ia64", 64},
    {0x9026, "alpha", "alpha", 64},
}};

constexpr uint32_t kNtPrstatus = 1;

}  // namespace

std::string machine_name(uint16_t m) {
  for (const auto& k : kMachines)
    if (k.e_machine == m) return k.name;
  return fmt::format("unknown ({})", m);
}

std::string utsname_machine(uint16_t m) {
  for (const auto& k : kMachines)
    if (k.e_machine == m) return k.utsname;
  return "unknown";
}

bool is_x86_32_utsname(const std::string& m) {
  return m == "i386" || m == "i486" || m == "i586" || m == "i686";
}

uint16_t machine_from_utsname(const std::string& m) {
  if (m == "x86_64") return kEmX86_64;
  if (is_x86_32_utsname(m)) return kEmI386;
  if (m == "aarch64" || m == "arm64") return kEmAarch64;
  if (m.rfind("arm", 0) == 0) return kEmArm;
  if (m == "ppc64" || m == "ppc64le") return 21;
  if (m == "ppc") return 20;
  if (m == "s390x" || m == "s390" || m == "S390X") return 22;  // QEMU writes "S390X"
  if (m == "riscv64" || m == "riscv32") return 243;
  if (m == "loongarch64") return 258;
  if (m.rfind("mips", 0) == 0) return 8;
  if (m == "sparc64") return 43;
  if (m == "sparc") return 2;
  if (m == "ia64") return 50;
  if (m == "alpha") return 0x9026;
  return 0;
}

std::optional<int> word_size_from_utsname(const std::string& m) {
  if (m == "x86_64" || m == "aarch64" || m == "arm64" || m == "ppc64" || m == "ppc64le" ||
      m == "s390x" || m == "S390X" || m == "riscv64" || m == "loongarch64" || m == "mips64" || m == "sparc64" ||
      m == "ia64" || m == "alpha")
    return 64;
  if (is_x86_32_utsname(m) || m.rfind("arm", 0) == 0 || m == "ppc" || m == "s390" ||
      m == "riscv32" || m == "mips" || m == "sparc")
    return 32;
  return std::nullopt;
}

uint16_t machine_from_prstatus_size(size_t size, bool little_endian) {
  switch (size) {
    case 392: return kEmAarch64;
    case 148: return kEmArm;
    case 336: return little_endian ? kEmX86_64 : 0;
    case 144: return little_endian ? kEmI386 : 0;
  }
  return 0;
}

MachineFromNotes machine_from_notes(const std::vector<Note>& notes, bool little_endian) {
  for (const Note& n : notes) {
    if (n.name != "CORE" || n.type != kNtPrstatus) continue;
    const uint16_t m = machine_from_prstatus_size(n.desc.size(), little_endian);
    if (m == 0) return {};
    return {m, fmt::format("its NT_PRSTATUS notes are {} bytes, {}'s struct elf_prstatus",
                           n.desc.size(), machine_name(m))};
  }
  return {};
}

}  // namespace vmcap
