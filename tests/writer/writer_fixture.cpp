#include "tests/writer/writer_fixture.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "capture/writer/note_block.h"
#include "elf/open_dump.h"
#include "tests/support/synthetic_vmcore.h"

namespace vmcap::testing {

namespace {

std::vector<std::byte> text_page(uint64_t seed) {
  std::string s;
  while (s.size() < 4096) s += "page " + std::to_string(seed) + " of compressible text; ";
  s.resize(4096);
  return to_bytes(s);
}

}  // namespace

WriterSource make_writer_source(const std::string& dir) {
  WriterSource src;
  SyntheticVmcore v;
  v.add_vmcoreinfo("OSRELEASE=6.1.0-writer-test\nPAGESIZE=4096\nNUMBER(phys_base)=16777216\n");
  X86_64Regs regs;
  regs.rip = 0xffffffff81000000;
  v.add_prstatus(1, regs);
  v.add_note("VMCAPTEST", 7, std::string(101, 'x'));  // odd size: padding

  // Range A: pfns 1..0x9f, the last one partial (ends at 0x9fc00 like x86's low memory).
  std::vector<std::byte> a;
  for (uint64_t pfn = 1; pfn < 0xa0; ++pfn) {
    std::vector<std::byte> p = pfn % 5 == 0 ? std::vector<std::byte>(4096)
                               : pfn % 7 == 0 ? SyntheticVmcore::random_bytes(4096, pfn)
                                              : text_page(pfn);
    const PageKind kind = pfn == 0x9f ? PageKind::Partial
                          : pfn % 5 == 0 ? PageKind::Zero
                          : pfn % 7 == 0 ? PageKind::Random
                                         : PageKind::Text;
    if (pfn == 0x9f) p.resize(0xc00);
    a.insert(a.end(), p.begin(), p.end());
    src.pages.push_back({pfn, kind});
  }
  v.add_load(0x1000, 0, a);
  // Range B: 0x100..0x180, direct-mapped at a kernel virtual address.
  std::vector<std::byte> b;
  for (uint64_t pfn = 0x100; pfn < 0x180; ++pfn) {
    auto p = pfn % 3 == 0 ? SyntheticVmcore::random_bytes(4096, pfn) : text_page(pfn);
    b.insert(b.end(), p.begin(), p.end());
    src.pages.push_back({pfn, pfn % 3 == 0 ? PageKind::Random : PageKind::Text});
  }
  v.add_load(0x100000, 0xffff888000100000, b);
  // Range C, far away: a sparse max_mapnr.
  std::vector<std::byte> c;
  for (uint64_t pfn = 0x4000; pfn < 0x4010; ++pfn) {
    auto p = pfn % 2 ? std::vector<std::byte>(4096) : text_page(pfn);
    c.insert(c.end(), p.begin(), p.end());
    src.pages.push_back({pfn, pfn % 2 ? PageKind::Zero : PageKind::Text});
  }
  v.add_load(0x4000000, 0, c);

  src.path = dir + "/source.elf";
  auto w = v.write(src.path);
  EXPECT_TRUE(w) << (w ? "" : w.error().message());
  auto d = open_dump(src.path);
  EXPECT_TRUE(d) << (d ? "" : d.error().message());
  if (d) src.dump = std::move(*d);
  // Keep everything but pfns 0x20..0x2f, 0x120..0x127 and every 11th page; plus pfns the
  // source does not hold (the writer must ignore them).
  src.keep = PfnBitmap(0x5000);
  for (auto [pfn, kind] : src.pages)
    if (!(pfn >= 0x20 && pfn < 0x30) && !(pfn >= 0x120 && pfn < 0x128) && pfn % 11 != 0)
      src.keep.set(pfn);
  src.keep.set(0x3000);
  src.keep.set(0x4fff);
  return src;
}

KdumpHeaderFields header_fields_for(const Dump& source, int dump_level) {
  KdumpHeaderFields f;
  f.nodename = "writer-test";
  f.release = "6.1.0-writer-test";
  f.version = "#1 SMP PREEMPT_DYNAMIC Debian 6.1.0";
  f.machine = "x86_64";
  f.domainname = "(none)";
  f.timestamp_sec = 1700000000;
  f.timestamp_usec = 123456;
  f.nr_cpus = 2;
  f.phys_base = 0x1000000;
  f.dump_level = dump_level;
  f.notes = encode_note_block(source.notes());
  return f;
}

ElfHeaderFields elf_fields_for(const Dump& source) {
  ElfHeaderFields f;
  f.machine = source.machine();
  f.notes = encode_note_block(source.notes());
  f.mappings = source.virtual_mappings();
  return f;
}

uint64_t expect_pages_match(const Dump& source, const Dump& out, const PfnBitmap& keep,
                            uint32_t page_size) {
  uint64_t compared = 0;
  std::vector<std::byte> want(page_size), got(page_size);
  const auto& ranges = source.memory().ranges();
  for (const PhysRange& r : ranges) {
    for (uint64_t pfn = r.start / page_size; pfn * page_size < r.end(); ++pfn) {
      const uint64_t a = pfn * page_size;
      const uint64_t lo = std::max(a, r.start), hi = std::min(a + page_size, r.end());
      if (!keep.test(pfn)) {
        auto g = out.memory().read(lo, std::span(got).first(1));
        EXPECT_FALSE(g) << "excluded pfn " << std::hex << pfn << " reads back";
        if (!g) {
          EXPECT_EQ(g.error().kind, ErrorKind::Hole) << g.error().message();
        }
        continue;
      }
      std::fill(want.begin(), want.end(), std::byte{0});
      auto s = source.memory().read(lo, std::span(want).subspan(lo - a, hi - lo));
      EXPECT_TRUE(s) << s.error().message();
      auto g = out.memory().read(lo, std::span(got).subspan(lo - a, hi - lo));
      EXPECT_TRUE(g) << "pfn " << std::hex << pfn << ": " << (g ? "" : g.error().message());
      if (!g) continue;
      EXPECT_TRUE(std::equal(want.begin() + (lo - a), want.begin() + (hi - a), got.begin() + (lo - a)))
          << "pfn " << std::hex << pfn << " differs";
      ++compared;
    }
  }
  return compared;
}

std::vector<std::byte> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(c.size());
  std::memcpy(out.data(), c.data(), c.size());
  return out;
}

}  // namespace vmcap::testing
