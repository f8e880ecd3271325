// Oracle: libkdumpfile (Debian's python3-libkdumpfile, through /usr/bin/python3) reads our
// kdump-compressed files, zstd and zlib: the format it names, the utsname release, and
// every kept page byte-identical to the source. Skips when the package is not installed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "capture/writer/file_sink.h"
#include "tests/support/temp_dir.h"
#include "tests/writer/writer_fixture.h"

#ifndef VMCAP_LIBKDUMPFILE_SCRIPT
#error "VMCAP_LIBKDUMPFILE_SCRIPT must name tests/writer/libkdumpfile_pages.py"
#endif

namespace vmcap {
namespace {

bool have_libkdumpfile() {
  return std::system("/usr/bin/python3 -c 'import kdumpfile' > /dev/null 2>&1") == 0;
}

class LibkdumpfileOracle : public ::testing::TestWithParam<Compression> {};

TEST_P(LibkdumpfileOracle, ReadsEveryKeptPage) {
  if (!have_libkdumpfile()) GTEST_SKIP() << "python3-libkdumpfile not installed";
  testing::TempDir dir;
  auto src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  const std::string out = dir.file("out.kdump");
  {
    auto sink = FileSink::create(out);
    ASSERT_TRUE(sink);
    WriteOptions o;
    o.compression = GetParam();
    auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump), o, **sink);
    ASSERT_TRUE(r) << r.error().message();
  }
  std::vector<uint64_t> pfns;
  {
    std::ofstream list(dir.file("pfns"));
    for (auto [pfn, kind] : src.pages)
      if (src.keep.test(pfn) && kind != testing::PageKind::Partial) {
        list << std::hex << pfn << "\n";
        pfns.push_back(pfn);
      }
  }
  auto run = [&](const std::string& dump, std::string& log) {
    const std::string cmd = std::string("/usr/bin/python3 -X faulthandler ") +
                            VMCAP_LIBKDUMPFILE_SCRIPT + " " + dump + " " + dir.file("pfns") + " " +
                            dir.file("pages") + " > " + dir.file("log") + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream log_in(dir.file("log"));
    log.assign(std::istreambuf_iterator<char>(log_in), std::istreambuf_iterator<char>());
    return rc;
  };
  std::string log;
  const int source_rc = run(src.path, log);
  // The control: libkdumpfile must read the source itself, else a failure is not ours.
  ASSERT_EQ(source_rc, 0) << "libkdumpfile cannot read the synthetic source: " << log;
  const int rc = run(out, log);
  ASSERT_EQ(rc, 0) << log;
  EXPECT_NE(log.find("format diskdump"), std::string::npos) << log;
  EXPECT_NE(log.find("release 6.1.0-writer-test"), std::string::npos) << log;
  const auto pages = testing::file_bytes(dir.file("pages"));
  ASSERT_EQ(pages.size(), pfns.size() * 4096);
  std::vector<std::byte> want(4096);
  for (size_t i = 0; i < pfns.size(); ++i) {
    ASSERT_TRUE(src.dump->memory().read(pfns[i] * 4096, want));
    EXPECT_TRUE(std::equal(want.begin(), want.end(), pages.begin() + i * 4096))
        << "pfn " << std::hex << pfns[i];
  }
}

INSTANTIATE_TEST_SUITE_P(Compressions, LibkdumpfileOracle,
                         ::testing::Values(Compression::Zstd, Compression::Zlib, Compression::None),
                         [](const auto& info) { return std::string(compression_name(info.param)); });

}  // namespace
}  // namespace vmcap
