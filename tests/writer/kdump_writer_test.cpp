// The kdump-compressed and flattened writers, read back by our own readers (and by the
// real makedumpfile where installed): every kept page byte-identical, excluded pages
// Holes, one shared zero page, raw pages where compression does not help, identical
// bytes whatever the thread count, and no final-named file after a failure.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "capture/writer/appending_stream_sink.h"
#include "capture/writer/fd_stream_sink.h"
#include "capture/writer/file_sink.h"
#include "capture/writer/flattened_sink.h"
#include "elf/kdump/kdump.h"
#include "elf/open_dump.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"
#include "tests/writer/writer_fixture.h"

namespace vmcap {
namespace {

using testing::TempDir;
using testing::WriterSource;

uint64_t u64_at(const std::vector<std::byte>& f, uint64_t off) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<uint8_t>(f[off + i])) << (8 * i);
  return v;
}
uint32_t u32_at(const std::vector<std::byte>& f, uint64_t off) {
  return static_cast<uint32_t>(u64_at(f, off) & 0xffffffff);
}

Result<WriteStats> write_file(const WriterSource& src, const std::string& path, WriteOptions o) {
  auto sink = VMCAP_TRY(FileSink::create(path));
  return write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump, 31), o, *sink);
}

struct Case {
  Compression compression;
  uint32_t flag;
};

class KdumpWriterTest : public ::testing::TestWithParam<Case> {};

TEST_P(KdumpWriterTest, ReadsBackPageByPage) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  WriteOptions o;
  o.compression = GetParam().compression;
  o.threads = 2;
  o.batch_pages = 7;  // many batches, runs split across them
  WriteProgress last;
  uint64_t calls = 0;
  o.progress = [&](const WriteProgress& p) {
    EXPECT_GE(p.pages_done, last.pages_done);
    last = p;
    ++calls;
  };
  const std::string out = dir.file("out.kdump");
  auto stats = write_file(src, out, o);
  ASSERT_TRUE(stats) << stats.error().message();
  EXPECT_GT(calls, 10u);
  EXPECT_EQ(last.pages_done, stats->pages);
  EXPECT_EQ(last.pages_total, stats->pages);

  auto d = open_kdump_compressed(out);
  ASSERT_TRUE(d) << d.error().message();
  const uint64_t compared = testing::expect_pages_match(*src.dump, **d, src.keep);
  EXPECT_EQ(compared, stats->pages);
  EXPECT_EQ(stats->pages, stats->zero_pages + stats->raw_pages + stats->compressed_pages);
  EXPECT_EQ(stats->lost_pages, 0u);
  EXPECT_EQ(stats->file_bytes, std::filesystem::file_size(out));

  // Headers: what the caller gave.
  const KdumpInfo* info = kdump_info(**d);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->header_version, 6);
  EXPECT_EQ(info->release, "6.1.0-writer-test");
  EXPECT_EQ(info->machine, "x86_64");
  EXPECT_EQ(info->nodename, "writer-test");
  EXPECT_EQ(info->timestamp_sec, 1700000000u);
  EXPECT_EQ(info->status, GetParam().flag);
  EXPECT_EQ(info->block_size, 4096u);
  EXPECT_EQ(info->nr_cpus, 2u);
  EXPECT_EQ(info->phys_base, 0x1000000u);
  EXPECT_EQ(info->dump_level, 31);
  EXPECT_EQ(info->split, 0);
  EXPECT_EQ(info->max_mapnr, 0x4010u);
  EXPECT_EQ(info->dumped_pages, stats->pages);
  EXPECT_EQ((*d)->vmcoreinfo_text(), src.dump->vmcoreinfo_text());
  ASSERT_EQ((*d)->notes().size(), src.dump->notes().size());
  for (size_t i = 0; i < src.dump->notes().size(); ++i) {
    EXPECT_EQ((*d)->notes()[i].name, src.dump->notes()[i].name);
    EXPECT_EQ((*d)->notes()[i].desc, src.dump->notes()[i].desc);
  }

  // Descriptors: zero pages share one, random pages raw, text pages compressed.
  const auto file = testing::file_bytes(out);
  std::map<uint64_t, testing::PageKind> kind(src.pages.begin(), src.pages.end());
  uint64_t index = 0, zero_offset = 0, zeros = 0, raws = 0, packed = 0;
  for (uint64_t pfn = 0; pfn < info->max_mapnr; ++pfn) {
    const bool held = kind.count(pfn) != 0;
    const bool bit1 = static_cast<uint8_t>(file[info->bitmap1_offset + pfn / 8]) >> (pfn % 8) & 1;
    const bool bit2 = static_cast<uint8_t>(file[info->bitmap2_offset + pfn / 8]) >> (pfn % 8) & 1;
    EXPECT_EQ(bit1, held) << std::hex << pfn;
    EXPECT_EQ(bit2, held && src.keep.test(pfn)) << std::hex << pfn;
    if (!bit2) continue;
    const uint64_t desc = info->desc_offset + 24 * index++;
    const uint64_t off = u64_at(file, desc);
    const uint32_t size = u32_at(file, desc + 8), flags = u32_at(file, desc + 12);
    switch (kind[pfn]) {
      case testing::PageKind::Zero:
        if (zeros++ == 0) zero_offset = off;
        EXPECT_EQ(off, zero_offset) << "zero pages share one page";
        EXPECT_EQ(size, 4096u);
        EXPECT_EQ(flags, 0u);
        break;
      case testing::PageKind::Random:
        ++raws;
        EXPECT_EQ(size, 4096u);
        EXPECT_EQ(flags, 0u) << "incompressible page stored raw";
        break;
      case testing::PageKind::Text:
      case testing::PageKind::Partial:
        ++packed;
        EXPECT_EQ(flags, GetParam().flag);
        if (GetParam().flag) {
          EXPECT_LT(size, 4096u);
        }
        break;
    }
  }
  EXPECT_EQ(index, stats->pages);
  EXPECT_GT(zeros, 3u);
  EXPECT_GT(raws, 3u);
  EXPECT_GT(packed, 3u);
  EXPECT_EQ(zeros, stats->zero_pages);
  if (GetParam().flag) {
    EXPECT_EQ(raws, stats->raw_pages);
  }
}

