// kdump-compressed reader against files the test writer builds from the documented layout.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <tuple>

#include "elf/kdump/kdump.h"
#include "tests/kdump/kdump_writer.h"

namespace vmcap {
namespace {

using testing::KdumpLayout;
using testing::KdumpWriter;
using testing::pattern_page;
using testing::random_page;
using testing::put_u32;
using testing::put_u64;

class KdumpTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("kdump"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::vector<std::byte>& bytes, const std::string& name = "dump") {
    const std::string path = dir_ + "/" + name;
    testing::write_file(path, bytes);
    return path;
  }
  std::unique_ptr<Dump> open_ok(const std::vector<std::byte>& bytes) {
    auto r = open_kdump_compressed(write(bytes));
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? std::move(r).value() : nullptr;
  }
  Error open_err(const std::vector<std::byte>& bytes) {
    auto r = open_kdump_compressed(write(bytes));
    EXPECT_FALSE(r) << "opened a damaged file";
    return r ? Error{} : r.error();
  }
  static std::vector<std::byte> read_page(const Dump& d, uint64_t pfn, uint32_t bs = 4096) {
    std::vector<std::byte> out(bs);
    auto r = d.memory().read(pfn * bs, out);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return out;
  }
  static Error read_err(const Dump& d, uint64_t paddr, size_t n) {
    std::vector<std::byte> out(n);
    auto r = d.memory().read(paddr, out);
    EXPECT_FALSE(r) << "read at " << paddr << " succeeded";
    return r ? Error{} : r.error();
  }

