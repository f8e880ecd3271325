// `vmcap info` on inputs that are not usable dumps: one line on stderr naming the file,
// exit status 2 (docs/exit-status.md), never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/cli/run_vmcap.h"
#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

void expect_one_line_error(const RunResult& r, const std::string& path) {
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("vmcap: " + path + ":", 0), 0u) << r.err;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

SyntheticVmcore good_core() {
  SyntheticVmcore b;
  b.add_vmcoreinfo("OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1700000000\nKERNELOFFSET=1e000000\n");
  X86_64Regs regs;
  regs.rip = 0xffffffff9e123456;
  regs.rsp = 0xffffc90000123f00;
  regs.rbp = 0xffffc90000123f80;
  b.add_prstatus(4242, regs);
  b.add_load(0x100000, 0xffff888000100000, std::string(2 * 4096, 'x'));
  b.add_load(0x200000, 0xffff888000200000, std::string(4096, 'y'));
  return b;
}

TEST(InfoBadInput, EmptyFile) {
  TempDir d;
  write_text(d.file("empty"), "");
  expect_one_line_error(run_vmcap({"info", d.file("empty")}), d.file("empty"));
}

TEST(InfoBadInput, Directory) {
  TempDir d;
  expect_one_line_error(run_vmcap({"info", d.path()}), d.path());
}

TEST(InfoBadInput, MissingFile) {
  TempDir d;
  expect_one_line_error(run_vmcap({"info", d.file("nothing")}), d.file("nothing"));
}

TEST(InfoBadInput, TextFile) {
  TempDir d;
  write_text(d.file("notes.txt"), "this is not a vmcore\nat all\n");
  auto r = run_vmcap({"info", d.file("notes.txt")});
  expect_one_line_error(r, d.file("notes.txt"));
  EXPECT_NE(r.err.find("text"), std::string::npos) << r.err;
}

TEST(InfoBadInput, RandomBytes) {
  TempDir d;
  auto bytes = SyntheticVmcore::random_bytes(1 << 16, 7);
  ASSERT_TRUE(SyntheticVmcore::write_file(d.file("random"), bytes));
  expect_one_line_error(run_vmcap({"info", d.file("random")}), d.file("random"));
}

TEST(InfoBadInput, ElfThatIsNotACore) {
  TempDir d;
  auto bytes = good_core().set_type(2 /* ET_EXEC */).bytes();
  ASSERT_TRUE(SyntheticVmcore::write_file(d.file("exec"), bytes));
  auto r = run_vmcap({"info", d.file("exec")});
  expect_one_line_error(r, d.file("exec"));
  EXPECT_NE(r.err.find("not a core"), std::string::npos) << r.err;
}

TEST(InfoBadInput, HeaderCutShort) {
  TempDir d;
  auto bytes = good_core().bytes();
  bytes.resize(40);
  ASSERT_TRUE(SyntheticVmcore::write_file(d.file("cut"), bytes));
  expect_one_line_error(run_vmcap({"info", d.file("cut")}), d.file("cut"));
}

TEST(InfoBadInput, MemoryCutShortStillDescribedButStatusTwo) {
  TempDir d;
  auto core = good_core();
  auto bytes = core.bytes();
  bytes.resize(core.load_offset(1) + 100);  // into the second segment
  ASSERT_TRUE(SyntheticVmcore::write_file(d.file("cut"), bytes));
  auto r = run_vmcap({"info", d.file("cut")});
  expect_one_line_error(r, d.file("cut"));
  EXPECT_NE(r.out.find("6.1.0-test"), std::string::npos) << "the summary is still printed";
  EXPECT_NE(r.err.find("past the end of the file"), std::string::npos) << r.err;
}

TEST(InfoBadInput, NoVmcoreinfo) {
  TempDir d;
  SyntheticVmcore b;
  b.add_prstatus(1, X86_64Regs{});
  b.add_load(0, 0, std::string(4096, '\0'));
  ASSERT_TRUE(b.write(d.file("novmci")));
  auto r = run_vmcap({"info", d.file("novmci")});
  expect_one_line_error(r, d.file("novmci"));
  EXPECT_NE(r.err.find("VMCOREINFO"), std::string::npos) << r.err;
}

TEST(InfoCommand, UsageErrorIs64) {
  EXPECT_EQ(run_vmcap({"info"}).status, 64);
  EXPECT_EQ(run_vmcap({"no-such-command"}).status, 64);
}

TEST(InfoCommand, DescribesASyntheticCore) {
  TempDir d;
  ASSERT_TRUE(good_core().write(d.file("core")));
  auto r = run_vmcap({"info", d.file("core")});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("kernel:       6.1.0-test"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("KASLR offset: 0x1e000000"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("2023-11-14T22:13:20Z"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pid 4242"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pc 0xffffffff9e123456"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("12.0 KiB (12288 bytes) in 2 ranges"), std::string::npos) << r.out;
  // This VMCOREINFO names no log buffer: info says what the log feature lacks.
  EXPECT_NE(r.out.find("log: missing SYMBOL(prb) SYMBOL(log_buf)"), std::string::npos) << r.out;
}

// Strings in the summary come from the dump: bytes that are not UTF-8 (here in OSRELEASE
// and a note name) still give JSON, with U+FFFD in their place.
TEST(InfoCommand, JsonFromBytesThatAreNotUtf8) {
  TempDir d;
  SyntheticVmcore b;
  b.add_vmcoreinfo("OSRELEASE=6.1.0-\xff\xfe-test\nPAGESIZE=4096\nBUILD-ID=ab\xc3\n");
  b.add_note("VENDOR\x80", 0x1234, std::string(8, '\0'));
  b.add_prstatus(1, X86_64Regs{});
  b.add_load(0x100000, 0xffff888000100000, std::string(4096, 'x'));
  ASSERT_TRUE(b.write(d.file("core")));
  auto r = run_vmcap({"info", "--json", d.file("core")});
  ASSERT_NE(r.status, -1) << "killed by a signal\n" << r.err;
  ASSERT_TRUE(r.status == 0 || r.status == 1) << r.status << "\n" << r.err;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["kernel"]["release"], "6.1.0-\xef\xbf\xbd\xef\xbf\xbd-test") << r.out;
  EXPECT_EQ(j["kernel"]["build_id"], "ab\xef\xbf\xbd") << r.out;
}

}  // namespace
}  // namespace vmcap::testing