INSTANTIATE_TEST_SUITE_P(Compressions, KdumpWriterTest,
                         ::testing::Values(Case{Compression::Zstd, 0x20}, Case{Compression::Zlib, 0x1},
                                           Case{Compression::None, 0}),
                         [](const auto& info) { return std::string(compression_name(info.param.compression)); });

// What makedumpfile writes where a reader looks (checked against makedumpfile 1.7.8 on real
// 6.12 vmcores in tests/filter/newer_makedumpfile_test.cpp): the 1st bitmap calls a page a
// range ends inside not RAM unless it is written; start/end pfn are 0 outside --split.
TEST(KdumpWriter, FirstBitmapAndSubHeaderAsMakedumpfileWritesThem) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  for (bool keep_partial : {false, true}) {
    SCOPED_TRACE(keep_partial ? "partial page kept" : "partial page left out");
    if (keep_partial) src.keep.set(0x9f); else src.keep.clear(0x9f);
    const std::string out = dir.file(keep_partial ? "kept.kdump" : "out.kdump");
    ASSERT_TRUE(write_file(src, out, {}));
    const auto file = testing::file_bytes(out);
    auto d = open_kdump_compressed(out);
    ASSERT_TRUE(d) << d.error().message();
    const KdumpInfo* info = kdump_info(**d);
    auto bit = [&](uint64_t bitmap, uint64_t pfn) {
      return static_cast<uint8_t>(file[bitmap + pfn / 8]) >> (pfn % 8) & 1;
    };
    EXPECT_EQ(bit(info->bitmap1_offset, 0x9e), 1);  // the last whole page of range A
    EXPECT_EQ(bit(info->bitmap1_offset, 0x9f), keep_partial ? 1 : 0);  // ends at 0x9fc00
    EXPECT_EQ(bit(info->bitmap2_offset, 0x9f), keep_partial ? 1 : 0);
    EXPECT_EQ(bit(info->bitmap1_offset, 0xa0), 0);
    const uint64_t sub = info->block_size;
    EXPECT_EQ(u32_at(file, sub + 12), 0u);  // split
    EXPECT_EQ(u64_at(file, sub + 16), 0u);  // start_pfn
    EXPECT_EQ(u64_at(file, sub + 24), 0u);  // end_pfn
    EXPECT_EQ(u64_at(file, sub + 80), 0u);  // start_pfn_64
    EXPECT_EQ(u64_at(file, sub + 88), 0u);  // end_pfn_64
    EXPECT_EQ(u64_at(file, sub + 96), 0x4010u);  // max_mapnr_64
    EXPECT_EQ(testing::expect_pages_match(*src.dump, **d, src.keep), info->dumped_pages);
  }
}

