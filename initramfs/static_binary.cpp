#include "initramfs/static_binary.h"

#include <elf.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace vmcap::initramfs {
namespace {

constexpr uint64_t kMaxBinaryBytes = 512ull << 20;

}  // namespace

uint16_t this_elf_machine() {
#if defined(__x86_64__)
  return EM_X86_64;
#elif defined(__aarch64__)
  return EM_AARCH64;
#else
#error "vmcap captures on x86_64 and aarch64 only"
#endif
}

std::string elf_machine_name(uint16_t machine) {
  switch (machine) {
    case EM_X86_64: return "x86-64";
    case EM_AARCH64: return "aarch64";
    case EM_386: return "i386";
    case EM_ARM: return "32-bit arm";
    default: return "e_machine " + std::to_string(machine);
  }
}

Result<std::string> read_static_executable(const std::string& path, uint16_t machine) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(ErrorKind::Missing, path, std::nullopt, "no such executable");
  if (static_cast<uint64_t>(st.st_size) > kMaxBinaryBytes)
    return make_error(ErrorKind::Limit, path, std::nullopt, "larger than 512 MiB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot read");
  std::string bytes = s.str();

  Elf64_Ehdr eh;
  if (bytes.size() < sizeof eh || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
    return make_error(ErrorKind::Format, path, 0, "not an ELF file");
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return make_error(ErrorKind::Format, path, 0, "not a little-endian ELF64 file");
  if (eh.e_machine != machine)
    return make_error(ErrorKind::Usage, path, 18,
                      "an " + elf_machine_name(eh.e_machine) + " executable, not " + elf_machine_name(machine) +
                          ": give the " + elf_machine_name(machine) +
                          " static vmcap (scripts/build-static.sh" +
                          (machine == EM_AARCH64 ? " --arch arm64" : "") + " prints it) with --vmcap");
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    return make_error(ErrorKind::Format, path, 16, "not an executable (e_type " + std::to_string(eh.e_type) + ")");
  if (eh.e_phentsize != sizeof(Elf64_Phdr))
    return make_error(ErrorKind::Format, path, 54, "program header size " + std::to_string(eh.e_phentsize));
  for (uint16_t i = 0; i < eh.e_phnum; ++i) {  // e_phnum is 16 bits: bounded
    uint64_t at = eh.e_phoff + uint64_t(i) * sizeof(Elf64_Phdr);
    if (eh.e_phoff > bytes.size() || at + sizeof(Elf64_Phdr) > bytes.size())
      return make_error(ErrorKind::Truncated, path, at, "program header " + std::to_string(i) + " past the end");
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + at, sizeof ph);
    if (ph.p_type == PT_INTERP)
      return make_error(ErrorKind::Usage, path, at,
                        "a dynamically linked binary (it has an interpreter): the capture kernel has no libc; "
                        "give the static vmcap (scripts/build-static.sh prints it) with --vmcap");
  }
  if (eh.e_type == ET_DYN && eh.e_entry == 0)
    return make_error(ErrorKind::Format, path, 24, "a shared library, not an executable");
  return bytes;
}

}  // namespace vmcap::initramfs
