// ElfDump over synthetic cores: every layout the reader must accept, every way a core
// can be broken, with the values it must produce.
#include "elf/elf_dump.h"
#include "elf/prstatus.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <tuple>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using testing::RawPhdr;
using testing::SyntheticVmcore;
using testing::TempDir;
using testing::to_bytes;

std::string fmt_hex(uint64_t v) { return fmt::format("{:#x}", v); }

std::string read_string(const PhysicalMemory& m, uint64_t paddr, size_t n) {
  std::string s(n, '\0');
  auto r = m.read(paddr, std::as_writable_bytes(std::span(s)));
  EXPECT_TRUE(r) << r.error().message();
  return s;
}

struct Opened {
  TempDir dir;
  std::string path;
  std::unique_ptr<ElfDump> dump;
  Error error;
};

std::unique_ptr<Opened> open_bytes(std::span<const std::byte> bytes, bool use_mmap = false) {
  auto o = std::make_unique<Opened>();
  o->path = o->dir.file("vmcore");
  EXPECT_TRUE(SyntheticVmcore::write_file(o->path, bytes));
  auto r = ElfDump::open(o->path, ElfOpenOptions{use_mmap});
  if (r)
    o->dump = std::move(*r);
  else
    o->error = r.error();
  return o;
}

std::unique_ptr<Opened> open_builder(const SyntheticVmcore& b, bool use_mmap = false) {
  return open_bytes(b.bytes(), use_mmap);
}

// ---- Layouts: class x byte order x access mode -------------------------------------------

class ElfLayoutTest : public ::testing::TestWithParam<std::tuple<int, bool, bool>> {};

TEST_P(ElfLayoutTest, NotesMemoryAndHeaderFields) {
  auto [bits, big, use_mmap] = GetParam();
  SyntheticVmcore b;
  b.set_class(bits).set_big_endian(big);
  b.add_vmcoreinfo("OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
  b.add_note("CORE", 1, "prstatus-bytes");
  b.add_note("LINUX", 0x202, std::span<const std::byte>());  // empty desc
  b.add_load(0x1000, bits == 64 ? 0xffff888000001000ull : 0xc0001000ull, std::string(4096, 'a'));
  b.add_load(0x2000, 0x2000, std::string(100, 'b'), 0x1000);  // vaddr == paddr: no mapping
  b.add_load(0x10000, 0, "tail");                              // vaddr 0: no mapping
  auto o = open_builder(b, use_mmap);
  ASSERT_TRUE(o->dump) << o->error.message();
  const ElfDump& d = *o->dump;

  EXPECT_EQ(d.format(), "elf");
  EXPECT_EQ(d.path(), o->path);
  EXPECT_EQ(d.word_size(), bits);
  EXPECT_EQ(d.little_endian(), !big);
  EXPECT_EQ(d.machine(), 62);
  EXPECT_EQ(d.program_header_count(), 4u);
  EXPECT_TRUE(d.warnings().empty());

  ASSERT_EQ(d.notes().size(), 3u);
  EXPECT_EQ(d.notes()[0].name, "VMCOREINFO");
  EXPECT_EQ(d.notes()[0].type, 0u);
  EXPECT_EQ(d.notes()[0].file_offset, b.notes_offset());
  EXPECT_EQ(d.vmcoreinfo_text(), "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n");
  EXPECT_EQ(d.notes()[1].name, "CORE");
  EXPECT_EQ(d.notes()[1].type, 1u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.notes()[1].desc.data()),
                        d.notes()[1].desc.size()),
            "prstatus-bytes");
  EXPECT_EQ(d.notes()[2].name, "LINUX");
  EXPECT_EQ(d.notes()[2].type, 0x202u);
  EXPECT_TRUE(d.notes()[2].desc.empty());

  // [0x1000, 0x3000) merged (0x2000 segment has memsz 0x1000), then [0x10000, 0x10004).
  const auto& r = d.memory().ranges();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start, 0x1000u);
  EXPECT_EQ(r[0].size, 0x2000u);
  EXPECT_EQ(r[1].start, 0x10000u);
  EXPECT_EQ(r[1].size, 4u);
  EXPECT_EQ(d.memory().total_bytes(), 0x2004u);

  // A read crossing from segment 1 into segment 2 and on into segment 2's zero fill.
  std::string s = read_string(d.memory(), 0x1ffe, 2 + 100 + 3);
  EXPECT_EQ(s, std::string("aa") + std::string(100, 'b') + std::string(3, '\0'));
  EXPECT_EQ(read_string(d.memory(), 0x10000, 4), "tail");

  ASSERT_EQ(d.virtual_mappings().size(), 1u);
  EXPECT_EQ(d.virtual_mappings()[0].vaddr, bits == 64 ? 0xffff888000001000ull : 0xc0001000ull);
  EXPECT_EQ(d.virtual_mappings()[0].paddr, 0x1000u);
  EXPECT_EQ(d.virtual_mappings()[0].size, 4096u);
}

