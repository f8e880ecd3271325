// Cores of the real arm64 dumps (label qemu; fixtures test_vmcores_arm64 and
// makedumpfile_arm64): `vmcap filter`'s product (write_filtered_core, -d 31) of each tag's
// kdump vmcore and QEMU kdump-zlib (64 KiB blocks, machine "Unknown"), as kdump-compressed
// and ELF. Checked: the headers (EM_AARCH64, utsname.machine "aarch64" read from the
// kernel, block size = PAGESIZE, phys_base = NUMBER(PHYS_OFFSET)); the kernel log decoded
// from each core equals the source's; libkdumpfile opens our kdump file as aarch64 and reads
// the kernel's utsname through its own translation; Debian's arm64 makedumpfile 1.7.8
// (scripts/makedumpfile-arm64.sh, under qemu-user) gives the source's --dump-dmesg from
// our cores on 48-bit kernels and refuses 52-bit ones, the source alike (pinned).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "capture/core/filtered_core.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/kernel_view.h"
#include "capture/writer/file_sink.h"
#include "elf/kdump/kdump.h"
#include "elf/open_dump.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"
#include "tests/support/kernel_log_of.h"
#include "tests/support/logged_command.h"

#ifndef VMCAP_LIBKDUMPFILE_KERNEL_SCRIPT
#error "VMCAP_LIBKDUMPFILE_KERNEL_SCRIPT must name tests/writer/libkdumpfile_kernel.py"
#endif
#ifndef VMCAP_MAKEDUMPFILE_ARM64_SCRIPT
#error "VMCAP_MAKEDUMPFILE_ARM64_SCRIPT must name scripts/makedumpfile-arm64.sh"
#endif
#ifndef VMCAP_MAKEDUMPFILE_ARM64_DIR
#define VMCAP_MAKEDUMPFILE_ARM64_DIR "makedumpfile-arm64"
#endif

namespace vmcap {
namespace {

using testing::kmsg_of;

namespace fs = std::filesystem;


std::map<std::string, std::string> key_values(const std::string& text) {
  std::map<std::string, std::string> kv;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (auto sp = line.find(' '); sp != std::string::npos) kv[line.substr(0, sp)] = line.substr(sp + 1);
  return kv;
}

class Arm64CoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path tag_dir() const { return testing::test_vmcores_dir() / GetParam(); }
  // The core written from `source` at -d 31; nullptr (with a failure) when it could not be.
  std::unique_ptr<Dump> write_core(const Dump& source, CoreFormat format, const std::string& out) {
    auto view = open_kernel_view(source);
    EXPECT_TRUE(view) << view.error().message();
    if (!view) return nullptr;
    auto sink = FileSink::create(out);
    EXPECT_TRUE(sink);
    CoreOptions o;
    o.dump_level = 31;
    o.format = format;
    o.write.compression = Compression::Zlib;  // makedumpfile 1.7.8 from Debian reads it
    o.write.threads = 2;
    auto r = write_filtered_core(source, &*view, o, **sink);
    EXPECT_TRUE(r) << r.error().message();
    if (!r) return nullptr;
    EXPECT_TRUE(r->warnings.empty()) << r->warnings.front();
    auto core = open_dump(out);
    EXPECT_TRUE(core) << core.error().message();
    return core ? std::move(*core) : nullptr;
  }
  testing::TempDir dir_;
};

TEST_P(Arm64CoreTest, CoresCarryTheMachinePageSizeAndTheLog) {
  int sources = 0;
  for (const char* name : {"kdump.vmcore", "qemu-kdump-zlib.flat"}) {
    const fs::path path = tag_dir() / name;
    if (!fs::exists(path)) continue;
    SCOPED_TRACE(path.string());
    ++sources;
    const auto report = testing::read_report(tag_dir() / (std::string(name) == "kdump.vmcore" ? "kdump.report" : "qemu.report"));
    auto src = open_dump(path.string());
    ASSERT_TRUE(src) << src.error().message();
    const std::string log = kmsg_of(**src);
    ASSERT_NE(log.find(";vmcap-marker last\n"), std::string::npos) << log.substr(0, 300);
    auto info = VmcoreInfo::parse((*src)->vmcoreinfo_text().value_or(""));
    ASSERT_TRUE(info);
    const uint64_t page = std::stoull(report.at("page_size"));
    ASSERT_EQ(info->page_size(), page);
    ASSERT_TRUE(info->number("PHYS_OFFSET"));

    auto kd = write_core(**src, CoreFormat::Kdump, dir_.file("core.kdump"));
    ASSERT_TRUE(kd);
    EXPECT_EQ(kd->machine(), kEmAarch64);
    const KdumpInfo* k = kdump_info(*kd);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->machine, "aarch64") << "the kernel's utsname, read through arm64 translation";
    EXPECT_EQ(k->release, report.at("kernel_release"));
    EXPECT_EQ(k->block_size, page);
    EXPECT_EQ(k->phys_base, static_cast<uint64_t>(*info->number("PHYS_OFFSET")));
    EXPECT_EQ(kmsg_of(*kd), log);

    auto elf = write_core(**src, CoreFormat::Elf, dir_.file("core.elf"));
    ASSERT_TRUE(elf);
    EXPECT_EQ(elf->machine(), kEmAarch64);
    EXPECT_EQ(kmsg_of(*elf), log);
  }
  if (sources == 0) GTEST_SKIP() << "no arm64 dumps in " << tag_dir() << " (fixture test_vmcores_arm64)";
}

