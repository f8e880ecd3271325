// The arm64 capture kernel: the Image header over images made here (page sizes, the PE
// header's BaseOfCode as _stext's offset, gzip, what is refused: an EFI zboot image, a
// bzImage, big-endian, no image_size), Debian's real arm64 kernels when the test vmcores'
// cache has them; what the plan takes from it (capture_kernel.h); and the kallsyms kexec
// -p is given when the kernel's has no _text (kallsyms_text.h).
#include "arm/machine/arm64_image.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include "arm/machine/capture_kernel.h"
#include "arm/machine/kallsyms_text.h"
#include "tests/support/temp_dir.h"

namespace vmcap::arm {
namespace {

void put_le(std::vector<uint8_t>& b, size_t at, uint64_t v, unsigned width) {
  for (unsigned i = 0; i < width; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// The first 4 KiB of an Image as Debian's 6.1.0-50-arm64 begins: "MZ", image_size
// 0x2010000, 4K pages, little-endian, the PE header at 0x40 with BaseOfCode 0x10000.
std::vector<uint8_t> image(uint64_t flags = 0xa, uint64_t base_of_code = 0x10000) {
  std::vector<uint8_t> b(4096);
  b[0] = 'M';
  b[1] = 'Z';
  put_le(b, 0x10, 0x2010000, 8);
  put_le(b, 0x18, flags, 8);
  std::copy_n("ARM\x64", 4, b.begin() + 0x38);
  put_le(b, 0x3c, 0x40, 4);
  std::copy_n("PE\0\0", 4, b.begin() + 0x40);
  put_le(b, 0x44, 0xaa64, 2);
  put_le(b, 0x58, 0x20b, 2);               // PE32+
  put_le(b, 0x58 + 20, base_of_code, 4);  // BaseOfCode
  return b;
}

std::string write(const testing::TempDir& dir, const std::string& name, const std::vector<uint8_t>& b) {
  const std::string path = dir.file(name);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return path;
}

TEST(Arm64ImageHeader, MagicSizeAndPageSize) {
  auto b = image();
  auto h = parse_arm64_image_header(b);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->image_size, 0x2010000u);
  EXPECT_EQ(h->page_size(), 4096u);
  EXPECT_FALSE(h->big_endian());
  EXPECT_EQ(parse_arm64_image_header(image(0x4))->page_size(), 16384u);
  EXPECT_EQ(parse_arm64_image_header(image(0x6))->page_size(), 65536u);
  EXPECT_EQ(parse_arm64_image_header(image(0x0))->page_size(), 0u);
  b[0x3b] = 0;
  EXPECT_FALSE(parse_arm64_image_header(b));
  EXPECT_FALSE(parse_arm64_image_header(std::span<const uint8_t>(image().data(), 0x3f)));
}

TEST(Arm64ImageHeader, StextOffsetFromThePeHeader) {
  EXPECT_EQ(arm64_stext_offset(image()), 0x10000u);
  EXPECT_EQ(arm64_stext_offset(image(0xa, 0x20000)), 0x20000u);
  EXPECT_FALSE(arm64_stext_offset(image(0xa, 0)));          // none
  EXPECT_FALSE(arm64_stext_offset(image(0xa, 0x10010)));    // not page aligned
  EXPECT_FALSE(arm64_stext_offset(image(0xa, 0x400000)));   // beyond any head
  auto b = image();
  put_le(b, 0x3c, 0xfff0, 4);  // the PE header past the bytes read
  EXPECT_FALSE(arm64_stext_offset(b));
  b = image();
  b[0x40] = 'X';  // no "PE\0\0"
  EXPECT_FALSE(arm64_stext_offset(b));
  b = image();
  b[0] = 0;  // no EFI stub
  EXPECT_FALSE(arm64_stext_offset(b));
}

TEST(Arm64Kernel, ReadsAnImageAndAGzipImage) {
  testing::TempDir dir;
  auto k = read_arm64_kernel(write(dir, "Image", image()));
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_EQ(k->format, Arm64ImageFormat::Image);
  EXPECT_EQ(k->stext_offset, 0x10000u);
  EXPECT_EQ(k->file_size, 4096u);
  EXPECT_EQ(k->describe(), "arm64 Image, 4K pages, image_size 32.1 MiB");

  const std::string gz = dir.file("Image.gz");
  gzFile f = gzopen(gz.c_str(), "wb9");
  ASSERT_TRUE(f);
  auto b = image();
  ASSERT_EQ(gzwrite(f, b.data(), static_cast<unsigned>(b.size())), static_cast<int>(b.size()));
  gzclose(f);
  k = read_arm64_kernel(gz);
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_EQ(k->format, Arm64ImageFormat::GzipImage);
  EXPECT_EQ(k->header.image_size, 0x2010000u);
  EXPECT_EQ(k->stext_offset, 0x10000u);
  EXPECT_EQ(k->describe(), "arm64 Image (gzip), 4K pages, image_size 32.1 MiB");
}

TEST(Arm64Kernel, RefusesWhatItCannotLoadOrCapture) {
  testing::TempDir dir;
  auto reason = [&](const std::vector<uint8_t>& b) {
    auto k = read_arm64_kernel(write(dir, "k", b));
    return k ? std::string("accepted") : k.error().message();
  };
  auto zboot = image();
  std::copy_n("zimg", 4, zboot.begin() + 4);
  EXPECT_NE(reason(zboot).find("an EFI zboot image"), std::string::npos) << reason(zboot);
  std::vector<uint8_t> bz(4096);
  std::copy_n("HdrS", 4, bz.begin() + 0x202);
  EXPECT_NE(reason(bz).find("an x86 bzImage, not an arm64 Image"), std::string::npos) << reason(bz);
  EXPECT_NE(reason(image(0xb)).find("big-endian"), std::string::npos);
  auto no_size = image();
  put_le(no_size, 0x10, 0, 8);
  EXPECT_NE(reason(no_size).find("image_size is 0"), std::string::npos);
  EXPECT_NE(reason(std::vector<uint8_t>(10)).find("too short"), std::string::npos);
  auto missing = read_arm64_kernel(dir.file("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::Missing);
}

TEST(CaptureKernel, WhatThePlanTakesFromAnArm64Image) {
  testing::TempDir dir;
  auto k = read_capture_kernel(write(dir, "Image", image()), KernelMachine::Arm64);
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_EQ(k->boot_memory_bytes(), 0x2010000u + (6u << 20));
  EXPECT_EQ(k->boot_memory_source(), "image_size of the capture kernel's arm64 Image + 6 MiB it reserves at boot beside it");
  EXPECT_EQ(k->describe(), "(arm64 Image, 4K pages, image_size 32.1 MiB)");
  EXPECT_TRUE(k->check_cmdline(2048));
  auto long_line = k->check_cmdline(2049);
  ASSERT_FALSE(long_line);
  EXPECT_NE(long_line.error().message().find("2049 bytes"), std::string::npos);
  // An arm64 Image where a bzImage is wanted, and the other way round.
  EXPECT_FALSE(read_capture_kernel(write(dir, "Image", image()), KernelMachine::X86_64));
  std::vector<uint8_t> bz(4096);
  std::copy_n("HdrS", 4, bz.begin() + 0x202);
  EXPECT_FALSE(read_capture_kernel(write(dir, "bz", bz), KernelMachine::Arm64));
}

// Debian's arm64 kernels as scripts/debian-kernel.sh caches them (skipped when absent): all
// plain Images with their _stext 64 KiB in; the arm64-16k flavour has 16K pages.
TEST(Arm64Kernel, DebiansRealKernels) {
  namespace fs = std::filesystem;
  std::error_code ec;
  int seen = 0;
  for (fs::directory_iterator pkg(VMCAP_KERNEL_CACHE_DIR, ec), end; !ec && pkg != end; pkg.increment(ec)) {
    std::error_code ec2;
    for (fs::directory_iterator it(pkg->path() / "boot", ec2); !ec2 && it != end; it.increment(ec2)) {
      const std::string name = it->path().filename().string();
      const bool arm64 = name.ends_with("-arm64"), arm64_16k = name.ends_with("-arm64-16k");
      if (!name.starts_with("vmlinuz-") || (!arm64 && !arm64_16k)) continue;
      auto k = read_arm64_kernel(it->path().string());
      ASSERT_TRUE(k) << k.error().message();
      EXPECT_EQ(k->format, Arm64ImageFormat::Image) << name;
      EXPECT_EQ(k->header.page_size(), arm64_16k ? 16384u : 4096u) << name;
      EXPECT_EQ(k->stext_offset, 0x10000u) << name;
      if (name == "vmlinuz-6.1.0-50-arm64") EXPECT_EQ(k->header.image_size, 0x2010000u);
      ++seen;
    }
  }
  if (seen == 0) GTEST_SKIP() << "no Debian arm64 kernels under " << VMCAP_KERNEL_CACHE_DIR;
}

// Lines as Debian's arm64 6.1 /proc/kallsyms has them (no _text), and 6.12's (with it).
constexpr const char* kKallsyms61 =
    "ffffa8d6e6a10000 T _stext\n"
    "ffffa8d6e6a10000 t __do_softirq\n"
    "ffffa8d6e6c81000 T do_one_initcall\n"
    "ffffa8d6e8140000 T __init_begin\n"
    "ffffa8d6e8140000 T _sinittext\n"
    "ffffa8d6c0f4e000 t virtio_net_driver_init\t[virtio_net]\n";

TEST(KallsymsText, FindsTheThreeSymbols) {
  auto s = find_kexec_tool_symbols(kKallsyms61);
  EXPECT_FALSE(s.text);
  EXPECT_EQ(s.stext, 0xffffa8d6e6a10000u);
  EXPECT_EQ(s.init_begin, 0xffffa8d6e8140000u);
  s = find_kexec_tool_symbols("ffff800080000000 T _text\nffff800080010000 T _stext\n");
  EXPECT_EQ(s.text, 0xffff800080000000u);
  // Addresses hidden from this user (kptr_restrict) are no addresses.
  s = find_kexec_tool_symbols("0000000000000000 T _stext\n0000000000000000 T __init_begin\n");
  EXPECT_FALSE(s.stext);
  EXPECT_FALSE(s.init_begin);
  // Not these: a longer name, a module's symbol, a broken line.
  s = find_kexec_tool_symbols("ffff800080000000 T _text_end\nffff80008 _stext\nzz T __init_begin\n");
  EXPECT_FALSE(s.text);
  EXPECT_FALSE(s.stext);
  EXPECT_FALSE(s.init_begin);
}

TEST(KallsymsText, TextFromStextAndTheImagesOffset) {
  auto fixed = kexec_tool_kallsyms(find_kexec_tool_symbols(kKallsyms61), 0x10000);
  ASSERT_TRUE(fixed) << fixed.error().message();
  ASSERT_TRUE(*fixed);
  EXPECT_EQ(**fixed,
            "ffffa8d6e6a00000 T _text\n"
            "ffffa8d6e6a10000 T _stext\n"
            "ffffa8d6e8140000 T __init_begin\n");
  // 6.12 lists _text: nothing to do.
  auto as_is = kexec_tool_kallsyms(find_kexec_tool_symbols("ffff800080000000 T _text\n"), std::nullopt);
  ASSERT_TRUE(as_is);
  EXPECT_FALSE(*as_is);
}

TEST(KallsymsText, SaysWhatIsMissing) {
  auto why = [](const KexecToolSymbols& s, std::optional<uint64_t> offset) {
    auto r = kexec_tool_kallsyms(s, offset);
    return r ? std::string("ok") : r.error().message();
  };
  const KexecToolSymbols full = find_kexec_tool_symbols(kKallsyms61);
  EXPECT_NE(why(full, std::nullopt).find("the running kernel's Image does not say where _stext lies"), std::string::npos);
  EXPECT_NE(why({}, 0x10000).find("no _stext either"), std::string::npos);
  EXPECT_NE(why({std::nullopt, full.stext, std::nullopt}, 0x10000).find("no __init_begin"), std::string::npos);
  EXPECT_NE(why(full, 0x10800).find("no page-aligned _text"), std::string::npos);
  EXPECT_NE(why({std::nullopt, 0x1000, full.init_begin}, 0x10000).find("no page-aligned _text"), std::string::npos);
  // _text 0 would read as missing to kexec-tools (found by fuzz_kallsyms_text).
  EXPECT_NE(why({std::nullopt, 0x10000, full.init_begin}, 0x10000).find("no page-aligned _text"), std::string::npos);
}

}  // namespace
}  // namespace vmcap::arm
