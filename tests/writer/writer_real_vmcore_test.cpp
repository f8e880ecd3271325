// Real kernels (label qemu): the kdump vmcores scripts/make-test-vmcore.sh made (5.10, 6.1,
// 6.12), written by our writers as kdump-compressed (zstd, zlib), flattened and ELF, read
// back page by page against the source; the kernel log decoded from each output equals
// the source's; makedumpfile reads our zlib file (--dump-dmesg gives the log it gives for
// the source, and re-filtering with -d 31 works).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/make_virtual_memory.h"
#include "capture/writer/fd_stream_sink.h"
#include "capture/writer/file_sink.h"
#include "capture/writer/flattened_sink.h"
#include "capture/writer/page_reader.h"
#include "elf/kdump/kdump.h"
#include "elf/open_dump.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"
#include "tests/support/kernel_log_of.h"
#include "tests/writer/writer_fixture.h"

namespace vmcap {
namespace {

using testing::kmsg_of;

using testing::read_whole_file;


// What `vmcap filter` will take from VMCOREINFO (kernel knowledge lives in the caller).
KdumpHeaderFields fields_from(const Dump& d) {
  KdumpHeaderFields f = testing::header_fields_for(d, 0);
  const std::string text = d.vmcoreinfo_text().value_or("");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("OSRELEASE=", 0) == 0) f.release = line.substr(10);
    if (line.rfind("NUMBER(phys_base)=", 0) == 0) f.phys_base = std::stoull(line.substr(18), nullptr, 0);
  }
  f.nodename = "vmcap-test";
  f.nr_cpus = 1;
  return f;
}

class WriterRealVmcoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::test_vmcores_configured()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set";
    vmcore_ = testing::test_vmcore_file(GetParam());
    ASSERT_TRUE(std::filesystem::exists(vmcore_)) << vmcore_;
    auto d = open_dump(vmcore_);
    ASSERT_TRUE(d) << d.error().message();
    source_ = std::move(*d);
    log_ = kmsg_of(*source_);
    ASSERT_NE(log_.find(";vmcap-marker last\n"), std::string::npos) << log_.substr(0, 200);
    const uint64_t end = held_pfn_end(source_->memory(), 4096);
    all_ = held_pfns(source_->memory(), 4096, end);
  }
  // Every other run of 4096 pages: holes, for the page comparison only.
  PfnBitmap with_holes() const {
    PfnBitmap b(all_.end_pfn());
    for (uint64_t p = 0; p < all_.end_pfn(); ++p)
      if (all_.test(p) && (p / 4096) % 2 == 0) b.set(p);
    return b;
  }
  Result<WriteStats> write_kdump_file(const std::string& out, Compression c, const PfnBitmap& keep) {
    auto sink = VMCAP_TRY(FileSink::create(out));
    WriteOptions o;
    o.compression = c;
    o.threads = 2;
    const auto t0 = std::chrono::steady_clock::now();
    auto r = write_kdump(source_->memory(), keep, fields_from(*source_), o, *sink);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r)
      std::printf("[ %s ] kdump %s: %llu pages (%llu zero, %llu raw) -> %.1f MiB in %.2f s\n",
                  GetParam().c_str(), compression_name(c), (unsigned long long)r->pages,
                  (unsigned long long)r->zero_pages, (unsigned long long)r->raw_pages,
                  r->file_bytes / 1048576.0, s);
    return r;
  }

  std::string vmcore_, log_;
  std::unique_ptr<Dump> source_;
  PfnBitmap all_;
  testing::TempDir dir_;
};