INSTANTIATE_TEST_SUITE_P(
    ClassesAndByteOrders, ElfLayoutTest,
    ::testing::Combine(::testing::Values(64, 32), ::testing::Bool(), ::testing::Bool()),
    [](const auto& info) {
      return "elf" + std::to_string(std::get<0>(info.param)) +
             (std::get<1>(info.param) ? "_be" : "_le") + (std::get<2>(info.param) ? "_mmap" : "_pread");
    });

TEST(ElfDump, OpenElfDumpGivesTheGenericInterface) {
  SyntheticVmcore b;
  b.add_vmcoreinfo("A=1\n").add_load(0, 0, "xyz");
  TempDir dir;
  ASSERT_TRUE(b.write(dir.file("core")));
  auto r = open_elf_dump(dir.file("core"));
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ((*r)->format(), "elf");
  EXPECT_EQ((*r)->vmcoreinfo_text(), "A=1\n");
  EXPECT_EQ(read_string((*r)->memory(), 1, 2), "yz");
}

// ---- PN_XNUM -----------------------------------------------------------------------------

void check_xnum_dump(const SyntheticVmcore& b, bool use_mmap) {
  auto o = open_builder(b, use_mmap);
  ASSERT_TRUE(o->dump) << o->error.message();
  const ElfDump& d = *o->dump;
  EXPECT_EQ(d.program_header_count(), 70001u);  // 70000 PT_LOAD + 1 PT_NOTE
  EXPECT_EQ(d.load_segments().size(), 70000u);
  ASSERT_EQ(d.notes().size(), 1u);
  EXPECT_EQ(d.vmcoreinfo_text(), "X=1\n");
  // All adjacent: one range.
  ASSERT_EQ(d.memory().ranges().size(), 1u);
  EXPECT_EQ(d.memory().ranges()[0].start, 0x100000u);
  EXPECT_EQ(d.memory().ranges()[0].size, 70000u * 8);
  for (uint64_t i : {0ull, 1ull, 65534ull, 65535ull, 65536ull, 69999ull}) {
    uint64_t v = 0;
    ASSERT_TRUE(d.memory().read(0x100000 + i * 8, std::as_writable_bytes(std::span(&v, 1))));
    EXPECT_EQ(v, i * 3 + 1) << i;
  }
  // Crossing 70000 segment boundaries in one read.
  std::vector<uint64_t> all(70000);
  ASSERT_TRUE(d.memory().read(0x100000, std::as_writable_bytes(std::span(all))));
  for (uint64_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i * 3 + 1);
}

SyntheticVmcore xnum_builder() {
  SyntheticVmcore b;
  b.set_load_alignment(8).add_vmcoreinfo("X=1\n");
  for (uint64_t i = 0; i < 70000; ++i) {
    uint64_t v = i * 3 + 1;  // little-endian host, little-endian file
    b.add_load(0x100000 + i * 8, 0, std::as_bytes(std::span(&v, 1)));
  }
  return b;
}

TEST(ElfDump, PnXnumWithSectionHeaderAtTheEnd) { check_xnum_dump(xnum_builder(), false); }

TEST(ElfDump, PnXnumWithLeadingSectionHeaderMmap) {
  auto b = xnum_builder();
  b.set_leading_section_headers(1);
  check_xnum_dump(b, true);
}

