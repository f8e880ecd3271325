// Real kernels (label qemu): files that QEMU and makedumpfile wrote from real Debian
// kernels (scripts/make-test-vmcore.sh), read by our kdump readers and compared page by
// page with the ELF dumps they came from (read by the ELF reader).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "elf/elf_dump.h"
#include "elf/kdump/kdump.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/make_virtual_memory.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/kernel_log_of.h"

namespace vmcap {
namespace {

using testing::kmsg_of;


std::string find_makedumpfile() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin"}) {
    std::string p = std::string(dir) + "/makedumpfile";
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

struct Compared {
  uint64_t pages = 0;          // pages of the kdump file compared with the ELF
  uint64_t excluded_pages = 0; // ELF pages the kdump file does not hold
  uint64_t excluded_nonzero = 0;
  double seconds = 0;          // reading the kdump pages
  uint64_t differing_pages = 0;
  std::vector<uint64_t> differing;  // the first few
};

std::string hex_list(const std::vector<uint64_t>& v) {
  std::string s;
  for (uint64_t a : v) s += (s.empty() ? "" : " ") + ("0x" + [&] { std::ostringstream o; o << std::hex << a; return o.str(); }());
  return s;
}

// Every page the kdump file holds must equal the ELF's bytes (where the ELF has them);
// with zero_excluded, every ELF page the kdump file left out must be all zeros (-d 1).
Compared compare(const Dump& elf, const Dump& kd, bool zero_excluded) {
  Compared c;
  const uint64_t bs = 4096;
  std::vector<std::byte> kp(bs), ep(bs);
  const auto& er = elf.memory().ranges();
  auto t0 = std::chrono::steady_clock::now();
  for (const PhysRange& r : kd.memory().ranges()) {
    for (uint64_t a = r.start; a < r.end(); a += bs) {
      auto rk = kd.memory().read(a, kp);
      EXPECT_TRUE(rk) << rk.error().message();
      if (!rk) return c;
      ++c.pages;
      // The ELF's bytes of this page, range by range (PT_LOADs need not be page-aligned).
      bool any = false;
      for (auto it = std::upper_bound(er.begin(), er.end(), a,
                                      [](uint64_t v, const PhysRange& x) { return v < x.end(); });
           it != er.end() && it->start < a + bs; ++it) {
        const uint64_t lo = std::max(a, it->start), hi = std::min(a + bs, it->end());
        auto re = elf.memory().read(lo, std::span(ep).subspan(lo - a, hi - lo));
        EXPECT_TRUE(re) << re.error().message();
        if (!std::equal(kp.begin() + (lo - a), kp.begin() + (hi - a), ep.begin() + (lo - a))) {
          if (c.differing.size() < 20) c.differing.push_back(a);
          ++c.differing_pages;
        }
        any = true;
      }
      EXPECT_TRUE(any) << "kdump page at " << std::hex << a << " is not in the ELF dump";
    }
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (!zero_excluded) return c;
  for (const PhysRange& r : er) {
    for (uint64_t a = r.start / bs * bs; a < r.end(); a += bs) {
      std::byte b[1];
      if (kd.memory().read(std::max(a, r.start), b)) continue;
      ++c.excluded_pages;
      const uint64_t lo = std::max(a, r.start), hi = std::min(a + bs, r.end());
      std::span<std::byte> part(ep.data(), hi - lo);
      EXPECT_TRUE(elf.memory().read(lo, part));
      if (std::any_of(part.begin(), part.end(), [](std::byte x) { return x != std::byte{0}; }))
        ++c.excluded_nonzero;
    }
  }
  return c;
}

// Sequential read throughput of every dumped page, page by page (MiB/s of page data).
double read_mib_per_s(const Dump& kd) {
  std::vector<std::byte> page(4096);
  uint64_t bytes = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (const PhysRange& r : kd.memory().ranges())
    for (uint64_t a = r.start; a < r.end(); a += page.size(), bytes += page.size())
      if (!kd.memory().read(a, page)) return 0;
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return bytes / 1048576.0 / s;
}


class RealVmcoreTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::test_vmcores_configured()) GTEST_SKIP() << "VMCAP_TEST_VMCORES not set";
    dir_ = (testing::test_vmcores_dir() / GetParam()).string();
  }
  std::string file(const std::string& name) {
    const std::string p = dir_ + "/" + name;
    EXPECT_TRUE(std::filesystem::exists(p)) << p << " missing";
    return p;
  }
  std::string dir_;
};

