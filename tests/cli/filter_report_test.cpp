// What `vmcap filter` reports about its output on a real kdump vmcore: the byte count is
// the bytes OUT received in every format (a flattened stream counts its record headers
// and end marker), and the summary's words for zero pages match the dump level.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/cli/run_vmcap.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;

// "vmcap: wrote OUT: P pages (C compressed, R raw, Z zero), B bytes from ..."
struct Wrote {
  uint64_t pages = 0, zero = 0, bytes = 0;
};

Wrote parse_wrote(const std::string& err) {
  std::smatch m;
  static const std::regex re(R"(vmcap: wrote [^:]+: ([0-9]+) pages \([0-9]+ compressed, [0-9]+ raw, ([0-9]+) zero\), ([0-9]+) bytes from)");
  if (!std::regex_search(err, m, re)) {
    ADD_FAILURE() << "no 'wrote' line in:\n" << err;
    return {};
  }
  return {std::stoull(m[1]), std::stoull(m[2]), std::stoull(m[3])};
}

// "excluded: zero N, ..." of the summary line.
uint64_t excluded_zero(const std::string& err) {
  std::smatch m;
  static const std::regex re(R"(excluded: zero ([0-9]+),)");
  if (!std::regex_search(err, m, re)) {
    ADD_FAILURE() << "no 'excluded: zero' in:\n" << err;
    return 0;
  }
  return std::stoull(m[1]);
}

class FilterReport : public ::testing::TestWithParam<std::string> {
 protected:
  std::string vmcore() const { return test_vmcore_file(GetParam()); }
};

TEST_P(FilterReport, FlatToStdoutCountsTheBytesWritten) {
  auto r = run_vmcap({"filter", "--format", "flat", vmcore(), "-"});
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_GT(r.out.size(), 4096u);
  // Before: the size of the kdump file the records describe (31168962 for 31169834 written).
  EXPECT_EQ(parse_wrote(r.err).bytes, r.out.size()) << r.err;
  EXPECT_NE(r.err.find("vmcap: wrote stdout:"), std::string::npos) << r.err;
}

TEST_P(FilterReport, EveryFormatToAFileCountsTheFilesBytes) {
  TempDir d;
  for (const char* format : {"flat", "kdump", "elf"}) {
    SCOPED_TRACE(format);
    const std::string out = d.file(std::string("core.") + format);
    auto r = run_vmcap({"filter", "--format", format, vmcore(), out});
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(parse_wrote(r.err).bytes, fs::file_size(out)) << r.err;
  }
}

TEST_P(FilterReport, Level31SaysZeroPagesAreExcluded) {
  TempDir d;
  auto r = run_vmcap({"filter", "-d", "31", vmcore(), d.file("core.kdump")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Wrote w = parse_wrote(r.err);
  ASSERT_GT(w.zero, 0u) << "a real guest has zero pages";
  // The pages the kdump file points at its shared zero page are the excluded ones.
  EXPECT_EQ(excluded_zero(r.err), w.zero) << r.err;
  EXPECT_NE(r.err.find("the " + std::to_string(w.zero) + " excluded zero pages are not stored"),
            std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("zero pages kept"), std::string::npos) << r.err;
  // kept + excluded = all: "kept K of T pages" with K the pages stored apart from zeros.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.err, m, std::regex(R"(kept ([0-9]+) of ([0-9]+) pages)"))) << r.err;
  EXPECT_EQ(std::stoull(m[1]) + w.zero, w.pages) << r.err;

  auto elf = run_vmcap({"filter", "-d", "31", "--format", "elf", vmcore(), d.file("core.elf")});
  ASSERT_EQ(elf.status, 0) << elf.err;
  EXPECT_EQ(excluded_zero(elf.err), 0u) << elf.err;
  EXPECT_NE(elf.err.find("zero pages not excluded: an ELF core has no shared zero page"), std::string::npos)
      << elf.err;
}

TEST_P(FilterReport, LevelWithoutBit1SaysZeroPagesAreKept) {
  TempDir d;
  auto r = run_vmcap({"filter", "-d", "30", vmcore(), d.file("core.kdump")});
  ASSERT_EQ(r.status, 0) << r.err;
  const Wrote w = parse_wrote(r.err);
  ASSERT_GT(w.zero, 0u);
  EXPECT_EQ(excluded_zero(r.err), 0u) << r.err;
  EXPECT_NE(r.err.find("zero pages kept (dump level 30 has no bit 1): " + std::to_string(w.zero) +
                       ", stored as one shared zero page"),
            std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("excluded zero pages"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Kernels, FilterReport, ::testing::ValuesIn(test_vmcore_tags(true)), TagName());

}  // namespace
}  // namespace vmcap::testing