TEST(ElfDump, AbsurdProgramHeaderCountIsALimitError) {
  // A sparse file holding 2^20 + 1 (all PT_NULL) program headers announced via PN_XNUM.
  SyntheticVmcore b;
  b.set_no_notes(true).set_leading_section_headers(1).set_load_alignment(8);
  for (int i = 0; i < 0xffff; ++i) b.add_raw_phdr(RawPhdr{0, 0, 0, 0, 0, 0, 0, 0});
  auto bytes = b.bytes();
  const uint32_t count = (1u << 20) + 1;
  SyntheticVmcore::garble(bytes, 64 + 44, std::as_bytes(std::span(&count, 1)));  // sh_info
  TempDir dir;
  ASSERT_TRUE(SyntheticVmcore::write_file(dir.file("core"), bytes));
  ASSERT_TRUE(SyntheticVmcore::truncate_file(dir.file("core"), 128 + uint64_t{count} * 56));
  auto r = ElfDump::open(dir.file("core"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Limit);
  EXPECT_NE(r.error().reason.find("1048577 program headers"), std::string::npos) << r.error().message();
}

TEST(ElfDump, PnXnumWithoutSectionHeaderIsAnError) {
  auto bytes = SyntheticVmcore().add_load(0, 0, "x").bytes();
  const uint16_t xnum = 0xffff;
  SyntheticVmcore::garble(bytes, 56, std::as_bytes(std::span(&xnum, 1)));  // e_phnum, no shdrs
  auto o = open_bytes(bytes);
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.kind, ErrorKind::Format);
  EXPECT_EQ(o->error.file, o->path);
}

// ---- QEMU and real-vmcore shapes ---------------------------------------------------------

TEST(ElfDump, QemuLayoutSectionHeaderFirstPhdrsAt192WrongEhsize) {
  SyntheticVmcore b;
  b.set_leading_section_headers(1).set_phdr_offset(192).set_ehsize(0x1234);
  testing::X86_64Regs regs;
  regs.rip = 0xffffffff81234567;
  testing::QemuX86_64State q;
  q.cr[3] = 0x10a000;
  b.add_prstatus(0, regs).add_qemu_cpu_state(q).add_prstatus(0, regs).add_qemu_cpu_state(q);
  b.add_vmcoreinfo("OSRELEASE=6.1.0\n");
  b.add_load(0, 0, std::string(0x1000, 'l'));               // QEMU: p_vaddr 0
  b.add_load(0x100000, 0x100000, std::string(0x1000, 'h'));  // or p_vaddr == p_paddr
  auto bytes = b.bytes();
  // Check the layout really is QEMU's before testing the reader on it.
  uint64_t phoff = 0, shoff = 0;
  std::memcpy(&phoff, bytes.data() + 32, 8);
  std::memcpy(&shoff, bytes.data() + 40, 8);
  ASSERT_EQ(phoff, 192u);
  ASSERT_EQ(shoff, 64u);
  auto o = open_bytes(bytes);
  ASSERT_TRUE(o->dump) << o->error.message();
  const ElfDump& d = *o->dump;
  EXPECT_TRUE(d.warnings().empty());
  ASSERT_EQ(d.notes().size(), 5u);
  EXPECT_EQ(d.notes()[1].name, "QEMU");
  EXPECT_EQ(d.notes()[1].desc.size(), 440u);
  EXPECT_EQ(d.vmcoreinfo_text(), "OSRELEASE=6.1.0\n");
  EXPECT_TRUE(d.virtual_mappings().empty());
  ASSERT_EQ(d.memory().ranges().size(), 2u);
  EXPECT_EQ(read_string(d.memory(), 0xfff, 1), "l");
  EXPECT_EQ(read_string(d.memory(), 0x100fff, 1), "h");
}

TEST(ElfDump, KernelTextOverlappingRamResolvesToLowestStart) {
  // Like /proc/vmcore on x86_64: the first PT_LOAD is the kernel text, whose physical range
  // lies inside the RAM PT_LOAD that follows. Different bytes make the choice visible.
  SyntheticVmcore b;
  b.add_vmcoreinfo("K=1\n");
  b.add_load(0x104000, 0xffffffff81000000ull, std::string(0x2000, 'T'));
  b.add_load(0x100000, 0xffff888000100000ull, std::string(0x10000, 'R'));
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  const auto& m = o->dump->memory();
  ASSERT_EQ(m.ranges().size(), 1u);
  EXPECT_EQ(m.ranges()[0].start, 0x100000u);
  EXPECT_EQ(m.ranges()[0].size, 0x10000u);
  EXPECT_EQ(read_string(m, 0x104000, 4), "RRRR");  // RAM starts lower: RAM wins
  ASSERT_EQ(o->dump->virtual_mappings().size(), 2u);
  EXPECT_EQ(o->dump->virtual_mappings()[0].vaddr, 0xffffffff81000000ull);
  EXPECT_EQ(o->dump->virtual_mappings()[0].paddr, 0x104000u);
  EXPECT_EQ(o->dump->virtual_mappings()[1].vaddr, 0xffff888000100000ull);
}

