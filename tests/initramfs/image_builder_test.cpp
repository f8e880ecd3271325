// `vmcap mkinitramfs` without a kernel: the image's layout, the config's files at their
// own paths with their modes, zstd against Debian's zstd, and what it refuses (a dynamic
// /init, a broken config unless forced, a missing secret). The static executable for /init
// is Debian's own static-pie /sbin/ldconfig.
#include "initramfs/image_builder.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include <gtest/gtest.h>

#include "tests/initramfs/archive_tools.h"
#include "tests/support/temp_dir.h"

namespace vmcap::initramfs {
namespace {

using testing::cpio_names;
using testing::read_whole_file;
using testing::run_command;
using testing::shell_quoted;
using testing::TempDir;
using testing::write_whole_file;

constexpr const char* kStaticExecutable = "/sbin/ldconfig";

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

struct Fixture {
  TempDir dir;
  std::string token, ca, config;
  Fixture() {
    token = dir.file("token");
    ca = dir.file("ca.pem");
    config = dir.file("vmcap.conf");
    write_whole_file(token, "secret-token\n", 0600);
    write_whole_file(ca, "-----BEGIN CERTIFICATE-----\nnot checked here\n-----END CERTIFICATE-----\n", 0644);
    write_whole_file(config,
                     "final_action = reboot\n"
                     "[destination web]\n"
                     "url = https://10.0.2.2:8443/crash\n"
                     "ca_file = " + ca + "\n"
                     "bearer_token_file = " + token + "\n",
                     0600);
  }
  ImageRequest request(const std::string& out) const {
    ImageRequest r;
    r.config_path = config;
    r.vmcap_binary = kStaticExecutable;
    r.output = out;
    r.system_root = dir.path();  // no mountinfo: the default fallback_path's disk is not looked for
    return r;
  }
};

TEST(ImageBuilder, LayoutConfigFilesAndModes) {
  Fixture f;
  auto r = f.request(f.dir.file("image.cpio"));
  r.compress = false;
  auto report = build_initramfs(r);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->modules.empty());
  EXPECT_EQ(report->image_bytes, report->cpio_bytes);

  struct stat st {};
  ASSERT_EQ(stat(r.output.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << "the image holds secrets";
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), report->image_bytes);

  auto names = cpio_names(r.output);
  for (const char* n : {"init", "bin/vmcap", "dev/console", "proc", "sys", "etc/vmcap.conf"})
    EXPECT_TRUE(has(names, n)) << n;
  EXPECT_TRUE(has(names, f.token.substr(1)));
  EXPECT_TRUE(has(names, f.ca.substr(1)));
  // Parents first (the kernel's unpacker does not create them).
  auto pos = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  EXPECT_LT(pos("etc"), pos("etc/vmcap.conf"));
  EXPECT_LT(pos("dev"), pos("dev/console"));