TEST(KdumpWriter, ThreadCountDoesNotChangeTheBytes) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  std::vector<std::byte> first;
  for (unsigned threads : {1u, 4u, 16u}) {  // 16: batches shrink to the memory budget
    for (uint32_t batch : {5u, 256u}) {
      WriteOptions o;
      o.threads = threads;
      o.batch_pages = batch;
      const std::string out = dir.file("t" + std::to_string(threads) + "-" + std::to_string(batch));
      ASSERT_TRUE(write_file(src, out, o));
      auto bytes = testing::file_bytes(out);
      if (first.empty()) first = bytes;
      EXPECT_EQ(bytes, first) << "threads " << threads << " batch " << batch;
    }
  }
}

TEST(KdumpWriter, ZstdLevelIsUsed) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  WriteOptions fast, strong;
  fast.level = 1;
  strong.level = 19;
  ASSERT_TRUE(write_file(src, dir.file("l1"), fast));
  ASSERT_TRUE(write_file(src, dir.file("l19"), strong));
  EXPECT_NE(testing::file_bytes(dir.file("l1")), testing::file_bytes(dir.file("l19")));
  auto d = open_kdump_compressed(dir.file("l19"));
  ASSERT_TRUE(d);
  testing::expect_pages_match(*src.dump, **d, src.keep);
}

TEST(KdumpWriter, FlattenedStreamReadsBackAndRestoresToTheSameFile) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  WriteOptions o;
  o.compression = Compression::Zlib;  // makedumpfile 1.7.2 reads no zstd
  o.threads = 3;
  o.batch_pages = 9;
  ASSERT_TRUE(write_file(src, dir.file("out.kdump"), o));
  // The flattened stream, through a pipe-like descriptor (a plain fd, written sequentially).
  const std::string flat = dir.file("out.flat");
  {
    const int fd = ::open(flat.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    FdStreamSink stream(fd, flat);
    FlattenedSink sink(stream);
    auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump, 31), o, sink);
    ::close(fd);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_GT(sink.records(), 3u);
  }
  auto d = open_flattened(flat);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ((*d)->format(), "flattened");
  testing::expect_pages_match(*src.dump, **d, src.keep);

  const std::string mdf = testing::host_makedumpfile().command;
  if (mdf.empty()) GTEST_SKIP() << "makedumpfile not installed: -R oracle skipped";
  // Straight into makedumpfile -R through a pipe, as `vmcap filter --format flat - | ...`.
  const std::string restored = dir.file("restored.kdump");
  const std::string cmd = mdf + " -R " + restored + " > " + dir.file("mdf.log") + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  {
    FdStreamSink stream(::fileno(pipe), "makedumpfile -R");
    FlattenedSink sink(stream);
    auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump, 31), o, sink);
    EXPECT_TRUE(r) << r.error().message();
  }
  ASSERT_EQ(::pclose(pipe), 0) << cmd;
  EXPECT_EQ(testing::file_bytes(restored), testing::file_bytes(dir.file("out.kdump")))
      << "makedumpfile -R of our flattened stream differs from our kdump file";
}

TEST(KdumpWriter, FlattenedToAFileGoesThroughTheTemporaryName) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  const std::string flat = dir.file("named.flat");
  auto file = FileSink::create(flat);
  ASSERT_TRUE(file);
  AppendingStreamSink stream(**file);
  FlattenedSink sink(stream);
  auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump), {}, sink);
  ASSERT_TRUE(r) << r.error().message();
  auto d = open_flattened(flat);
  ASSERT_TRUE(d) << d.error().message();
  testing::expect_pages_match(*src.dump, **d, src.keep);
  // What the stream is long (what `vmcap filter --format flat` reports): the 4 KiB header,
  // 16 bytes a record and the end marker over the kdump file's bytes, not that file's size.
  EXPECT_EQ(sink.stream_bytes(), std::filesystem::file_size(flat));
  EXPECT_EQ(sink.stream_bytes(), stream.position());
  EXPECT_NE(sink.stream_bytes(), r->file_bytes) << "file_bytes is the size of the kdump file the records describe";
}

