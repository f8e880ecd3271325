// The static vmcap has no dynamic loader and no shared library: no PT_INTERP program
// header, and no DT_NEEDED entry (nor any dynamic section at all for a non-PIE static
// binary). Plain byte parsing of the ELF file, independent of the code under test.
//
// VMCAP_STATIC_BINARY names the binary; vmcap.stripped and vmcap-curl-probe beside it are
// checked too. Its e_machine is this test's own, or VMCAP_STATIC_MACHINE (decimal, e.g. 183
// for the cross-built aarch64 vmcap). The parser is checked against this (dynamically linked) test binary, so a
// dynamic vmcap cannot pass by accident.
#include <elf.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace {

struct ElfFacts {
  std::string error;  // empty when parsed
  std::uint16_t type = 0;
  std::uint16_t machine = 0;
  bool has_interp = false;
  bool has_dynamic = false;
  int needed = 0;  // DT_NEEDED entries
};

template <typename T>
bool read_at(const std::vector<char>& bytes, std::uint64_t offset, T& out) {
  if (offset > bytes.size() || bytes.size() - offset < sizeof(T)) return false;
  std::memcpy(&out, bytes.data() + offset, sizeof(T));
  return true;
}

ElfFacts inspect(const std::filesystem::path& path) {
  ElfFacts facts;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    facts.error = "cannot open " + path.string();
    return facts;
  }
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  Elf64_Ehdr eh;
  if (!read_at(bytes, 0, eh) || std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0) {
    facts.error = "not an ELF file";
    return facts;
  }
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
    facts.error = "not ELF64 little-endian";
    return facts;
  }
  if (eh.e_phentsize != sizeof(Elf64_Phdr)) {
    facts.error = "unexpected e_phentsize";
    return facts;
  }
  facts.type = eh.e_type;
  facts.machine = eh.e_machine;
  for (std::uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph;
    if (!read_at(bytes, eh.e_phoff + std::uint64_t{i} * sizeof ph, ph)) {
      facts.error = "program header outside the file";
      return facts;
    }
    if (ph.p_type == PT_INTERP) facts.has_interp = true;
    if (ph.p_type != PT_DYNAMIC) continue;
    facts.has_dynamic = true;
    for (std::uint64_t off = 0; off + sizeof(Elf64_Dyn) <= ph.p_filesz; off += sizeof(Elf64_Dyn)) {
      Elf64_Dyn dyn;
      if (!read_at(bytes, ph.p_offset + off, dyn)) {
        facts.error = "dynamic section outside the file";
        return facts;
      }
      if (dyn.d_tag == DT_NULL) break;
      if (dyn.d_tag == DT_NEEDED) ++facts.needed;
    }
  }
  return facts;
}

std::filesystem::path static_binary() {
  const char* path = std::getenv("VMCAP_STATIC_BINARY");
  return path ? std::filesystem::path(path) : std::filesystem::path();
}

std::uint16_t expected_machine() {
  const char* m = std::getenv("VMCAP_STATIC_MACHINE");
  if (m && *m) return static_cast<std::uint16_t>(std::strtoul(m, nullptr, 10));
  return 0;  // this test's own
}

void expect_fully_static(const std::filesystem::path& path) {
  SCOPED_TRACE(path.string());
  ASSERT_TRUE(std::filesystem::is_regular_file(path)) << "missing";
  ElfFacts facts = inspect(path);
  ASSERT_EQ(facts.error, "");
  EXPECT_EQ(facts.type, ET_EXEC) << "expected a non-PIE static executable";
  EXPECT_FALSE(facts.has_interp) << "has PT_INTERP: needs a dynamic loader";
  EXPECT_EQ(facts.needed, 0) << "has DT_NEEDED entries: needs shared libraries";
  EXPECT_FALSE(facts.has_dynamic) << "has a dynamic section";
  std::uint16_t machine = expected_machine();
  EXPECT_EQ(facts.machine, machine ? machine : inspect("/proc/self/exe").machine) << "e_machine";
}

}  // namespace

TEST(StaticBinary, ParserSeesThatThisTestIsDynamic) {
  ElfFacts self = inspect("/proc/self/exe");
  ASSERT_EQ(self.error, "");
  EXPECT_TRUE(self.has_interp);
  EXPECT_TRUE(self.has_dynamic);
  EXPECT_GE(self.needed, 1);
}

TEST(StaticBinary, VmcapHasNoInterpreterNorNeededLibraries) {
  ASSERT_FALSE(static_binary().empty()) << "VMCAP_STATIC_BINARY is not set";
  expect_fully_static(static_binary());
}

TEST(StaticBinary, StrippedCopyIsStaticAndSmaller) {
  ASSERT_FALSE(static_binary().empty()) << "VMCAP_STATIC_BINARY is not set";
  std::filesystem::path stripped = static_binary();
  stripped += ".stripped";
  expect_fully_static(stripped);
  EXPECT_LT(std::filesystem::file_size(stripped), std::filesystem::file_size(static_binary()));
}

TEST(StaticBinary, CurlProbeIsStatic) {
  ASSERT_FALSE(static_binary().empty()) << "VMCAP_STATIC_BINARY is not set";
  expect_fully_static(static_binary().parent_path() / "vmcap-curl-probe");
}