  const std::string out = f.dir.file("x");
  ASSERT_EQ(mkdir(out.c_str(), 0755), 0);
  auto x = run_command("cd " + shell_quoted(out) + " && cpio -i -d --quiet --no-absolute-filenames -f dev/console < " +
                       shell_quoted(r.output));
  ASSERT_EQ(x.status, 0) << x.output;
  EXPECT_EQ(read_whole_file(out + "/init"), read_whole_file(kStaticExecutable));
  ASSERT_EQ(stat((out + "/init").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_EQ(read_whole_file(out + "/etc/vmcap.conf"), read_whole_file(f.config));
  EXPECT_EQ(read_whole_file(out + f.token), "secret-token\n");
  ASSERT_EQ(stat((out + f.token).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(stat((out + f.ca).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  char target[64] = {};
  ASSERT_GT(readlink((out + "/bin/vmcap").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "/init");

  auto listing = run_command("cpio -tv --quiet < " + shell_quoted(r.output) + " | grep dev/console");
  EXPECT_NE(listing.output.find("crw-------"), std::string::npos) << listing.output;
}

TEST(ImageBuilder, ZstdImageDecompressesToTheSameArchive) {
  Fixture f;
  auto plain = f.request(f.dir.file("plain.cpio"));
  plain.compress = false;
  auto packed = f.request(f.dir.file("image.cpio.zst"));
  packed.zstd_level = 3;
  auto a = build_initramfs(plain);
  auto b = build_initramfs(packed);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(a->cpio_bytes, b->cpio_bytes);
  EXPECT_LT(b->image_bytes, b->cpio_bytes);
  auto d = run_command("zstd -q -d -f " + shell_quoted(packed.output) + " -o " + shell_quoted(f.dir.file("unpacked.cpio")));
  ASSERT_EQ(d.status, 0) << d.output;
  EXPECT_EQ(read_whole_file(f.dir.file("unpacked.cpio")), read_whole_file(plain.output));
}

// The kernel's streaming unpacker allocates the frame's window: a level-19 image must still
// say 256 KiB, not level 19's 8 MiB, or a small crash kernel runs out of memory unpacking it.
TEST(ImageBuilder, ZstdImageHasASmallWindowAtLevel19) {
  Fixture f;
  auto packed = f.request(f.dir.file("image.cpio.zst"));
  packed.zstd_level = 19;
  auto b = build_initramfs(packed);
  ASSERT_TRUE(b) << b.error().message();
  auto l = run_command("zstd -lv " + shell_quoted(packed.output));
  ASSERT_EQ(l.status, 0) << l.output;
  EXPECT_NE(l.output.find("Window Size: 256 KiB"), std::string::npos) << l.output;
}

TEST(ImageBuilder, RefusesADynamicInit) {
  Fixture f;
  auto r = f.request(f.dir.file("image"));
  r.vmcap_binary = "/bin/sh";  // dynamically linked on Debian
  auto report = build_initramfs(r);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message().find("dynamically linked"), std::string::npos) << report.error().message();
  EXPECT_NE(report.error().message().find("/bin/sh"), std::string::npos);
  struct stat st {};
  EXPECT_NE(stat(r.output.c_str(), &st), 0) << "no image written";
}

// A static aarch64 executable's ELF header, as the cross-built vmcap has (no program headers
// needed for the check): what an arm64 capture image's /init must be.
std::string aarch64_static_executable() {
  std::string b(64, '\0');
  b.replace(0, 4, "\x7f" "ELF");
  b[4] = 2;          // ELFCLASS64
  b[5] = 1;          // little-endian
  b[6] = 1;          // EV_CURRENT
  b[16] = 2;         // ET_EXEC
  b[18] = static_cast<char>(183);  // EM_AARCH64
  b[24] = 0x40;      // e_entry
  b[54] = 56;        // e_phentsize
  return b;
}

// An extracted arm64 kernel package: its config says CONFIG_ARM64=y.
std::string arm64_kernel_root(const TempDir& dir) {
  const std::string root = dir.file("arm64-kernel");
  const std::string release = "6.1.0-50-arm64";
  std::filesystem::create_directories(root + "/lib/modules/" + release);
  std::filesystem::create_directories(root + "/boot");
  write_whole_file(root + "/lib/modules/" + release + "/modules.dep", "", 0644);
  write_whole_file(root + "/boot/config-" + release, "CONFIG_ARM64_PAGE_SHIFT=12\nCONFIG_ARM64=y\n", 0644);
  return root;
}

TEST(ImageBuilder, InitMustBeOfTheCaptureKernelsMachine) {
  Fixture f;
  const std::string arm64_vmcap = f.dir.file("vmcap-aarch64");
  write_whole_file(arm64_vmcap, aarch64_static_executable(), 0755);

  // This (x86-64) vmcap's own kind: an aarch64 /init is refused, with the binary to give.
  auto r = f.request(f.dir.file("image"));
  r.vmcap_binary = arm64_vmcap;
  auto refused = build_initramfs(r);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("an aarch64 executable, not x86-64"), std::string::npos)
      << refused.error().message();

  // An arm64 kernel tree: the aarch64 vmcap goes in, the x86-64 one is refused naming the config.
  r.kernel_root = arm64_kernel_root(f.dir);
  auto built = build_initramfs(r);
  ASSERT_TRUE(built) << built.error().message();
  EXPECT_EQ(built->init_bytes, 64u);
  r.vmcap_binary = kStaticExecutable;
  refused = build_initramfs(r);
  ASSERT_FALSE(refused);
  const std::string m = refused.error().message();
  EXPECT_NE(m.find("an x86-64 executable, not aarch64: give the aarch64 static vmcap (scripts/build-static.sh "
                   "--arch arm64 prints it)"),
            std::string::npos) << m;
  EXPECT_NE(m.find("boot/config-6.1.0-50-arm64"), std::string::npos) << m;
}

TEST(ImageBuilder, RefusesABrokenConfigUnlessForced) {
  Fixture f;
  write_whole_file(f.config, "final_action = explode\n[destination web]\nurl = file:///var/crash\n", 0600);
  auto r = f.request(f.dir.file("image"));
  r.compress = false;
  auto refused = build_initramfs(r);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find(f.config + ":1:"), std::string::npos) << refused.error().message();
  struct stat st {};
  EXPECT_NE(stat(r.output.c_str(), &st), 0);

  r.force = true;
  auto forced = build_initramfs(r);
  ASSERT_TRUE(forced) << forced.error().message();
  ASSERT_FALSE(forced->warnings.empty());
  EXPECT_NE(forced->warnings[0].find("final_action"), std::string::npos) << forced->warnings[0];
}

TEST(ImageBuilder, RefusesAConfigNamingAMissingFile) {
  Fixture f;
  ASSERT_EQ(unlink(f.ca.c_str()), 0);
  auto r = f.request(f.dir.file("image"));
  auto report = build_initramfs(r);
  ASSERT_FALSE(report);
  EXPECT_NE(report.error().message().find(f.ca), std::string::npos) << report.error().message();
}

}  // namespace
}  // namespace vmcap::initramfs
