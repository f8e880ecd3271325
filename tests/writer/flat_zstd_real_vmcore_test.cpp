// flat-zstd on the real test vmcores (label qemu): x86_64 5.10, 6.1, 6.12 and the arm64
// tags. `vmcap filter -d 31 --format flat-zstd`'s product (write_filtered_core into a
// FlattenedSink over ZstdSeekableSink) holds exactly the pages of the kdump core of the
// same level, each identical to the source's, and the same kernel log; converted back
// (`vmcap filter IN OUT --format kdump`: the page filter reads the flat-zstd file's own
// struct pages) it holds the same pages again, makedumpfile 1.7.8 gives the source's
// --dump-dmesg from it (x86_64: the trixie/sid chroot; arm64: sid's under qemu-user, which
// refuses 52-bit VA on the source alike), and libkdumpfile reads the kernel's utsname
// through it.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "capture/core/filtered_core.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/kernel_view.h"
#include "capture/writer/fd_stream_sink.h"
#include "capture/writer/file_sink.h"
#include "capture/writer/flattened_sink.h"
#include "capture/writer/zstd_seekable_sink.h"
#include "elf/kdump/kdump.h"
#include "elf/open_dump.h"
#include "tests/filter/makedumpfile_oracle.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"
#include "tests/support/kernel_log_of.h"
#include "tests/support/logged_command.h"

namespace vmcap {
namespace {

using testing::kmsg_of;

namespace fs = std::filesystem;



// Every byte of `core`'s ranges equals the source's; returns the bytes compared.
// The [start, end) of each range, comparable.
std::vector<std::pair<uint64_t, uint64_t>> spans(const Dump& d) {
  std::vector<std::pair<uint64_t, uint64_t>> s;
  for (const PhysRange& r : d.memory().ranges()) s.emplace_back(r.start, r.end());
  return s;
}

uint64_t expect_bytes_match(const Dump& source, const Dump& core) {
  uint64_t compared = 0;
  std::vector<std::byte> want(1 << 20), got(1 << 20);
  for (const PhysRange& r : core.memory().ranges())
    for (uint64_t a = r.start; a < r.end();) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want.size(), r.end() - a));
      auto w = source.memory().read(a, std::span(want).first(n));
      auto g = core.memory().read(a, std::span(got).first(n));
      EXPECT_TRUE(w && g) << std::hex << a;
      if (!w || !g) return compared;
      EXPECT_TRUE(std::equal(want.begin(), want.begin() + n, got.begin())) << "bytes at " << std::hex << a;
      compared += n;
      a += n;
    }
  return compared;
}

class FlatZstdRealVmcoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  struct Written {
    std::unique_ptr<Dump> dump;
    uint64_t bytes = 0;
  };
  // dump at -d 31 as `format` ("flat-zstd", or "kdump" with zlib).
  Written write(const Dump& dump, const std::string& format, const std::string& out) {
    auto view = open_kernel_view(dump);
    EXPECT_TRUE(view) << view.error().message();
    if (!view) return {};
    CoreOptions o;
    o.dump_level = 31;
    o.write.threads = 2;
    Written w;
    const auto t0 = std::chrono::steady_clock::now();
    if (format == "flat-zstd") {
      o.format = CoreFormat::Flattened;
      o.write.compression = Compression::None;
      const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      EXPECT_GE(fd, 0);
      FdStreamSink file(fd, out);
      ZstdSeekableSink frames(file, SeekableOptions{.threads = 2});
      FlattenedSink flat(frames);
      auto r = write_filtered_core(dump, &*view, o, flat);
      ::close(fd);
      EXPECT_TRUE(r) << r.error().message();
      if (!r) return {};
      w.bytes = frames.compressed_bytes();
    } else {
      o.format = CoreFormat::Kdump;
      o.write.compression = Compression::Zlib;  // every makedumpfile reads it
      auto sink = FileSink::create(out);
      EXPECT_TRUE(sink);
      auto r = write_filtered_core(dump, &*view, o, **sink);
      EXPECT_TRUE(r) << r.error().message();
      if (!r) return {};
      w.bytes = r->stats.file_bytes;
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ %s ] -d 31 %s from %s: %.2f MB in %.2f s\n", GetParam().c_str(), format.c_str(),
                dump.format().c_str(), w.bytes / 1e6, s);
    auto d = open_dump(out);
    EXPECT_TRUE(d) << d.error().message();
    if (d) w.dump = std::move(*d);
    return w;
  }
  testing::TempDir dir_;
};