TEST(ElfDump, OverlapTiesGoToTheEarlierHeaderAndPartialOverlapsSplit) {
  SyntheticVmcore b;
  b.add_load(0x1000, 0, std::string(0x1000, 'A'));
  b.add_load(0x1000, 0, std::string(0x2000, 'B'));  // same start, longer: only its tail counts
  b.add_load(0x0800, 0, std::string(0x1000, 'C'));  // starts lowest: owns [0x800, 0x1800)
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  const auto& m = o->dump->memory();
  ASSERT_EQ(m.ranges().size(), 1u);
  EXPECT_EQ(m.ranges()[0].start, 0x800u);
  EXPECT_EQ(m.ranges()[0].end(), 0x3000u);
  EXPECT_EQ(read_string(m, 0x17fe, 4), "CCAA");
  EXPECT_EQ(read_string(m, 0x1ffe, 4), "AABB");
  EXPECT_EQ(read_string(m, 0x2ffe, 2), "BB");
}

TEST(ElfDump, ZeroSizeSegmentsAreIgnored) {
  SyntheticVmcore b;
  b.add_load(0x5000, 0xffff000000005000ull, std::string());
  b.add_load(0x1000, 0, "data");
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  EXPECT_EQ(o->dump->load_segments().size(), 1u);
  EXPECT_TRUE(o->dump->virtual_mappings().empty());
  ASSERT_EQ(o->dump->memory().ranges().size(), 1u);
  EXPECT_EQ(o->dump->memory().ranges()[0].start, 0x1000u);
  std::byte one[1];
  auto r = o->dump->memory().read(0x5000, one);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Hole);
}

// ---- Holes, zero fill, truncation --------------------------------------------------------

TEST(ElfDump, HolesAreErrorsNamingTheAddress) {
  SyntheticVmcore b;
  b.add_load(0x1000, 0, std::string(0x1000, 'x'));
  b.add_load(0x3000, 0, std::string(0x1000, 'y'));
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump);
  const auto& m = o->dump->memory();
  std::vector<std::byte> buf(0x20);
  auto before = m.read(0x0, buf);
  ASSERT_FALSE(before);
  EXPECT_EQ(before.error().kind, ErrorKind::Hole);
  EXPECT_EQ(before.error().offset, 0u);
  auto across = m.read(0x1ff0, buf);  // starts in data, runs into the gap at 0x2000
  ASSERT_FALSE(across);
  EXPECT_EQ(across.error().kind, ErrorKind::Hole);
  EXPECT_EQ(across.error().offset, 0x2000u);
  EXPECT_NE(across.error().message().find("0x2000"), std::string::npos);
  auto after = m.read(0x3ff0, buf);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().offset, 0x4000u);
  auto top = m.read(~0ull - 4, buf);
  ASSERT_FALSE(top);
  EXPECT_EQ(top.error().kind, ErrorKind::Hole);
}

TEST(ElfDump, FileszBelowMemszReadsZeros) {
  SyntheticVmcore b;
  b.add_load(0x1000, 0, "abc", 0x1000);
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump);
  const auto& m = o->dump->memory();
  ASSERT_EQ(m.ranges().size(), 1u);
  EXPECT_EQ(m.ranges()[0].size, 0x1000u);
  EXPECT_EQ(read_string(m, 0x1001, 6), std::string("bc\0\0\0\0", 6));
  EXPECT_EQ(read_string(m, 0x1ffc, 4), std::string(4, '\0'));
}

