// The bzImage setup header over images made here (every refusal of kexec_file_load's probe,
// every cut) and Debian's real kernels when the test vmcores' cache has them (the arm64
// Image: arm64_image_test.cpp).
#include "arm/machine/bzimage_header.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "tests/support/temp_dir.h"

namespace vmcap::arm {
namespace {

void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// A bzImage as Debian 6.1's begins: protocol 2.15, 39 setup sectors, xloadflags 0x7f.
std::vector<uint8_t> bzimage(uint16_t version = 0x020f, uint16_t xlf = 0x7f, size_t size = 64 << 10) {
  std::vector<uint8_t> b(size);
  b[0x1f1] = 39;
  put_le(b, 0x1fe, 0xaa55, 2);
  std::copy_n("HdrS", 4, b.begin() + 0x202);
  put_le(b, 0x206, version, 2);
  b[0x211] = 0x01;  // LOADED_HIGH
  put_le(b, 0x230, 0x200000, 4);
  b[0x234] = 1;
  put_le(b, 0x236, xlf, 2);
  put_le(b, 0x238, 2047, 4);
  put_le(b, 0x258, 0x1000000, 8);
  put_le(b, 0x260, 66678784, 4);
  return b;
}

TEST(BzImageHeader, ReadsDebians61Fields) {
  auto h = parse_bzimage_header(bzimage());
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->version_string(), "2.15");
  EXPECT_EQ(h->cmdline_size, 2047u);
  EXPECT_EQ(h->init_size, 66678784u);
  EXPECT_EQ(h->kernel_alignment, 0x200000u);
  EXPECT_TRUE(h->relocatable);
  EXPECT_EQ(h->pref_address, 0x1000000u);
  EXPECT_EQ(h->xloadflags, 0x7f);
  EXPECT_EQ(h->setup_bytes(), 40u * 512);
  EXPECT_TRUE(check_kexec_file_loadable(*h, "vmlinuz"));
  EXPECT_TRUE(check_kexec_file_loadable(*h, "vmlinuz", /*five_level_paging=*/true));
}

TEST(BzImageHeader, OldProtocolsKeepTheDefaults) {
  auto b = bzimage(0x0204, 0);
  put_le(b, 0x238, 9999, 4);  // not a field before 2.06
  put_le(b, 0x260, 9999, 4);
  auto h = parse_bzimage_header(b);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->cmdline_size, 255u);
  EXPECT_EQ(h->init_size, 0u);
  EXPECT_EQ(h->kernel_alignment, 0u);
  auto c = check_kexec_file_loadable(*h, "old");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().reason.find("boot protocol 2.04"), std::string::npos) << c.error().message();
}

TEST(BzImageHeader, EachRefusalOfTheKernelsProbeHasItsReason) {
  struct Case {
    std::vector<uint8_t> bytes;
    const char* reason;
  };
  std::vector<Case> cases;
  cases.push_back({bzimage(0x020b), "2.12 or later"});
  cases.push_back({bzimage(0x020f, 0x7e), "XLF_KERNEL_64"});
  cases.push_back({bzimage(0x020f, 0x7d), "XLF_CAN_BE_LOADED_ABOVE_4G"});
  auto no_flag = bzimage();
  put_le(no_flag, 0x1fe, 0, 2);
  cases.push_back({no_flag, "boot_flag"});
  auto zimage = bzimage();
  zimage[0x211] = 0;
  cases.push_back({zimage, "zImage"});
  cases.push_back({bzimage(0x020f, 0x7f, 4096), "truncated"});  // setup alone is 40 sectors
  for (const Case& c : cases) {
    auto h = parse_bzimage_header(c.bytes);
    ASSERT_TRUE(h) << c.reason;
    auto r = check_kexec_file_loadable(*h, "vmlinuz");
    ASSERT_FALSE(r) << c.reason;
    EXPECT_NE(r.error().reason.find(c.reason), std::string::npos) << r.error().message();
    EXPECT_EQ(r.error().file, "vmlinuz");
  }
  auto h = parse_bzimage_header(bzimage(0x020f, 0x1f));
  ASSERT_TRUE(h);
  EXPECT_TRUE(check_kexec_file_loadable(*h, "v"));
  auto r = check_kexec_file_loadable(*h, "v", true);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().reason.find("5-level"), std::string::npos);
}