TEST_P(WriterRealVmcoreTest, KdumpZstdKeepsEveryPageAndTheLog) {
  const std::string out = dir_.file("zstd.kdump");
  auto r = write_kdump_file(out, Compression::Zstd, all_);
  ASSERT_TRUE(r) << r.error().message();
  auto d = open_dump(out);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ((*d)->format(), "kdump-compressed");
  EXPECT_EQ(testing::expect_pages_match(*source_, **d, all_), all_.count());
  EXPECT_EQ(kmsg_of(**d), log_);

  // libkdumpfile (python3-libkdumpfile) reads every 8th page of it the same.
  if (std::system("/usr/bin/python3 -c 'import kdumpfile' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-libkdumpfile not installed";
  std::vector<uint64_t> pfns;
  {
    std::ofstream list(dir_.file("pfns"));
    for (uint64_t p = 0; p < all_.end_pfn(); ++p)
      if (all_.test(p) && p % 8 == 0) {
        std::vector<std::byte> probe(4096);
        if (!source_->memory().read(p * 4096, probe)) continue;  // a partial page
        list << std::hex << p << "\n";
        pfns.push_back(p);
      }
  }
  const std::string cmd = std::string("/usr/bin/python3 ") + VMCAP_LIBKDUMPFILE_SCRIPT + " " + out +
                          " " + dir_.file("pfns") + " " + dir_.file("pages") + " > " +
                          dir_.file("kdf.log") + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_whole_file(dir_.file("kdf.log"));
  EXPECT_NE(read_whole_file(dir_.file("kdf.log")).find("format diskdump"), std::string::npos);
  const auto pages = testing::file_bytes(dir_.file("pages"));
  ASSERT_EQ(pages.size(), pfns.size() * 4096);
  std::vector<std::byte> want(4096);
  uint64_t differ = 0;
  for (size_t i = 0; i < pfns.size(); ++i) {
    ASSERT_TRUE(source_->memory().read(pfns[i] * 4096, want));
    if (!std::equal(want.begin(), want.end(), pages.begin() + i * 4096)) ++differ;
  }
  EXPECT_EQ(differ, 0u) << "of " << pfns.size() << " pages read by libkdumpfile";
}

TEST_P(WriterRealVmcoreTest, KdumpZlibReadByMakedumpfile) {
  const std::string out = dir_.file("zlib.kdump");
  auto r = write_kdump_file(out, Compression::Zlib, all_);
  ASSERT_TRUE(r) << r.error().message();
  auto d = open_dump(out);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(testing::expect_pages_match(*source_, **d, all_), all_.count());
  EXPECT_EQ(kmsg_of(**d), log_);

  const std::string mdf = testing::host_makedumpfile().command;
  ASSERT_FALSE(mdf.empty()) << "makedumpfile not installed";
  const std::string log = dir_.file("mdf.log");
  auto run = [&](const std::string& cmd) { return std::system((cmd + " > " + log + " 2>&1").c_str()); };
  ASSERT_EQ(run(mdf + " --dump-dmesg " + vmcore_ + " " + dir_.file("source.dmesg")), 0) << read_whole_file(log);
  ASSERT_EQ(run(mdf + " --dump-dmesg " + out + " " + dir_.file("ours.dmesg")), 0) << read_whole_file(log);
  const std::string ours = read_whole_file(dir_.file("ours.dmesg"));
  EXPECT_GT(ours.size(), 1000u);
  EXPECT_EQ(ours, read_whole_file(dir_.file("source.dmesg")));
  // Re-filtering our file at -d 31 (makedumpfile reads its page structs from our pages).
  const std::string again = dir_.file("again.kdump");
  ASSERT_EQ(run(mdf + " -c -d 31 " + out + " " + again), 0) << read_whole_file(log);
  auto a = open_kdump_compressed(again);
  ASSERT_TRUE(a) << a.error().message();
  EXPECT_LT(kdump_info(**a)->dumped_pages, r->pages);
  EXPECT_EQ(kmsg_of(**a), log_);
}

TEST_P(WriterRealVmcoreTest, FlattenedWithHolesReadsBack) {
  const PfnBitmap keep = with_holes();
  const std::string flat = dir_.file("out.flat");
  const int fd = ::open(flat.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  FdStreamSink stream(fd, flat);
  FlattenedSink sink(stream);
  WriteOptions o;
  o.threads = 2;
  auto r = write_kdump(source_->memory(), keep, fields_from(*source_), o, sink);
  ::close(fd);
  ASSERT_TRUE(r) << r.error().message();
  auto d = open_flattened(flat);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(testing::expect_pages_match(*source_, **d, keep), keep.count());
}

TEST_P(WriterRealVmcoreTest, ElfKeepsEveryPageAndTheLog) {
  const std::string out = dir_.file("out.elf");
  {
    auto sink = FileSink::create(out);
    ASSERT_TRUE(sink);
    ElfHeaderFields f = testing::elf_fields_for(*source_);
    auto r = write_elf(source_->memory(), all_, f, {}, **sink);
    ASSERT_TRUE(r) << r.error().message();
  }
  auto d = open_dump(out);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(testing::expect_pages_match(*source_, **d, all_), all_.count());
  EXPECT_EQ(kmsg_of(**d), log_);
  const std::string mdf = testing::host_makedumpfile().command;
  ASSERT_FALSE(mdf.empty()) << "makedumpfile not installed";
  const std::string cmd = mdf + " --dump-dmesg " + out + " " + dir_.file("elf.dmesg") + " > /dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  std::filesystem::remove(out);
  // With holes: the pages left are still right.
  const PfnBitmap keep = with_holes();
  {
    auto sink = FileSink::create(out);
    ASSERT_TRUE(sink);
    auto r = write_elf(source_->memory(), keep, testing::elf_fields_for(*source_), {}, **sink);
    ASSERT_TRUE(r) << r.error().message();
  }
  auto h = open_dump(out);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(testing::expect_pages_match(*source_, **h, keep), keep.count());
}

// One per kernel is enough: the plain tags.
INSTANTIATE_TEST_SUITE_P(Kernels, WriterRealVmcoreTest,
                         ::testing::ValuesIn(testing::test_vmcore_tags(/*plain_only=*/true)),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