TEST(ElfDump, TruncatedFileOpensWithWarningAndFailsReadsAtTheMissingOffset) {
  SyntheticVmcore b;
  b.add_vmcoreinfo("OK=1\n");
  b.add_load(0x1000, 0, std::string(0x1000, 'a'));
  b.add_load(0x2000, 0, std::string(0x1000, 'b'));
  const uint64_t cut = b.load_offset(1) + 0x800;  // half of the second segment survives
  auto bytes = b.bytes();
  bytes.resize(cut);
  for (bool use_mmap : {false, true}) {
    auto o = open_bytes(bytes, use_mmap);
    ASSERT_TRUE(o->dump) << o->error.message();
    const ElfDump& d = *o->dump;
    ASSERT_EQ(d.warnings().size(), 1u);
    EXPECT_NE(d.warnings()[0].find("truncated"), std::string::npos) << d.warnings()[0];
    EXPECT_NE(d.warnings()[0].find(fmt_hex(cut)), std::string::npos) << d.warnings()[0];
    EXPECT_EQ(d.vmcoreinfo_text(), "OK=1\n");
    EXPECT_EQ(read_string(d.memory(), 0x27fe, 2), "bb");
    std::vector<std::byte> buf(4);
    auto r = d.memory().read(0x27fe, buf);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
    EXPECT_EQ(r.error().offset, cut);
    EXPECT_EQ(r.error().file, o->path);
    EXPECT_NE(r.error().reason.find("0x2800"), std::string::npos) << r.error().message();
  }
}

TEST(ElfDump, TruncatedProgramHeaderTableIsAnError) {
  SyntheticVmcore b;
  b.add_load(0, 0, "x").add_load(0x1000, 0, "y");
  auto bytes = b.bytes();
  bytes.resize(64 + 56 + 10);
  auto o = open_bytes(bytes);
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.kind, ErrorKind::Truncated) << o->error.message();
  EXPECT_EQ(o->error.offset, 64u);
  EXPECT_EQ(o->error.file, o->path);
}

// ---- Bad program headers -----------------------------------------------------------------

// A damaged program header is skipped with a warning naming it; the file opens with the rest
// (the log and the RAM are in the other headers).
TEST(ElfDump, FileszAboveMemszIsSkippedNamingTheHeader) {
  SyntheticVmcore b;
  b.set_no_notes(true).add_load(0, 0, "abc");
  b.add_raw_phdr(RawPhdr{1, 0, 0, 0, 0x5000, 0x2000, 0x1000, 0});
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  ASSERT_EQ(o->dump->warnings().size(), 1u);
  const std::string& w = o->dump->warnings()[0];
  EXPECT_NE(w.find("offset 0x78: program header 1 (PT_LOAD) skipped: p_filesz 0x2000 > p_memsz 0x1000"),
            std::string::npos) << w;
  EXPECT_EQ(read_string(o->dump->memory(), 0, 3), "abc");
  EXPECT_EQ(o->dump->memory().ranges().size(), 1u);
}

TEST(ElfDump, OverflowingSegmentsAreSkipped) {
  {
    SyntheticVmcore b;
    b.set_no_notes(true).add_load(0, 0, "ram").add_raw_phdr(RawPhdr{1, 0, 0, 0, ~0ull - 0xfff, 0, 0x2000, 0});
    auto o = open_builder(b);
    ASSERT_TRUE(o->dump) << o->error.message();
    ASSERT_EQ(o->dump->warnings().size(), 1u);
    EXPECT_NE(o->dump->warnings()[0].find("overflows"), std::string::npos) << o->dump->warnings()[0];
    EXPECT_EQ(read_string(o->dump->memory(), 0, 3), "ram");
  }
  {
    SyntheticVmcore b;
    b.set_no_notes(true).add_load(0, 0, "ram").add_raw_phdr(RawPhdr{1, 0, ~0ull - 10, 0, 0, 100, 100, 0});
    auto o = open_builder(b);
    ASSERT_TRUE(o->dump) << o->error.message();
    ASSERT_EQ(o->dump->warnings().size(), 1u);
    EXPECT_NE(o->dump->warnings()[0].find("p_offset"), std::string::npos) << o->dump->warnings()[0];
  }
}