TEST(BzImageHeader, NotABzImage) {
  std::vector<uint8_t> elf(4096);
  std::copy_n("\x7f" "ELF", 4, elf.begin());
  auto h = parse_bzimage_header(elf, "vmlinux");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().kind, ErrorKind::Format);
  EXPECT_NE(h.error().message().find("vmlinux"), std::string::npos);
  EXPECT_NE(h.error().reason.find("HdrS"), std::string::npos);
}

TEST(BzImageHeader, EveryCutIsAnErrorOrAHeaderNeverACrash) {
  const auto full = bzimage();
  for (size_t n = 0; n <= kBzImageHeaderBytes + 4; ++n) {
    auto h = parse_bzimage_header(std::span<const uint8_t>(full.data(), n));
    if (n < kBzImageHeaderBytes) {
      ASSERT_FALSE(h) << n;
      EXPECT_EQ(h.error().kind, n < 0x206 ? ErrorKind::Truncated : h.error().kind) << n;
    } else {
      ASSERT_TRUE(h) << n;
      EXPECT_FALSE(check_kexec_file_loadable(*h, "cut")) << n;  // 1024 bytes at least
    }
  }
}

TEST(BzImageHeader, AbsurdNumbersAreReportedAsTheyAre) {
  auto b = bzimage(0xffff, 0xffff);
  put_le(b, 0x238, 0xffffffff, 4);
  put_le(b, 0x260, 0xffffffff, 4);
  b[0x1f1] = 0;  // means 4
  auto h = parse_bzimage_header(b);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->version_string(), "255.255");
  EXPECT_EQ(h->cmdline_size, 0xffffffffu);
  EXPECT_EQ(h->setup_bytes(), 5u * 512);
}

TEST(BzImageHeader, ReadsAFile) {
  testing::TempDir dir;
  const auto b = bzimage();
  {
    std::ofstream f(dir.file("vmlinuz"), std::ios::binary);
    f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
  auto h = read_bzimage_header(dir.file("vmlinuz"));
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h->file_size, b.size());
  EXPECT_TRUE(check_kexec_file_loadable(*h, dir.file("vmlinuz")));

  auto missing = read_bzimage_header(dir.file("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Missing);
  auto folder = read_bzimage_header(dir.path());
  ASSERT_FALSE(folder);
  EXPECT_EQ(folder.error().kind, ErrorKind::Io);
}

// Debian's kernels as scripts/make-test-vmcore.sh caches them (KERNELS/PACKAGE/boot/vmlinuz-*;
// skipped when absent).
TEST(BzImageHeader, DebiansRealKernels) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int seen = 0;
  for (fs::directory_iterator pkg(VMCAP_KERNEL_CACHE_DIR, ec), end; !ec && pkg != end; pkg.increment(ec)) {
    std::error_code ec2;
    for (fs::directory_iterator it(pkg->path() / "boot", ec2); !ec2 && it != end; it.increment(ec2)) {
      const std::string name = it->path().filename().string();
      // The arm64 ones: arm64_image_test.cpp.
      if (!name.starts_with("vmlinuz-") || name.ends_with("-arm64") || name.find("-arm64-") != std::string::npos) continue;
      auto h = read_bzimage_header(it->path().string());
      ASSERT_TRUE(h) << h.error().message();
      EXPECT_TRUE(check_kexec_file_loadable(*h, name)) << name;
      EXPECT_EQ(h->cmdline_size, 2047u) << name;
      EXPECT_EQ(h->version_string(), "2.15") << name;
      if (name == "vmlinuz-6.1.0-50-amd64") EXPECT_EQ(h->init_size, 66678784u);  // the estimate's reference
      ++seen;
    }
  }
  if (seen == 0) GTEST_SKIP() << "no Debian kernels under " << VMCAP_KERNEL_CACHE_DIR;
}

}  // namespace
}  // namespace vmcap::arm