  std::string dir_;
};

// --- compression methods -------------------------------------------------------------

class CompressionTest : public KdumpTest, public ::testing::WithParamInterface<uint32_t> {};

TEST_P(CompressionTest, EveryPageRoundTrips) {
  const uint32_t method = GetParam();
  KdumpWriter w;
  for (uint64_t pfn = 0; pfn < 8; ++pfn) w.page(pfn, pattern_page(4096, pfn), method);
  w.page(8, random_page(4096, 8), method);  // incompressible: stored raw
  KdumpLayout L;
  auto bytes = w.build(&L);
  // The writer really stored the pattern pages with this method, the random one raw.
  for (uint64_t pfn = 0; pfn < 8; ++pfn) {
    uint32_t flags;
    std::memcpy(&flags, bytes.data() + L.desc_of_pfn[pfn] + 12, 4);
    EXPECT_EQ(flags, method) << "pfn " << pfn;
  }
  uint32_t raw_flags;
  std::memcpy(&raw_flags, bytes.data() + L.desc_of_pfn[8] + 12, 4);
  EXPECT_EQ(raw_flags, 0u);

  auto d = open_ok(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->format(), "kdump-compressed");
  EXPECT_EQ(d->machine(), 62);
  EXPECT_EQ(d->word_size(), 64);
  EXPECT_TRUE(d->little_endian());
  ASSERT_EQ(d->memory().ranges().size(), 1u);
  EXPECT_EQ(d->memory().ranges()[0].start, 0u);
  EXPECT_EQ(d->memory().ranges()[0].size, 9u * 4096);
  for (uint64_t pfn = 0; pfn < 8; ++pfn) EXPECT_EQ(read_page(*d, pfn), pattern_page(4096, pfn));
  EXPECT_EQ(read_page(*d, 8), random_page(4096, 8));
  // Unaligned read across three pages.
  std::vector<std::byte> span(2 * 4096 + 100);
  ASSERT_TRUE(d->memory().read(4096 + 4000, span));
  std::vector<std::byte> expect;
  for (uint64_t pfn = 1; pfn <= 4; ++pfn) {
    auto p = pattern_page(4096, pfn);
    expect.insert(expect.end(), p.begin(), p.end());
  }
  EXPECT_TRUE(std::equal(span.begin(), span.end(), expect.begin() + 4000));
}

INSTANTIATE_TEST_SUITE_P(Methods, CompressionTest,
                         ::testing::Values(testing::kZlib, testing::kLzo, testing::kSnappy,
                                           testing::kZstd, testing::kRaw),
                         [](const auto& info) {
                           switch (info.param) {
                             case testing::kZlib: return std::string("zlib");
                             case testing::kLzo: return std::string("lzo");
                             case testing::kSnappy: return std::string("snappy");
                             case testing::kZstd: return std::string("zstd");
                             default: return std::string("raw");
                           }
                         });

TEST_F(KdumpTest, SmallSequentialReadsSeeEveryByte) {
  KdumpWriter w;
  for (uint64_t pfn = 0; pfn < 4; ++pfn) w.page(pfn, pattern_page(4096, pfn), testing::kZlib);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  std::vector<std::byte> all;
  for (uint64_t pfn = 0; pfn < 4; ++pfn) {
    auto p = pattern_page(4096, pfn);
    all.insert(all.end(), p.begin(), p.end());
  }
  for (uint64_t off = 0; off + 8 <= all.size(); off += 8) {
    std::byte b[8];
    ASSERT_TRUE(d->memory().read(off, b));
    ASSERT_EQ(std::memcmp(b, all.data() + off, 8), 0) << "offset " << off;
  }
}

// --- header versions ---------------------------------------------------------------------

class VersionTest : public KdumpTest, public ::testing::WithParamInterface<int> {};

TEST_P(VersionTest, FieldsOfThisVersion) {
  const int v = GetParam();
  const std::string vmci = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";
  std::vector<std::byte> prstatus(336, std::byte{0x11});
  KdumpWriter w;
  w.header_version(v).phys_base(0x1000000).dump_level(31).vmcoreinfo(vmci).eraseinfo(
      "erase foo.bar size 8\n");
  w.note({"CORE", 1, prstatus});
  w.page(3, pattern_page(4096, 3), testing::kZlib);
  KdumpLayout L;
  auto bytes = w.build(&L);
  auto d = open_ok(bytes);
  ASSERT_TRUE(d);
  const KdumpInfo* info = kdump_info(*d);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->header_version, v);
  EXPECT_EQ(info->release, "6.1.0-test");
  EXPECT_EQ(info->machine, "x86_64");
  EXPECT_EQ(info->block_size, 4096u);
  EXPECT_EQ(info->max_mapnr, 4u);
  EXPECT_EQ(info->dumped_pages, 1u);
  EXPECT_EQ(info->timestamp_sec, 1700000000u);
  EXPECT_EQ(info->timestamp_usec, 123456u);
  EXPECT_EQ(info->phys_base, v >= 1 ? 0x1000000u : 0u);
  EXPECT_EQ(info->dump_level, v >= 1 ? 31 : 0);
  EXPECT_EQ(info->split, 0);
  EXPECT_EQ(info->offset_vmcoreinfo, v >= 3 ? L.vmcoreinfo : 0u);
  EXPECT_EQ(info->size_vmcoreinfo, v >= 3 ? vmci.size() : 0u);
  EXPECT_EQ(info->offset_note, v >= 4 ? L.notes : 0u);
  EXPECT_EQ(info->offset_eraseinfo, v >= 5 ? L.eraseinfo : 0u);
  EXPECT_EQ(info->size_eraseinfo, v >= 5 ? 21u : 0u);
  EXPECT_EQ(read_page(*d, 3), pattern_page(4096, 3));

