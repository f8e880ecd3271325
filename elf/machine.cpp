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
};

constexpr std::array<Machine, 14> kMachines = {{
    {kEmX86_64, "x86_64", "x86_64"},
    {kEmI386, "i386", "i686"},
    {kEmAarch64, "aarch64", "aarch64"},
    {kEmArm, "arm", "armv7l"},
    {21, "ppc64", "ppc64le"},
    {20, "ppc", "ppc"},
    {22, "s390x", "s390x"},
    {243, "riscv64", "riscv64"},
    {258, "loongarch64", "loongarch64"},
    {8, "mips", "mips"},
    {43, "sparc64", "sparc64"},
    {2, "sparc", "sparc"},
    {50, "ia64", "ia64"},
    {0x9026, "alpha", "alpha"},
}};

// Every utsname.machine spelling a dump header may carry, to its machine and word size
// (0: the spelling does not tell, e.g. mips64el). Exact spellings first, then prefixes.
struct Spelling {
  const char* utsname;
  bool prefix;
  uint16_t e_machine;
  int word_size;
};

constexpr std::array<Spelling, 24> kSpellings = {{
    {"x86_64", false, kEmX86_64, 64},
    {"i386", false, kEmI386, 32}, {"i486", false, kEmI386, 32},
    {"i586", false, kEmI386, 32}, {"i686", false, kEmI386, 32},
    {"aarch64", false, kEmAarch64, 64}, {"arm64", false, kEmAarch64, 64},
    {"ppc64", false, 21, 64}, {"ppc64le", false, 21, 64}, {"ppc", false, 20, 32},
    {"s390x", false, 22, 64}, {"S390X", false, 22, 64},  // QEMU writes "S390X"
    {"s390", false, 22, 32},
    {"riscv64", false, 243, 64}, {"riscv32", false, 243, 32},
    {"loongarch64", false, 258, 64},
    {"mips64", false, 8, 64}, {"mips", false, 8, 32},
    {"sparc64", false, 43, 64}, {"sparc", false, 2, 32},
    {"ia64", false, 50, 64}, {"alpha", false, 0x9026, 64},
    {"arm", true, kEmArm, 32},  // armv7l, armv6l, ...
    {"mips", true, 8, 0},       // mipsel, mips64el: the word size is not in the name
}};

const Spelling* spelling_of(const std::string& m) {
  for (const auto& s : kSpellings)
    if (!s.prefix && m == s.utsname) return &s;
  for (const auto& s : kSpellings)
    if (s.prefix && m.rfind(s.utsname, 0) == 0) return &s;
  return nullptr;
}

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
  const Spelling* s = spelling_of(m);
  return s ? s->e_machine : 0;
}

std::optional<int> word_size_from_utsname(const std::string& m) {
  const Spelling* s = spelling_of(m);
  if (!s || s->word_size == 0) return std::nullopt;
  return s->word_size;
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