// What kexec-tools 2.0.25 wrote for Debian's arm64 6.1 (no _text in /proc/kallsyms): the
// kernel image's PT_LOAD at a made-up address with a size of about 2^64 - 2^46. The RAM
// headers after it still give the memory and the log.
TEST(ElfDump, AnImageSegmentOfAbsurdSizeIsSkipped) {
  SyntheticVmcore b;
  b.add_raw_phdr(RawPhdr{1, 0, 0, 0xffff800008000000ull, 0x2d1990c00000ull, 0, 0xffffd2e6b1610000ull, 0});
  b.add_load(0x40000000, 0xffff000000000000ull, "ram");
  b.add_raw_phdr(RawPhdr{1, 0, 0, 0, 0x10000000000000ull, 0, 0x1000, 0});  // ends above 2^52
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  ASSERT_EQ(o->dump->warnings().size(), 2u);
  EXPECT_NE(o->dump->warnings()[0].find("p_paddr 0x2d1990c00000 + p_memsz 0xffffd2e6b1610000 overflows"),
            std::string::npos) << o->dump->warnings()[0];
  EXPECT_NE(o->dump->warnings()[1].find("the widest physical address space"), std::string::npos)
      << o->dump->warnings()[1];
  EXPECT_EQ(read_string(o->dump->memory(), 0x40000000, 3), "ram");
  EXPECT_EQ(o->dump->memory().ranges().size(), 1u);
}

TEST(ElfDump, WrongPhentsizeIsRejected) {
  auto bytes = SyntheticVmcore().add_load(0, 0, "x").bytes();
  const uint16_t bad = 40;
  SyntheticVmcore::garble(bytes, 54, std::as_bytes(std::span(&bad, 1)));
  auto o = open_bytes(bytes);
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.kind, ErrorKind::Format);
}

// ---- Notes -------------------------------------------------------------------------------

TEST(ElfDump, MissingNotesAreNotAnError) {
  SyntheticVmcore b;
  b.set_no_notes(true).add_load(0, 0, "m");
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  EXPECT_TRUE(o->dump->notes().empty());
  EXPECT_FALSE(o->dump->vmcoreinfo_text());
  EXPECT_TRUE(o->dump->warnings().empty());
  EXPECT_EQ(read_string(o->dump->memory(), 0, 1), "m");
}

TEST(ElfDump, GarbledNoteStopsItsSegmentOnlyWithAWarning) {
  SyntheticVmcore b;
  b.add_note("CORE", 1, "first");
  // A note header claiming a 1 GiB desc.
  const uint32_t garbled[3] = {5, 1u << 30, 1};
  b.add_raw_note_bytes(std::as_bytes(std::span(garbled)));
  b.add_raw_note_bytes(to_bytes("CORE\0\0\0\0"));
  b.new_note_segment().add_vmcoreinfo("STILL=here\n");
  b.add_load(0, 0, "mem");
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  const ElfDump& d = *o->dump;
  ASSERT_EQ(d.notes().size(), 2u);
  EXPECT_EQ(d.notes()[0].name, "CORE");
  EXPECT_EQ(d.vmcoreinfo_text(), "STILL=here\n");
  ASSERT_EQ(d.warnings().size(), 1u);
  const uint64_t garbled_at = b.notes_offset() + 12 + 8 + 8;  // after "CORE" + "first"
  EXPECT_NE(d.warnings()[0].find(fmt_hex(garbled_at)), std::string::npos) << d.warnings()[0];
  EXPECT_NE(d.warnings()[0].find("garbled note"), std::string::npos);
  EXPECT_EQ(read_string(d.memory(), 0, 3), "mem");
}

TEST(ElfDump, NoteSegmentPastTheEndOfTheFile) {
  SyntheticVmcore b;
  b.set_no_notes(true).add_load(0, 0, "m");
  b.add_raw_phdr(RawPhdr{4, 0, 0x100000, 0, 0, 0x100, 0x100, 4});
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  EXPECT_TRUE(o->dump->notes().empty());
  ASSERT_EQ(o->dump->warnings().size(), 1u);
  EXPECT_NE(o->dump->warnings()[0].find("note segment is truncated"), std::string::npos);
}

TEST(ElfDump, HugeNoteSegmentIsSkipped) {
  SyntheticVmcore b;
  b.set_no_notes(true).add_load(0, 0, "m");
  b.add_raw_phdr(RawPhdr{4, 0, 0x40, 0, 0, kMaxNoteSegmentBytes + 1, kMaxNoteSegmentBytes + 1, 4});
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  ASSERT_EQ(o->dump->warnings().size(), 1u);
  EXPECT_NE(o->dump->warnings()[0].find("limit"), std::string::npos);
}