  // Notes: the whole PT_NOTE from v4, VMCOREINFO's text alone in v3, nothing before.
  if (v >= 4) {
    ASSERT_EQ(d->notes().size(), 2u);
    EXPECT_EQ(d->notes()[0].name, "CORE");
    EXPECT_EQ(d->notes()[0].type, 1u);
    EXPECT_EQ(d->notes()[0].desc, prstatus);
    EXPECT_EQ(d->notes()[0].file_offset, L.notes);
    EXPECT_EQ(d->notes()[1].name, "VMCOREINFO");
  } else if (v == 3) {
    ASSERT_EQ(d->notes().size(), 1u);
    EXPECT_EQ(d->notes()[0].name, "VMCOREINFO");
    EXPECT_EQ(d->notes()[0].file_offset, L.vmcoreinfo);
  } else {
    EXPECT_TRUE(d->notes().empty());
  }
  EXPECT_EQ(d->vmcoreinfo_text(), v >= 3 ? std::optional<std::string>(vmci) : std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(Versions, VersionTest, ::testing::Values(0, 1, 2, 3, 4, 5, 6));

TEST_F(KdumpTest, Version6TakesMaxMapnrFromTheSubHeader) {
  KdumpWriter w;
  w.max_mapnr(100).page(50, pattern_page(4096, 50), testing::kZstd);
  auto bytes = w.build();
  put_u32(bytes, 440, 7);  // the obsolete 32-bit field says 7: v6 readers ignore it
  auto d = open_ok(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(kdump_info(*d)->max_mapnr, 100u);
  EXPECT_EQ(read_page(*d, 50), pattern_page(4096, 50));

  KdumpWriter w5;
  w5.header_version(5).max_mapnr(100).page(50, pattern_page(4096, 50), testing::kZstd);
  auto b5 = w5.build();
  put_u32(b5, 440, 7);  // v5: the 32-bit field is the truth, pfn 50 lies beyond it
  auto d5 = open_ok(b5);
  ASSERT_TRUE(d5);
  EXPECT_EQ(kdump_info(*d5)->max_mapnr, 7u);
  EXPECT_TRUE(d5->memory().ranges().empty());
  EXPECT_EQ(read_err(*d5, 50 * 4096, 1).kind, ErrorKind::Hole);
}

// --- word size and byte order -------------------------------------------------------------

struct Arch {
  const char* machine;
  int word_size;
  bool big_endian;
  uint16_t e_machine;
  bool packed;
};

class ArchTest : public KdumpTest, public ::testing::WithParamInterface<Arch> {};

TEST_P(ArchTest, HeaderLayoutAndByteOrder) {
  const Arch a = GetParam();
  const std::string vmci = "OSRELEASE=4.19.0\n";
  KdumpWriter w;
  w.machine(a.machine, a.word_size).big_endian(a.big_endian).phys_base(0x2000).vmcoreinfo(vmci)
      .eraseinfo("e\n").max_mapnr(64);
  w.note({"CORE", 1, std::vector<std::byte>(144, std::byte{7})});
  w.page(1, pattern_page(4096, 1), testing::kLzo).page(9, pattern_page(4096, 9), testing::kZlib);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  const KdumpInfo* info = kdump_info(*d);
  EXPECT_EQ(d->word_size(), a.word_size);
  EXPECT_EQ(d->little_endian(), !a.big_endian);
  EXPECT_EQ(d->machine(), a.e_machine);
  EXPECT_EQ(info->packed_sub_header, a.packed);
  EXPECT_EQ(info->phys_base, 0x2000u);
  EXPECT_EQ(info->max_mapnr, 64u);
  EXPECT_EQ(info->timestamp_usec, 123456u);
  EXPECT_EQ(info->size_eraseinfo, 2u);
  ASSERT_EQ(d->notes().size(), 2u);
  EXPECT_EQ(d->notes()[0].desc.size(), 144u);
  EXPECT_EQ(d->vmcoreinfo_text(), vmci);
  EXPECT_EQ(read_page(*d, 1), pattern_page(4096, 1));
  EXPECT_EQ(read_page(*d, 9), pattern_page(4096, 9));
  ASSERT_EQ(d->memory().ranges().size(), 2u);
  EXPECT_EQ(d->memory().ranges()[1].start, 9u * 4096);
}

INSTANTIATE_TEST_SUITE_P(
    Arches, ArchTest,
    ::testing::Values(Arch{"x86_64", 64, false, 62, false}, Arch{"aarch64", 64, false, 183, false},
                      Arch{"ppc64", 64, true, 21, false}, Arch{"s390x", 64, true, 22, false},
                      Arch{"i686", 32, false, 3, true}, Arch{"armv7l", 32, false, 40, false},
                      Arch{"ppc", 32, true, 20, false}),
    [](const auto& info) { return std::string(info.param.machine); });

TEST_F(KdumpTest, UnknownMachineFallsBackToHeaderPlausibility) {
  for (int ws : {64, 32}) {
    KdumpWriter w;
    w.machine("weirdarch", ws).max_mapnr(300000).page(2, pattern_page(4096, 2), testing::kZlib);
    auto d = open_ok(w.build());
    ASSERT_TRUE(d);
    EXPECT_EQ(d->word_size(), ws);
    EXPECT_EQ(d->machine(), 0);
    EXPECT_EQ(kdump_info(*d)->max_mapnr, 300000u);
    EXPECT_EQ(read_page(*d, 2), pattern_page(4096, 2));
  }
}

TEST_F(KdumpTest, OtherBlockSizes) {
  for (uint32_t bs : {16384u, 65536u}) {
    KdumpWriter w;
    w.machine("aarch64", 64).block_size(bs).page(3, pattern_page(bs, 3), testing::kZstd);
    auto d = open_ok(w.build());
    ASSERT_TRUE(d);
    EXPECT_EQ(kdump_info(*d)->block_size, bs);
    EXPECT_EQ(read_page(*d, 3, bs), pattern_page(bs, 3));
    ASSERT_EQ(d->memory().ranges().size(), 1u);
    EXPECT_EQ(d->memory().ranges()[0].start, 3u * bs);
    EXPECT_EQ(d->memory().ranges()[0].size, bs);
  }
}

// --- holes, zero pages, split files ---------------------------------------------------

TEST_F(KdumpTest, HolesAreErrorsNamingTheAddressAndWhy) {
  KdumpWriter w;
  w.max_mapnr(10).exists(0, 6);
  w.page(0, pattern_page(4096, 0), testing::kZlib).page(1, pattern_page(4096, 1), testing::kZlib);
  w.page(5, pattern_page(4096, 5), testing::kZlib);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  const auto& r = d->memory().ranges();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].start, 0u);
  EXPECT_EQ(r[0].size, 2u * 4096);
  EXPECT_EQ(r[1].start, 5u * 4096);
  EXPECT_EQ(r[1].size, 4096u);
  EXPECT_EQ(d->memory().total_bytes(), 3u * 4096);

  Error e = read_err(*d, 3 * 4096 + 8, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_EQ(e.offset, 3u * 4096 + 8);
  EXPECT_NE(e.reason.find("excluded"), std::string::npos) << e.reason;
  e = read_err(*d, 7 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_NE(e.reason.find("memory map"), std::string::npos) << e.reason;
  e = read_err(*d, 12 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_NE(e.reason.find("max_mapnr"), std::string::npos) << e.reason;
  // A read that starts in a dumped page and runs into a hole fails at the hole.
  e = read_err(*d, 2 * 4096 - 4, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_EQ(e.offset, 2u * 4096);
  e = read_err(*d, UINT64_MAX - 3, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
}

TEST_F(KdumpTest, ZeroPagesShareOneDescriptorTarget) {
  KdumpWriter w;
  w.share_zero_pages(true);
  const std::vector<std::byte> zero(4096, std::byte{0});
  for (uint64_t pfn = 0; pfn < 6; ++pfn)
    w.page(pfn, pfn % 2 ? pattern_page(4096, pfn) : zero, testing::kZlib);
  KdumpLayout L;
  auto bytes = w.build(&L);
  EXPECT_EQ(L.data_of_pfn[0], L.data_of_pfn[2]);
  EXPECT_EQ(L.data_of_pfn[2], L.data_of_pfn[4]);
  auto d = open_ok(bytes);
  ASSERT_TRUE(d);
  for (uint64_t pfn = 0; pfn < 6; ++pfn)
    EXPECT_EQ(read_page(*d, pfn), pfn % 2 ? pattern_page(4096, pfn) : zero);
}

TEST_F(KdumpTest, SplitFileHoldsOnlyItsPfnRange) {
  KdumpWriter w;
  w.split(4, 8);
  for (uint64_t pfn = 0; pfn < 12; ++pfn) w.page(pfn, pattern_page(4096, pfn), testing::kZlib);
  auto d = open_ok(w.build());
  ASSERT_TRUE(d);
  const KdumpInfo* info = kdump_info(*d);
  EXPECT_EQ(info->split, 1);
  EXPECT_EQ(info->start_pfn, 4u);
  EXPECT_EQ(info->end_pfn, 8u);
  EXPECT_EQ(info->dumped_pages, 4u);
  ASSERT_EQ(d->memory().ranges().size(), 1u);
  EXPECT_EQ(d->memory().ranges()[0].start, 4u * 4096);
  EXPECT_EQ(d->memory().ranges()[0].size, 4u * 4096);
  for (uint64_t pfn = 4; pfn < 8; ++pfn) EXPECT_EQ(read_page(*d, pfn), pattern_page(4096, pfn));
  Error e = read_err(*d, 2 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_NE(e.reason.find("split"), std::string::npos) << e.reason;
}

TEST_F(KdumpTest, LostPageOfAnIncompleteDumpIsAHole) {
  KdumpWriter w;
  w.status(0x8).page(0, pattern_page(4096, 0), testing::kZlib).page(1, pattern_page(4096, 1), testing::kZlib);
  KdumpLayout L;
  auto bytes = w.build(&L);
  put_u64(bytes, L.desc_of_pfn[1], 0);
  auto d = open_ok(bytes);
  ASSERT_TRUE(d);
  EXPECT_EQ(kdump_info(*d)->status, 0x8u);
  EXPECT_EQ(read_page(*d, 0), pattern_page(4096, 0));
  Error e = read_err(*d, 4096, 4096);
  EXPECT_EQ(e.kind, ErrorKind::Hole);
  EXPECT_NE(e.reason.find("incomplete"), std::string::npos) << e.reason;
}

// --- truncated files -----------------------------------------------------------------

TEST_F(KdumpTest, TruncatedFilesNameTheOffset) {
  KdumpWriter w;
  w.vmcoreinfo("OSRELEASE=x\n");
  for (uint64_t pfn = 0; pfn < 4; ++pfn) w.page(pfn, pattern_page(4096, pfn), testing::kZlib);
  KdumpLayout L;
  const auto full = w.build(&L);
  auto cut = [&](uint64_t n) { return std::vector<std::byte>(full.begin(), full.begin() + n); };

  Error e = open_err(cut(4));
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, 0u);
  e = open_err(cut(300));
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  e = open_err(cut(L.bitmap2 + 10));
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, L.bitmap1);
  EXPECT_NE(e.message().find(dir_), std::string::npos) << e.message();
  e = open_err(cut(L.descs + 30));
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, L.descs);
  EXPECT_NE(e.reason.find("4 dumped pages"), std::string::npos) << e.reason;

  // Cut inside page 3's data: the file opens, pages 0-2 read, page 3 is Truncated.
  auto d = open_ok(cut(L.data_of_pfn[3] + 5));
  ASSERT_TRUE(d);
  EXPECT_EQ(read_page(*d, 2), pattern_page(4096, 2));
  e = read_err(*d, 3 * 4096, 4096);
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, L.data_of_pfn[3]);
}

// --- garbage -----------------------------------------------------------------------------

TEST_F(KdumpTest, GarbageHeadersAreRefused) {
  KdumpWriter w;
  w.page(0, pattern_page(4096, 0), testing::kZlib);
  KdumpLayout L;
  const auto good = w.build(&L);

  auto b = good;
  std::memcpy(b.data(), "KDUMP  X", 8);
  Error e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, 0u);

  b = good;
  std::memcpy(b.data(), "DISKDUMP", 8);
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_NE(e.reason.find("DISKDUMP"), std::string::npos);

  b = good;
  put_u32(b, 8, 7);  // header_version 7
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, 8u);
  EXPECT_NE(e.reason.find("header_version 7"), std::string::npos) << e.reason;

  b = good;
  put_u32(b, 428, 1000);  // block_size not a power of two
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, 428u);