TEST_P(FlatZstdRealVmcoreTest, RoundTripAndConversionToKdump) {
  const fs::path tag_dir = testing::test_vmcores_dir() / GetParam();
  const fs::path vmcore = tag_dir / "kdump.vmcore";
  if (!testing::test_vmcores_configured() || !fs::exists(vmcore))
    GTEST_SKIP() << "no " << vmcore << " (fixtures test_vmcores, test_vmcores_arm64)";
  auto src = open_dump(vmcore.string());
  ASSERT_TRUE(src) << src.error().message();
  const std::string log = kmsg_of(**src);
  ASSERT_NE(log.find(";vmcap-marker last\n"), std::string::npos) << log.substr(0, 300);

  const Written fz = write(**src, "flat-zstd", dir_.file("core.flat.zst"));
  ASSERT_TRUE(fz.dump);
  EXPECT_EQ(fz.dump->format(), "flat-zstd");
  const Written kd = write(**src, "kdump", dir_.file("core.kdump"));
  ASSERT_TRUE(kd.dump);
  EXPECT_EQ(spans(*fz.dump), spans(*kd.dump)) << "the same pages kept";
  EXPECT_GT(expect_bytes_match(**src, *fz.dump), 0u);
  EXPECT_EQ(kmsg_of(*fz.dump), log);

  // Back to kdump-compressed, filtered again from the flat-zstd file's own pages.
  const Written conv = write(*fz.dump, "kdump", dir_.file("converted.kdump"));
  ASSERT_TRUE(conv.dump);
  EXPECT_EQ(spans(*conv.dump), spans(*kd.dump));
  EXPECT_GT(expect_bytes_match(**src, *conv.dump), 0u);
  EXPECT_EQ(kmsg_of(*conv.dump), log);
  EXPECT_EQ(kdump_info(*conv.dump)->release, kdump_info(*kd.dump)->release);
  EXPECT_EQ(kdump_info(*conv.dump)->phys_base, kdump_info(*kd.dump)->phys_base);

  const auto report = testing::read_report(tag_dir / "kdump.report");
  if (std::system("/usr/bin/python3 -c 'import kdumpfile' > /dev/null 2>&1") == 0) {
    const auto [status, out] = testing::run_logged(
        std::string("/usr/bin/python3 ") + VMCAP_LIBKDUMPFILE_KERNEL_SCRIPT + " " + dir_.file("converted.kdump"),
        dir_.file("libkdumpfile.log"));
    ASSERT_EQ(status, 0) << out;
    EXPECT_NE(out.find("format diskdump"), std::string::npos) << out;
    EXPECT_NE(out.find("uts_release " + report.at("kernel_release")), std::string::npos) << out;
  } else {
    ADD_FAILURE() << "python3-libkdumpfile not installed";
  }

  // makedumpfile 1.7.8's --dump-dmesg of the conversion is the source's.
  const bool arm64 = GetParam().find("arm64") != std::string::npos;
  std::string mdf;
  if (arm64) {
    const std::string script = VMCAP_MAKEDUMPFILE_ARM64_SCRIPT, dir = VMCAP_MAKEDUMPFILE_ARM64_DIR;
    ASSERT_EQ(std::system((script + " command --dir " + dir + " > /dev/null 2>&1").c_str()), 0)
        << "arm64 makedumpfile not set up in " << dir << " (fixture makedumpfile_arm64)";
    mdf = script + " run --dir " + dir;
  } else {
    ASSERT_TRUE(testing::chroot_is_made(VMCAP_MAKEDUMPFILE_CHROOT))
        << "no makedumpfile chroot (fixture makedumpfile_chroot)";
    mdf = testing::chroot_makedumpfile(VMCAP_MAKEDUMPFILE_CHROOT_SCRIPT, VMCAP_MAKEDUMPFILE_CHROOT,
                                       "1.7.8")
              .command;
  }
  auto dmesg = [&](const std::string& dump, const std::string& out) {
    fs::remove(out);
    return testing::run_logged(mdf + " --dump-dmesg " + dump + " " + out, out + ".log");
  };
  const auto [s_status, s_out] = dmesg(vmcore.string(), dir_.file("source.dmesg"));
  const auto [c_status, c_out] = dmesg(dir_.file("converted.kdump"), dir_.file("converted.dmesg"));
  if (arm64 && report.at("kconfig_ARM64_VA_BITS") == "52") {
    // makedumpfile 1.7.8 knows no 52-bit VA (Debian's arm64 6.12): the source refused alike.
    EXPECT_NE(s_out.find("VA Bits 52 not supported"), std::string::npos) << s_out;
    EXPECT_NE(c_out.find("VA Bits 52 not supported"), std::string::npos) << c_out;
    return;
  }
  ASSERT_EQ(s_status, 0) << s_out;
  ASSERT_EQ(c_status, 0) << c_out;
  const std::string want = testing::read_whole_file(dir_.file("source.dmesg"));
  EXPECT_NE(want.find("vmcap-marker last"), std::string::npos);
  EXPECT_EQ(testing::read_whole_file(dir_.file("converted.dmesg")), want);
}

INSTANTIATE_TEST_SUITE_P(Kernels, FlatZstdRealVmcoreTest,
                         ::testing::ValuesIn(testing::test_vmcore_tags(/*plain_only=*/false)),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