TEST_P(Arm64CoreTest, LibkdumpfileReadsTheKernelThroughOurCore) {
  if (std::system("/usr/bin/python3 -c 'import kdumpfile' > /dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3-libkdumpfile not installed";
  const fs::path path = tag_dir() / "kdump.vmcore";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  const auto report = testing::read_report(tag_dir() / "kdump.report");
  auto src = open_dump(path.string());
  ASSERT_TRUE(src) << src.error().message();
  ASSERT_TRUE(write_core(**src, CoreFormat::Kdump, dir_.file("core.kdump")));
  auto r = testing::run_logged(std::string("/usr/bin/python3 ") + VMCAP_LIBKDUMPFILE_KERNEL_SCRIPT + " " +
                   dir_.file("core.kdump"),
               dir_.file("libkdumpfile.log"));
  ASSERT_EQ(r.status, 0) << r.out;
  auto kv = key_values(r.out);
  EXPECT_EQ(kv["format"], "diskdump");
  EXPECT_EQ(kv["arch"], "aarch64");
  EXPECT_EQ(kv["page_size"], report.at("page_size"));
  EXPECT_EQ(kv["uts_release"], report.at("kernel_release"));
  EXPECT_EQ(kv["uts_machine"], "aarch64");
}

TEST_P(Arm64CoreTest, MakedumpfileArm64ReadsOurCoresAsItReadsTheSource) {
  const std::string script = VMCAP_MAKEDUMPFILE_ARM64_SCRIPT, dir = VMCAP_MAKEDUMPFILE_ARM64_DIR;
  if (std::system((script + " command --dir " + dir + " > /dev/null 2>&1").c_str()) != 0)
    GTEST_SKIP() << "arm64 makedumpfile not set up in " << dir << " (fixture makedumpfile_arm64)";
  const std::string mdf = script + " run --dir " + dir;
  const fs::path path = tag_dir() / "kdump.vmcore";
  if (!fs::exists(path)) GTEST_SKIP() << "no " << path;
  const auto report = testing::read_report(tag_dir() / "kdump.report");
  auto src = open_dump(path.string());
  ASSERT_TRUE(src) << src.error().message();
  ASSERT_TRUE(write_core(**src, CoreFormat::Kdump, dir_.file("core.kdump")));
  ASSERT_TRUE(write_core(**src, CoreFormat::Elf, dir_.file("core.elf")));
  auto dmesg = [&](const std::string& dump, const std::string& out) {
    fs::remove(out);
    return testing::run_logged(mdf + " --dump-dmesg " + dump + " " + out, out + ".log");
  };
  const testing::LoggedRun source = dmesg(path.string(), dir_.file("source.dmesg"));
  const testing::LoggedRun kdump = dmesg(dir_.file("core.kdump"), dir_.file("kdump.dmesg"));
  const testing::LoggedRun elf = dmesg(dir_.file("core.elf"), dir_.file("elf.dmesg"));
  if (report.at("kconfig_ARM64_VA_BITS") == "52") {
    // makedumpfile 1.7.8 knows no 52-bit VA with 4K or 16K pages (Debian's 6.12 kernels):
    // it refuses the source itself; ours the same way.
    for (const testing::LoggedRun* r : {&source, &kdump, &elf}) {
      EXPECT_NE(r->status, 0);
      EXPECT_NE(r->out.find("VA Bits 52 not supported"), std::string::npos) << r->out;
    }
    return;
  }
  ASSERT_EQ(source.status, 0) << source.out;
  ASSERT_EQ(kdump.status, 0) << kdump.out;
  ASSERT_EQ(elf.status, 0) << elf.out;
  const std::string want = testing::read_whole_file(dir_.file("source.dmesg"));
  EXPECT_NE(want.find("vmcap-marker last"), std::string::npos);
  EXPECT_EQ(testing::read_whole_file(dir_.file("kdump.dmesg")), want);
  EXPECT_EQ(testing::read_whole_file(dir_.file("elf.dmesg")), want);
}

INSTANTIATE_TEST_SUITE_P(Kernels, Arm64CoreTest, ::testing::ValuesIn(testing::test_vmcore_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