  b = good;
  put_u32(b, 436, 0xfffffffe);  // bitmap_blocks huge: bitmaps past the end of the file
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, L.bitmap1);

  b = good;
  put_u32(b, 436, 3);  // odd: not two bitmaps of one size
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, 436u);

  b = good;
  put_u64(b, 4096 + 96, uint64_t{1} << 40);  // max_mapnr_64 beyond what the bitmaps hold
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_NE(e.reason.find("max_mapnr"), std::string::npos) << e.reason;

  b = good;
  put_u32(b, 432, 0);  // sub_hdr_size 0 with version 6
  e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, 432u);

  // Each field that makes the header implausible is the one named (each used to be
  // reported as a bad block_size at 428).
  for (auto [at, value, what] : {std::tuple<uint64_t, uint32_t, const char*>{436, 0, "bitmap_blocks is 0"},
                                 {432, 1u << 20, "sub_hdr_size 1048576"},
                                 {440, 0xffffffff, "max_mapnr 0xffffffff needs more bits"}}) {
    SCOPED_TRACE(what);
    b = good;
    put_u32(b, at, value);
    e = open_err(b);
    EXPECT_EQ(e.kind, ErrorKind::Format);
    EXPECT_EQ(e.offset, at);
    EXPECT_NE(e.reason.find(what), std::string::npos) << e.reason;
  }
}