// Many PT_NOTE headers may point at the same bytes: the reader's budget is for all note
// segments together (64 MiB), so 100 headers over one 1 MiB note read 64 MiB, not 100.
TEST(ElfDump, AliasedNoteSegmentsAreReadWithinOneBudget) {
  SyntheticVmcore b;
  b.add_note("BIG", 1, std::string(1 << 20, 'x')).add_load(0, 0, "m");
  const uint64_t size = 12 + 4 + (1 << 20);  // header, "BIG\0", desc
  const uint64_t per_budget = kMaxNoteBytes / size;
  for (int i = 0; i < 99; ++i) b.add_raw_phdr(RawPhdr{4, 0, b.notes_offset(), 0, 0, size, size, 4});
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  EXPECT_EQ(o->dump->notes().size(), per_budget);
  ASSERT_EQ(o->dump->warnings().size(), 1u);
  EXPECT_NE(o->dump->warnings()[0].find("bytes in all"), std::string::npos) << o->dump->warnings()[0];
  EXPECT_EQ(read_string(o->dump->memory(), 0, 1), "m");
}

// A header table of damaged entries: 100 warnings, then one that counts the rest.
TEST(ElfDump, WarningsAboutHeadersStopAtTheCap) {
  SyntheticVmcore b;
  b.set_no_notes(true).add_load(0, 0, "m");
  for (uint64_t i = 0; i < kMaxHeaderWarnings + 50; ++i)  // PT_LOADs past the end of the file
    b.add_raw_phdr(RawPhdr{1, 0, 0x100000 + i * 0x1000, 0, 0x100000 + i * 0x1000, 0x1000, 0x1000, 4});
  auto o = open_builder(b);
  ASSERT_TRUE(o->dump) << o->error.message();
  ASSERT_EQ(o->dump->warnings().size(), kMaxHeaderWarnings + 1);
  EXPECT_NE(o->dump->warnings()[0].find("is truncated"), std::string::npos);
  EXPECT_NE(o->dump->warnings().back().find("50 more warnings"), std::string::npos)
      << o->dump->warnings().back();
}

// ---- Not a core at all -------------------------------------------------------------------

TEST(ElfDump, RejectsEmptyFile) {
  auto o = open_bytes({});
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.kind, ErrorKind::Format);
  EXPECT_EQ(o->error.reason, "empty file");
  EXPECT_EQ(o->error.message(), o->path + ": empty file");
}

TEST(ElfDump, RejectsDirectory) {
  TempDir dir;
  auto r = ElfDump::open(dir.path());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  EXPECT_EQ(r.error().file, dir.path());
}

TEST(ElfDump, RejectsTextFile) {
  auto o = open_bytes(to_bytes("KEY=value\nthis is not a vmcore\n"));
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.kind, ErrorKind::Format);
  EXPECT_EQ(o->error.offset, 0u);
  EXPECT_NE(o->error.reason.find("not an ELF file"), std::string::npos);
}

TEST(ElfDump, RejectsShortFile) {
  auto o = open_bytes(to_bytes("\x7f" "ELF"));
  ASSERT_FALSE(o->dump);
  EXPECT_NE(o->error.reason.find("only 4 bytes"), std::string::npos);
}

TEST(ElfDump, RejectsRandomBytes) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    auto bytes = SyntheticVmcore::random_bytes(4096, seed);
    auto o = open_bytes(bytes);
    ASSERT_FALSE(o->dump) << seed;
    EXPECT_EQ(o->error.kind, ErrorKind::Format);
  }
  // Random bytes behind a valid identification still fail cleanly (never crash).
  int opened = 0;
  for (uint32_t seed = 1; seed <= 200; ++seed) {
    auto bytes = SyntheticVmcore::random_bytes(8192, seed);
    const unsigned char ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
    std::memcpy(bytes.data(), ident, sizeof ident);
    bytes[16] = std::byte{4};
    bytes[17] = std::byte{0};
    auto o = open_bytes(bytes);
    if (o->dump) {
      ++opened;  // a random header that happens to be valid: memory reads must stay bounded
      for (const auto& r : o->dump->memory().ranges()) {
        std::byte b[16];
        auto rr = o->dump->memory().read(r.start, std::span(b, std::min<uint64_t>(16, r.size)));
        (void)rr;
      }
    } else {
      EXPECT_FALSE(o->error.reason.empty());
    }
  }
  EXPECT_LT(opened, 200);
}

