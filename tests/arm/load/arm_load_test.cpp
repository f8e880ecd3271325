// arm/load without loading anything: the message for each errno of kexec_file_load, the
// cached image's key (stable, and it names what changed), and the record of what is loaded
// (round trip, and garbage refused with the file named); a program run with a file bound
// over another for it alone (kexec -p's /proc/kallsyms on arm64).
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "arm/load/arm_record.h"
#include "arm/load/image_key.h"
#include "arm/load/kexec_load.h"
#include "arm/load/run_program.h"
#include "tests/arm/machine/fake_root.h"
#include "tests/initramfs/archive_tools.h"
#include "tests/initramfs/superblocks.h"
#include "tests/support/temp_dir.h"

namespace vmcap::arm {
namespace {

using testing::TempDir;
using testing::write_whole_file;

constexpr const char* kStaticExecutable = "/sbin/ldconfig";  // Debian's static-pie, as /init

TEST(KexecFailure, EachErrnoSaysWhatToDo) {
  CrashImage image{"/boot/vmlinuz-x", "/var/lib/vmcap/images/k.img", "console=ttyS0"};
  auto has = [&](int err, const std::string& part) {
    std::string m = kexec_file_load_failure(err, image);
    EXPECT_NE(m.find(part), std::string::npos) << err << ": " << m;
  };
  has(EPERM, "kernel.kexec_load_disabled = 1");
  EXPECT_NE(kexec_file_load_failure(EPERM, image, {true, false}).find("without Secure Boot its keyrings hold no distribution key"),
            std::string::npos);
  EXPECT_NE(kexec_file_load_failure(EPERM, image, {true, true}).find("could not verify the signature of /boot/vmlinuz-x"),
            std::string::npos);
  has(EKEYREJECTED, "no valid signature on /boot/vmlinuz-x");
  has(ENODATA, "no valid signature on /boot/vmlinuz-x");
  has(ENOKEY, "mokutil");
  has(EBADMSG, "signature");
  has(ENOEXEC, "not a kernel image this kernel can load");
  has(EINVAL, "command line");
  has(EBUSY, "another kexec load");
  has(ENOMEM, "crashkernel= reservation cannot hold /boot/vmlinuz-x and /var/lib/vmcap/images/k.img");
  has(EADDRNOTAVAIL, "reservation has no room for /boot/vmlinuz-x and /var/lib/vmcap/images/k.img");
  has(EIO, "kexec_file_load failed: ");
}

TEST(LoadCrashImage, AMissingFileIsNamedBeforeTheKernelIsAsked) {
  auto r = load_crash_image({"/nonexistent/vmlinuz", "/nonexistent/initrd", ""}, "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, "/nonexistent/vmlinuz");
}

struct KeyFixture {
  TempDir dir;
  std::string kernel = dir.file("vmlinuz"), config = dir.file("vmcap.conf"), token = dir.file("token");
  KeyFixture() {
    write_whole_file(kernel, "not really a kernel", 0644);
    write_whole_file(token, "secret\n", 0600);
    write_whole_file(config, "[destination web]\nurl = http://10.0.2.2/crash\nbearer_token_file = " + token + "\n", 0600);
  }
  initramfs::ImageRequest request() const {
    initramfs::ImageRequest r;
    r.config_path = config;
    r.vmcap_binary = kStaticExecutable;
    return r;
  }
};

// What kexec -p gets on arm64 (tool_kallsyms.h): the program reads the bound file at the
// target's path; everyone else still reads the real one. Needs root (a mount namespace).
TEST(RunProgram, ABindIsTheProgramsAlone) {
  TempDir d;
  const std::string file = d.file("kallsyms");
  write_whole_file(file, "ffff800080000000 T _text\n");
  std::string output;
  const int status = run_program({"cat", "/proc/version"}, output, {{file, "/proc/version"}});
  if (status == 127 && output.find("cannot make a mount namespace") != std::string::npos)
    GTEST_SKIP() << "no mount namespaces here (not root): " << output;
  ASSERT_EQ(status, 0) << output;
  EXPECT_EQ(output, "ffff800080000000 T _text");
  std::string real;
  ASSERT_EQ(run_program({"cat", "/proc/version"}, real), 0);
  EXPECT_TRUE(real.starts_with("Linux version")) << real;

  output.clear();
  EXPECT_EQ(run_program({"cat", "/proc/version"}, output, {{d.file("nope"), "/proc/version"}}), 127);
  EXPECT_NE(output.find("vmcap: cannot bind " + d.file("nope") + " over /proc/version"), std::string::npos) << output;
  output.clear();
  errno = 0;
  EXPECT_EQ(run_program({"vmcap-no-such-program"}, output, {{file, "/proc/version"}}), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(ImageKey, TheSameInputsGiveTheSameKey) {
  KeyFixture f;
  auto a = image_key(f.kernel, f.request());
  auto b = image_key(f.kernel, f.request());
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b);
  EXPECT_EQ(a->key, b->key);
  EXPECT_EQ(a->key.size(), 64u);
  EXPECT_TRUE(a->changed_since(*b).empty());
  // The kernel, /init, the config and the file it names are all parts.
  std::vector<std::string> whats;
  for (const auto& p : a->parts) whats.push_back(p.what + " " + p.path);
  for (const auto& w : {"kernel " + f.kernel, std::string("init ") + kStaticExecutable, "config " + f.config,
                        "config file " + f.token})
    EXPECT_NE(std::find(whats.begin(), whats.end(), w), whats.end()) << w;
}

TEST(ImageKey, ASecretFileTheConfigNamesChangesTheKeyAndIsNamed) {
  KeyFixture f;
  auto before = image_key(f.kernel, f.request());
  write_whole_file(f.token, "rotated\n", 0600);
  auto after = image_key(f.kernel, f.request());
  ASSERT_TRUE(before && after);
  EXPECT_NE(before->key, after->key);
  EXPECT_EQ(after->changed_since(*before), std::vector<std::string>{"config file " + f.token});
}

TEST(ImageKey, OptionsAndTheKernelChangeTheKey) {
  KeyFixture f;
  auto base = image_key(f.kernel, f.request());
  auto req = f.request();
  req.modules = {"e1000e"};
  // e1000e needs a module tree: the key says which is missing rather than guessing.
  req.kernel_root = f.dir.path();
  auto with_module = image_key(f.kernel, req);
  EXPECT_FALSE(with_module);
  write_whole_file(f.kernel, "another kernel", 0644);
  auto new_kernel = image_key(f.kernel, f.request());
  ASSERT_TRUE(base && new_kernel);
  EXPECT_EQ(new_kernel->changed_since(*base), std::vector<std::string>{"kernel " + f.kernel});
}

// The disk holding a file:// destination on a machine made here (mountinfo, sysfs, the
// superblock as a file, a module tree): the image mounts it, so a new UUID (the disk
// reformatted, another disk mounted there) must give a new key, named "local disks".
TEST(ImageKey, TheLocalDisksOfFileDestinationsAreKeyed) {
  KeyFixture f;
  testing::FakeRoot m;
  m.put("/proc/self/mountinfo", "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n");
  const std::string disk = "/sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vda";
  m.put(disk + "/vda1/partition", "1\n");
  m.put(disk + "/vda1/uevent", "DEVNAME=vda1\n");
  m.link("/sys/dev/block/254:1", "../../devices/pci0000:00/0000:00:04.0/virtio1/block/vda/vda1");
  m.put("/dev/vda1", testing::ext_image());
  m.put("/lib/modules/6.1.0-test/modules.dep", "kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko\nkernel/fs/jbd2/jbd2.ko:\n");
  m.put("/lib/modules/6.1.0-test/modules.alias", "alias fs-ext4 ext4\n");
  m.put("/lib/modules/6.1.0-test/kernel/fs/ext4/ext4.ko", "ext4");
  m.put("/lib/modules/6.1.0-test/kernel/fs/jbd2/jbd2.ko", "jbd2");
  write_whole_file(f.config, "[destination disk]\nurl = file:///var/crash\n", 0600);
  auto request = f.request();
  request.system_root = m.root();
  request.kernel_root = m.root();
  auto before = image_key(f.kernel, request);
  ASSERT_TRUE(before) << before.error().message();
  auto has_part = [](const ImageKey& k, const std::string& what, const std::string& path_end) {
    return std::any_of(k.parts.begin(), k.parts.end(),
                       [&](const KeyPart& p) { return p.what == what && p.path.ends_with(path_end); });
  };
  EXPECT_TRUE(has_part(*before, "local disks", ""));
  EXPECT_TRUE(has_part(*before, "module", "ext4.ko"));
  EXPECT_TRUE(has_part(*before, "module", "jbd2.ko"));
  auto same = image_key(f.kernel, request);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->key, before->key);

  std::string other = testing::ext_image();
  other[1024 + 0x68] = 0x7f;  // another UUID
  m.put("/dev/vda1", other);
  auto after = image_key(f.kernel, request);
  ASSERT_TRUE(after);
  EXPECT_NE(after->key, before->key);
  EXPECT_EQ(after->changed_since(*before), (std::vector<std::string>{"local disks"}));
}

TEST(ImageKey, AMissingKernelIsNamed) {
  KeyFixture f;
  auto k = image_key(f.dir.file("nope"), f.request());
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().file, f.dir.file("nope"));
}

TEST(ArmRecord, RoundTrip) {
  TempDir d;
  ArmRecord r{"/boot/vmlinuz", "/var/lib/vmcap/images/a.img", std::string(64, 'a'), "console=ttyS0 irqpoll",
              "kexec_file_load", "2026-12-06T23:59:59Z", "0.1.0", {}};
  r.image.key = std::string(64, 'b');
  r.image.parts = {{"kernel", "/boot/vmlinuz", std::string(64, 'c')}, {"options", "", std::string(64, 'd')}};
  std::string path = d.file("run/vmcap/armed.json");
  ASSERT_TRUE(write_arm_record(path, r));
  auto back = read_arm_record(path);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(render_arm_record(*back), render_arm_record(r));
  EXPECT_EQ(back->cmdline, "console=ttyS0 irqpoll");
  EXPECT_EQ(back->image.parts.size(), 2u);
}

TEST(ArmRecord, GarbageIsRefusedWithTheFileNamed) {
  for (const char* text : {"", "{", "[]", "{\"schema\":\"vmcap-armed/1\"}", "{\"schema\":\"other\"}",
                           "{\"schema\":\"vmcap-armed/1\",\"kernel\":1}"}) {
    auto r = parse_arm_record(text, "/run/vmcap/armed.json");
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().file, "/run/vmcap/armed.json");
  }
  EXPECT_EQ(read_arm_record("/nonexistent/armed.json").error().kind, ErrorKind::Missing);
}

}  // namespace
}  // namespace vmcap::arm