TEST_P(RealVmcoreTest, QemuKdumpZlibMatchesQemuElf) {
  const std::string flat_path = file("qemu-kdump-zlib.flat"), elf_path = file("qemu.elf");
  auto flat = open_flattened(flat_path);
  ASSERT_TRUE(flat) << flat.error().message();
  auto elf = open_elf_dump(elf_path);
  ASSERT_TRUE(elf) << elf.error().message();
  const Dump& kd = *flat.value();
  const KdumpInfo* info = kdump_info(kd);
  EXPECT_EQ(kd.format(), "flattened");
  EXPECT_EQ(kd.machine(), 62);
  EXPECT_EQ(kd.word_size(), 64);
  EXPECT_TRUE(kd.little_endian());
  EXPECT_EQ(info->block_size, 4096u);
  EXPECT_GE(info->header_version, 6);
  // VMCOREINFO names the kernel the guest ran.
  const std::string release = testing::report_value(dir_ + "/qemu.report", "kernel_release").value_or("");
  ASSERT_FALSE(release.empty());
  auto vmci = kd.vmcoreinfo_text();
  ASSERT_TRUE(vmci);
  EXPECT_NE(vmci->find("OSRELEASE=" + release + "\n"), std::string::npos);
  EXPECT_EQ(elf.value()->vmcoreinfo_text(), vmci);
  const std::string log = kmsg_of(*elf.value());
  EXPECT_NE(log.find(";vmcap-marker last\n"), std::string::npos) << log.substr(0, 200);
  EXPECT_EQ(kmsg_of(kd), log) << "the kernel log differs between QEMU's two formats";

  const double speed = read_mib_per_s(kd);
  EXPECT_GT(speed, 0);
  Compared c = compare(*elf.value(), kd, /*zero_excluded=*/true);
  EXPECT_GT(c.pages, 1000u);
  EXPECT_EQ(c.excluded_nonzero, 0u);
  // QEMU dumps a running guest unless it was stopped first: the two dump-guest-memory
  // calls must come after QMP "stop" for the dumps to agree.
  EXPECT_EQ(c.differing_pages, 0u)
      << "first differing pages: " << hex_list(c.differing)
      << " (if a few dozen kernel data pages: the guest ran between the ELF and the kdump-zlib "
         "dump; scripts/make-test-vmcore.sh must send QMP stop before dumping)";
  const double mib = c.pages * 4096.0 / (1 << 20);
  std::printf("[ %s ] qemu kdump-zlib: %llu records, %llu pages (%.0f MiB) compared with the ELF "
              "in %.2f s; page reads alone: %.0f MiB/s (zlib through the flattened map); "
              "%llu ELF pages not dumped\n",
              GetParam().c_str(), static_cast<unsigned long long>(info->flattened_records),
              static_cast<unsigned long long>(c.pages), mib, c.seconds, speed,
              static_cast<unsigned long long>(c.excluded_pages));
  RecordProperty("read_mib_per_s", static_cast<int>(speed));
}

TEST_P(RealVmcoreTest, MakedumpfileOutputsMatchTheKdumpVmcore) {
  const std::string mdf = find_makedumpfile();
  ASSERT_FALSE(mdf.empty()) << "makedumpfile not installed";
  const std::string vmcore = file("kdump.vmcore");
  auto elf = open_elf_dump(vmcore);
  ASSERT_TRUE(elf) << elf.error().message();
  const std::string tmp = (std::filesystem::temp_directory_path() /
                           ("vmcap-mdf-" + GetParam() + "-" + std::to_string(getpid())))
                              .string();
  std::filesystem::create_directories(tmp);
  const std::string log = kmsg_of(*elf.value());
  EXPECT_NE(log.find(";vmcap-marker last\n"), std::string::npos) << log.substr(0, 200);

  struct Case {
    const char* name;
    std::string cmd;
    std::string out;
    bool flattened;
  } cases[] = {
      {"-c -d 1", mdf + " -c -d 1 " + vmcore + " " + tmp + "/zlib.dump", tmp + "/zlib.dump", false},
      {"-l -d 1", mdf + " -l -d 1 " + vmcore + " " + tmp + "/lzo.dump", tmp + "/lzo.dump", false},
      {"-F -c -d 1", mdf + " -F -c -d 1 " + vmcore + " > " + tmp + "/zlib.flat", tmp + "/zlib.flat",
       true},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    const std::string cmd = k.cmd + " 2> " + tmp + "/log";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    auto kd = k.flattened ? open_flattened(k.out) : open_kdump_compressed(k.out);
    ASSERT_TRUE(kd) << kd.error().message();
    const KdumpInfo* info = kdump_info(*kd.value());
    EXPECT_EQ(info->dump_level, 1);
    EXPECT_EQ(kd.value()->vmcoreinfo_text(), elf.value()->vmcoreinfo_text());
    // makedumpfile copies the whole PT_NOTE: the same CPU notes as the ELF.
    EXPECT_EQ(kd.value()->notes().size(), elf.value()->notes().size());
    EXPECT_EQ(kmsg_of(*kd.value()), log) << "the kernel log differs from the source vmcore's";
    const double speed = read_mib_per_s(*kd.value());
    Compared c = compare(*elf.value(), *kd.value(), /*zero_excluded=*/true);
    EXPECT_GT(c.pages, 1000u);
    // makedumpfile 1.7.2 keeps zero pages in the 2nd bitmap with descriptors pointing at one
    // shared zero page (seen: 180561 of 212859 pages of a 1 GiB guest), and leaves out pages
    // that PT_LOADs cover only in part: whatever it left out must be zeros here.
    EXPECT_EQ(c.excluded_nonzero, 0u);
    EXPECT_EQ(c.differing_pages, 0u) << "first differing pages: " << hex_list(c.differing);
    const double mib = c.pages * 4096.0 / (1 << 20);
    std::printf("[ %s ] makedumpfile %s: %llu pages (%.0f MiB) identical to the vmcore; page "
                "reads alone: %.0f MiB/s; %llu zero pages excluded\n",
                GetParam().c_str(), k.name, static_cast<unsigned long long>(c.pages), mib,
                speed, static_cast<unsigned long long>(c.excluded_pages));
  }
  std::filesystem::remove_all(tmp);
}

INSTANTIATE_TEST_SUITE_P(Kernels, RealVmcoreTest, ::testing::ValuesIn(testing::test_vmcore_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