TEST(ElfDump, MutatedHeadersAndNotesFailCleanlyOrStayBounded) {
  // Byte flips in the headers and notes of a sound core: each result either opens (and
  // then every read stays within what was validated) or is an error naming the file.
  SyntheticVmcore b;
  testing::X86_64Regs regs;
  regs.rip = 0xffffffff81000000ull;
  b.add_prstatus(1, regs).add_qemu_cpu_state({}).add_vmcoreinfo("OSRELEASE=6.1.0\n");
  b.add_load(0x1000, 0xffff888000001000ull, std::string(0x800, 'a'), 0x1000);
  b.add_load(0x3000, 0, std::string(0x100, 'b'));
  const auto sound = b.bytes();
  const uint64_t span_end = b.load_offset(0);
  TempDir dir;
  const std::string path = dir.file("core");
  int opened = 0, rejected = 0;
  for (uint32_t seed = 1; seed <= 300; ++seed) {
    auto bytes = sound;
    auto noise = SyntheticVmcore::random_bytes(32, seed);
    const int flips = 1 + seed % 8;
    for (int i = 0; i < flips; ++i) {
      uint64_t pos = (uint64_t(std::to_integer<unsigned>(noise[2 * i])) << 8 |
                      std::to_integer<unsigned>(noise[2 * i + 1])) % span_end;
      if (pos < 16) pos += 16;  // keep the identification: test what lies behind it
      bytes[pos] = noise[16 + i];
    }
    ASSERT_TRUE(SyntheticVmcore::write_file(path, bytes));
    auto r = ElfDump::open(path);
    if (!r) {
      ++rejected;
      EXPECT_EQ(r.error().file, path);
      EXPECT_FALSE(r.error().reason.empty());
      continue;
    }
    ++opened;
    const ElfDump& d = **r;
    for (const auto& range : d.memory().ranges()) {
      std::vector<std::byte> buf(std::min<uint64_t>(range.size, 0x2000));
      auto rr = d.memory().read(range.start, buf);
      if (!rr) {
        EXPECT_EQ(rr.error().kind, ErrorKind::Truncated) << rr.error().message();
      }
    }
    (void)read_cpu_states(d);
  }
  EXPECT_EQ(opened + rejected, 300);
  EXPECT_GT(opened, 0);    // flips in notes or unused fields still open
  EXPECT_GT(rejected, 0);  // flips in vital header fields are caught
}

TEST(ElfDump, RejectsElfThatIsNotACore) {
  TempDir dir;
  const std::string copy = dir.file("exe");
  std::filesystem::copy_file("/proc/self/exe", copy);
  auto r = ElfDump::open(copy);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_NE(r.error().reason.find("not a core file"), std::string::npos) << r.error().message();

  SyntheticVmcore b;
  b.set_type(2).add_load(0, 0, "x");  // ET_EXEC
  auto o = open_builder(b);
  ASSERT_FALSE(o->dump);
  EXPECT_NE(o->error.reason.find("ELF type 2"), std::string::npos);
}

TEST(ElfDump, RejectsBadClassAndEncoding) {
  auto bytes = SyntheticVmcore().add_load(0, 0, "x").bytes();
  bytes[4] = std::byte{3};
  auto o = open_bytes(bytes);
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.offset, 4u);
  bytes[4] = std::byte{2};
  bytes[5] = std::byte{0};
  auto o2 = open_bytes(bytes);
  ASSERT_FALSE(o2->dump);
  EXPECT_EQ(o2->error.offset, 5u);
}

TEST(ElfDump, RejectsCoreWithoutProgramHeaders) {
  SyntheticVmcore b;
  b.set_no_notes(true);
  auto o = open_builder(b);
  ASSERT_FALSE(o->dump);
  EXPECT_EQ(o->error.reason, "no program headers");
}

}  // namespace
}  // namespace vmcap