TEST_F(KdumpTest, HugeBitmapIsALimit) {
  KdumpWriter w;
  w.page(0, pattern_page(4096, 0), testing::kZlib);
  auto b = w.build();
  // 2^36 pfns need 8 GiB bitmaps: 2 * 2^21 blocks of 4 KiB.
  put_u32(b, 436, 1u << 22);
  put_u64(b, 4096 + 96, uint64_t{1} << 36);
  Error e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Limit);
}

TEST_F(KdumpTest, GarbageDescriptorsFailTheirPageOnly) {
  KdumpWriter w;
  for (uint64_t pfn = 0; pfn < 6; ++pfn) w.page(pfn, pattern_page(4096, pfn), testing::kZlib);
  KdumpLayout L;
  auto b = w.build(&L);
  put_u64(b, L.desc_of_pfn[1], b.size() + 100000);        // data offset past EOF
  put_u32(b, L.desc_of_pfn[2] + 8, 8192);                  // compressed size > block size
  b[L.data_of_pfn[3] + 2] ^= std::byte{0xff};              // corrupt zlib stream
  b[L.data_of_pfn[3] + 3] ^= std::byte{0xff};
  put_u32(b, L.desc_of_pfn[4] + 12, 0x3);                  // zlib and lzo at once
  put_u32(b, L.desc_of_pfn[5] + 12, 0);                    // raw, but size != block size
  auto d = open_ok(b);
  ASSERT_TRUE(d);
  EXPECT_EQ(read_page(*d, 0), pattern_page(4096, 0));

  Error e = read_err(*d, 1 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, b.size() + 100000);
  e = read_err(*d, 2 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, L.desc_of_pfn[2]);
  EXPECT_NE(e.reason.find("8192"), std::string::npos) << e.reason;
  e = read_err(*d, 3 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_EQ(e.offset, L.data_of_pfn[3]);
  EXPECT_NE(e.reason.find("zlib"), std::string::npos) << e.reason;
  e = read_err(*d, 4 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_NE(e.reason.find("several"), std::string::npos) << e.reason;
  e = read_err(*d, 5 * 4096, 8);
  EXPECT_EQ(e.kind, ErrorKind::Format);
  EXPECT_NE(e.reason.find("uncompressed"), std::string::npos) << e.reason;
  // Failures are not cached as successes: page 0 still reads, page 2 still fails.
  EXPECT_EQ(read_page(*d, 0), pattern_page(4096, 0));
  EXPECT_EQ(read_err(*d, 2 * 4096, 8).kind, ErrorKind::Format);
}

TEST_F(KdumpTest, DecompressedToTheWrongLengthIsAFormatError) {
  // A valid zstd stream of 100 bytes where a 4096-byte page belongs.
  for (uint32_t method : {testing::kZlib, testing::kLzo, testing::kSnappy, testing::kZstd}) {
    KdumpWriter w;
    w.page(0, pattern_page(4096, 0), method);
    KdumpLayout L;
    auto b = w.build(&L);
    auto small = testing::compress_page(method, pattern_page(100, 1));
    ASSERT_TRUE(small);
    std::memcpy(b.data() + L.data_of_pfn[0], small->data(), small->size());
    put_u32(b, L.desc_of_pfn[0] + 8, small->size());
    auto d = open_ok(b);
    ASSERT_TRUE(d);
    Error e = read_err(*d, 0, 8);
    EXPECT_EQ(e.kind, ErrorKind::Format) << method;
    EXPECT_EQ(e.offset, L.data_of_pfn[0]);
  }
}

TEST_F(KdumpTest, GarbledNoteBlockIsAWarning) {
  KdumpWriter w;
  w.note({"CORE", 1, std::vector<std::byte>(32, std::byte{1})}).vmcoreinfo("OSRELEASE=1\n");
  w.page(0, pattern_page(4096, 0), testing::kZlib);
  KdumpLayout L;
  auto b = w.build(&L);
  put_u32(b, L.notes + 4, 0x7fffffff);  // CORE's descsz
  auto d = open_ok(b);
  ASSERT_TRUE(d);
  EXPECT_EQ(kdump_info(*d)->warnings.size(), 1u);
  // VMCOREINFO is still found through offset_vmcoreinfo.
  EXPECT_EQ(d->vmcoreinfo_text(), std::string("OSRELEASE=1\n"));
  EXPECT_EQ(read_page(*d, 0), pattern_page(4096, 0));
}

TEST_F(KdumpTest, NoteBlockPastTheEndIsTruncated) {
  KdumpWriter w;
  w.note({"CORE", 1, std::vector<std::byte>(32, std::byte{1})});
  w.page(0, pattern_page(4096, 0), testing::kZlib);
  KdumpLayout L;
  auto b = w.build(&L);
  put_u64(b, 4096 + 48, b.size() - 10);  // offset_note
  Error e = open_err(b);
  EXPECT_EQ(e.kind, ErrorKind::Truncated);
  EXPECT_EQ(e.offset, b.size() - 10);
}

// Random damage anywhere in the metadata (headers, notes, bitmaps, descriptors) and the
// page data: opening and reading every range either works or gives an Error naming the
// file; never a crash, hang or out-of-bounds access (run under VMCAP_SANITIZE too).
TEST_F(KdumpTest, RandomDamageGivesErrorsNotCrashes) {
  static constexpr uint32_t kMethods[] = {testing::kZlib, testing::kLzo, testing::kSnappy,
                                          testing::kZstd};
  KdumpWriter w;
  w.vmcoreinfo("OSRELEASE=x\n").note({"CORE", 1, std::vector<std::byte>(64, std::byte{3})});
  for (uint64_t pfn = 0; pfn < 24; pfn += 1 + pfn % 3)
    w.page(pfn, pattern_page(4096, pfn), kMethods[pfn % 4]);
  KdumpLayout L;
  const auto good = w.build(&L);
  uint64_t x = 12345;
  auto rnd = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  int opened = 0, failed = 0, read_errors = 0;
  const std::string path = dir_ + "/damaged";
  for (int iter = 0; iter < 400; ++iter) {
    auto b = good;
    const int flips = 1 + rnd() % 4;
    for (int i = 0; i < flips; ++i) {
      // Mostly metadata (everything before the page data), sometimes page data.
      const uint64_t limit = rnd() % 4 ? L.data : b.size();
      b[rnd() % limit] = static_cast<std::byte>(rnd());
    }
    testing::write_file(path, b);
    auto d = open_kdump_compressed(path);
    if (!d) {
      ++failed;
      EXPECT_EQ(d.error().file, path);
      EXPECT_FALSE(d.error().reason.empty());
      continue;
    }
    ++opened;
    std::vector<std::byte> page(4096);
    uint64_t pages = 0;
    for (const auto& r : d.value()->memory().ranges()) {
      for (uint64_t a = r.start; a < r.end() && pages < 4096; a += 4096, ++pages) {
        auto rr = d.value()->memory().read(a, std::span(page).first(std::min<uint64_t>(4096, r.end() - a)));
        if (!rr) {
          ++read_errors;
          EXPECT_NE(rr.error().kind, ErrorKind::Io);
          EXPECT_EQ(rr.error().file, path);
        }
      }
    }
  }
  EXPECT_GT(opened, 0);
  EXPECT_GT(failed, 0);
  EXPECT_GT(read_errors, 0);
}

TEST(KdumpMachine, UtsnameMachines) {
  EXPECT_EQ(machine_from_utsname("x86_64"), 62);
  EXPECT_EQ(machine_from_utsname("aarch64"), 183);
  EXPECT_EQ(machine_from_utsname("i686"), 3);
  EXPECT_EQ(machine_from_utsname("ppc64le"), 21);
  EXPECT_EQ(machine_from_utsname("s390x"), 22);
  EXPECT_EQ(machine_from_utsname("riscv64"), 243);
  EXPECT_EQ(machine_from_utsname("vax"), 0);
  EXPECT_EQ(word_size_from_utsname("armv7l"), 32);
  EXPECT_EQ(word_size_from_utsname("x86_64"), 64);
  EXPECT_EQ(word_size_from_utsname("vax"), std::nullopt);
  // Other spellings of the same machines, and names that do not tell the word size.
  EXPECT_EQ(machine_from_utsname("arm64"), kEmAarch64);
  EXPECT_EQ(word_size_from_utsname("arm64"), 64);
  EXPECT_EQ(machine_from_utsname("armv6l"), kEmArm);
  EXPECT_EQ(machine_from_utsname("S390X"), 22);
  EXPECT_EQ(word_size_from_utsname("S390X"), 64);
  EXPECT_EQ(word_size_from_utsname("s390"), 32);
  EXPECT_EQ(word_size_from_utsname("mips64"), 64);
  EXPECT_EQ(word_size_from_utsname("mips"), 32);
  EXPECT_EQ(machine_from_utsname("mips64el"), 8);
  EXPECT_EQ(word_size_from_utsname("mips64el"), std::nullopt);
  EXPECT_EQ(machine_from_utsname(""), 0);
  // What a writer puts in utsname.machine reads back as the same machine.
  for (uint16_t m : {kEmX86_64, kEmI386, kEmAarch64, kEmArm, uint16_t{21}, uint16_t{22}, uint16_t{243}})
    EXPECT_EQ(machine_from_utsname(utsname_machine(m)), m) << m;
}

TEST_F(KdumpTest, MissingFileIsAnIoError) {
  auto r = open_kdump_compressed(dir_ + "/nope");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Io);
}

}  // namespace
}  // namespace vmcap
