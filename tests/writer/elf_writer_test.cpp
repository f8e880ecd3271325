// The filtered ELF writer, read back by our ELF reader: kept pages identical, excluded
// pages Holes, notes as in the source, p_vaddr from the source's mappings; PN_XNUM when
// there are more segments than e_phnum holds; and gdb, where installed, opens it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "capture/writer/file_sink.h"
#include "elf/elf_dump.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"
#include "tests/writer/writer_fixture.h"

namespace vmcap {
namespace {

using testing::TempDir;

TEST(ElfWriter, ReadsBackPageByPage) {
  TempDir dir;
  auto src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  const std::string out = dir.file("out.elf");
  auto sink = FileSink::create(out);
  ASSERT_TRUE(sink);
  auto stats = write_elf(src.dump->memory(), src.keep, testing::elf_fields_for(*src.dump), {}, **sink);
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_EQ(stats->file_bytes, std::filesystem::file_size(out));

  auto d = ElfDump::open(out);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_TRUE((*d)->warnings().empty());
  EXPECT_EQ((*d)->machine(), 62);
  EXPECT_EQ(testing::expect_pages_match(*src.dump, **d, src.keep), stats->pages);
  ASSERT_EQ((*d)->notes().size(), src.dump->notes().size());
  for (size_t i = 0; i < src.dump->notes().size(); ++i) {
    EXPECT_EQ((*d)->notes()[i].name, src.dump->notes()[i].name);
    EXPECT_EQ((*d)->notes()[i].type, src.dump->notes()[i].type);
    EXPECT_EQ((*d)->notes()[i].desc, src.dump->notes()[i].desc);
  }
  // Range B is direct-mapped: its kept runs carry the source's virtual addresses, the
  // others 0 (no mapping stated).
  uint64_t mapped = 0;
  for (const ElfLoadSegment& s : (*d)->load_segments()) {
    if (s.paddr >= 0x100000 && s.paddr < 0x180000) {
      EXPECT_EQ(s.vaddr, 0xffff888000000000 + s.paddr);
      ++mapped;
    } else {
      EXPECT_EQ(s.vaddr, 0u);
    }
  }
  EXPECT_GE(mapped, 3u);  // 0x120..0x127 and multiples of 11 cut it
  // The partial page stays partial: the segment ends where the source's range does.
  const auto& r = (*d)->memory().ranges();
  EXPECT_TRUE(std::any_of(r.begin(), r.end(), [](const PhysRange& x) { return x.end() == 0x9fc00; }));

  // gdb as an independent reader of the core's structure.
  if (std::system("command -v gdb > /dev/null 2>&1") != 0) GTEST_SKIP() << "gdb not installed";
  const std::string cmd = "gdb -batch -nx -ex 'info files' -c " + out + " > " + dir.file("gdb.txt") + " 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

TEST(ElfWriter, ManySegmentsUsePnXnum) {
  TempDir dir;
  // 70000 one-page runs: every other pfn of a 140000-page range (sparse source, 8-byte loads).
  testing::SyntheticVmcore v;
  v.add_vmcoreinfo("OSRELEASE=x\n");
  const uint64_t pages = 140000;
  std::vector<std::byte> data(pages * 4096);
  for (uint64_t p = 0; p < pages; ++p) data[p * 4096] = std::byte(p & 0xff), data[p * 4096 + 1] = std::byte(1);
  v.add_load(0, 0, data);
  ASSERT_TRUE(v.write(dir.file("big.elf")));
  auto src = ElfDump::open(dir.file("big.elf"));
  ASSERT_TRUE(src);
  PfnBitmap keep(pages);
  for (uint64_t p = 0; p < pages; p += 2) keep.set(p);
  auto sink = FileSink::create(dir.file("out.elf"));
  ASSERT_TRUE(sink);
  auto stats = write_elf((*src)->memory(), keep, testing::elf_fields_for(**src), {}, **sink);
  ASSERT_TRUE(stats) << stats.error().message();
  auto d = ElfDump::open(dir.file("out.elf"));
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ((*d)->program_header_count(), pages / 2 + 1);
  testing::expect_pages_match(**src, **d, keep);
}

}  // namespace
}  // namespace vmcap
