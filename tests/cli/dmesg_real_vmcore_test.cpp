// `vmcap dmesg` (text) on real kdump vmcores against makedumpfile --dump-dmesg, the
// second independent oracle (vmcore-dmesg is compared in tests/printk). makedumpfile
// differs in two documented ways that are normalized here and nowhere else: it sign-
// extends escaped bytes (\xffffffc3 for \xc3) and indents a record's later lines.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "tests/support/real_vmcores.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;

// makedumpfile's text, mended of its sign-extension bug and its continuation indent.
std::string normalize_makedumpfile(const std::string& text) {
  std::string out = std::regex_replace(text, std::regex(R"(\\xffffff([0-9a-f]{2}))"), R"(\x$1)");
  std::istringstream in(out);
  std::string line, result;
  while (std::getline(in, line)) {
    // Every line of makedumpfile's output that is not a record's first carries the indent.
    if (!line.starts_with("[") && line.starts_with("               ")) line.erase(0, 15);
    result += line + "\n";
  }
  return result;
}

class DmesgOnRealKernel : public ::testing::TestWithParam<std::string> {};

TEST_P(DmesgOnRealKernel, TextEqualsMakedumpfileBarItsEscapingBug) {
  TempDir d;
  fs::path vmcore = test_vmcores_dir() / GetParam() / "kdump.vmcore";
  std::string cmd = "makedumpfile --dump-dmesg " + vmcore.string() + " " + d.file("mdf.txt") + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  auto ours = run_vmcap({"dmesg", vmcore.string()});
  ASSERT_EQ(ours.status, 0) << ours.err;
  std::string theirs = normalize_makedumpfile(read_whole_file(d.file("mdf.txt")));
  EXPECT_NE(theirs.find("vmcap-marker utf8: caf\\xc3\\xa9"), std::string::npos);
  EXPECT_EQ(ours.out, theirs);
}

TEST_P(DmesgOnRealKernel, OutputFileAppearsOnlyWhole) {
  TempDir d;
  fs::path vmcore = test_vmcores_dir() / GetParam() / "kdump.vmcore";
  auto out = d.file("dmesg.json");
  auto r = run_vmcap({"dmesg", "--format", "json", "-o", out, vmcore.string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_FALSE(fs::exists(out + ".tmp"));
  std::string json = read_whole_file(out);
  EXPECT_NE(json.find("\"text\":\"vmcap-marker last\""), std::string::npos) << json.substr(0, 300);
}

INSTANTIATE_TEST_SUITE_P(Kernels, DmesgOnRealKernel, ::testing::ValuesIn(test_vmcore_tags()), TagName());

}  // namespace
}  // namespace vmcap::testing