// Forwards to a real FileSink and fails on the n-th write: a full disk, a dead pipe.
class FailingSink final : public ByteSink {
 public:
  FailingSink(ByteSink& inner, int fail_at) : inner_(inner), left_(fail_at) {}
  Result<void> write_at(uint64_t offset, std::span<const std::byte> bytes) override {
    if (left_-- == 0) return make_error(ErrorKind::Io, "injected", offset, "No space left on device");
    return inner_.write_at(offset, bytes);
  }
  Result<void> commit() override { return inner_.commit(); }

 private:
  ByteSink& inner_;
  int left_;
};

TEST(KdumpWriter, FailureLeavesNoFileUnderTheFinalName) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  const std::string out = dir.file("fail.kdump");
  for (int fail_at : {0, 1, 3, 6, 12, 40}) {
    {
      auto file = FileSink::create(out);
      ASSERT_TRUE(file);
      FailingSink sink(**file, fail_at);
      WriteOptions o;
      o.batch_pages = 4;
      auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump), o, sink);
      ASSERT_FALSE(r) << "fail_at " << fail_at;
      EXPECT_EQ(r.error().kind, ErrorKind::Io);
      EXPECT_TRUE(std::filesystem::exists((*file)->temporary_path()));
      EXPECT_FALSE(std::filesystem::exists(out));
    }
    // Nothing left behind at all once the sink is gone.
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
      EXPECT_EQ(e.path().filename(), "source.elf") << "left behind: " << e.path();
  }
}

TEST(KdumpWriter, TruncatedSourceMarksLostPagesAndTheDumpIncomplete) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  // Cut the source in the middle of range B.
  const auto bytes = testing::file_bytes(src.path);
  const std::string cut = dir.file("cut.elf");
  std::vector<std::byte> head(bytes.begin(), bytes.end() - (0x4010 - 0x4000) * 4096 - 20 * 4096);
  ASSERT_TRUE(testing::SyntheticVmcore::write_file(cut, head));
  auto cut_dump = open_dump(cut);
  ASSERT_TRUE(cut_dump) << cut_dump.error().message();
  auto file = FileSink::create(dir.file("cut.kdump"));
  ASSERT_TRUE(file);
  auto r = write_kdump((*cut_dump)->memory(), src.keep, testing::header_fields_for(*src.dump), {}, **file);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_GT(r->lost_pages, 20u);
  auto d = open_kdump_compressed(dir.file("cut.kdump"));
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(kdump_info(**d)->status & 0x8, 0x8u);
  std::vector<std::byte> page(4096), want(4096);
  uint64_t readable = 0, lost = 0;
  for (auto [pfn, kind] : src.pages) {
    if (!src.keep.test(pfn) || kind == testing::PageKind::Partial) continue;
    auto g = (*d)->memory().read(pfn * 4096, page);
    if (!g) {
      EXPECT_EQ(g.error().kind, ErrorKind::Hole);
      ++lost;
      continue;
    }
    ASSERT_TRUE(src.dump->memory().read(pfn * 4096, want));
    EXPECT_EQ(page, want) << std::hex << pfn;
    ++readable;
  }
  EXPECT_EQ(lost, r->lost_pages);
  EXPECT_GT(readable, 100u);
}

TEST(KdumpWriter, RefusesOverlongUtsnameAndBadPageSize) {
  TempDir dir;
  WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  auto f = testing::header_fields_for(*src.dump);
  f.release = std::string(65, 'r');
  auto file = FileSink::create(dir.file("x"));
  ASSERT_TRUE(file);
  auto r = write_kdump(src.dump->memory(), src.keep, f, {}, **file);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
  f = testing::header_fields_for(*src.dump);
  f.page_size = 3000;
  r = write_kdump(src.dump->memory(), src.keep, f, {}, **file);
  ASSERT_FALSE(r);
}

}  // namespace
}  // namespace vmcap
