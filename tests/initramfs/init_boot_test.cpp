// vmcap as /init of its own image, booted by Debian's real 6.1 and 6.12 kernels in QEMU
// (TCG) as a normal kernel, not kdump: on the serial console vmcap must say it is PID 1,
// load the image's modules (6.12: .ko.xz through the kernel's own decompressor), bring the
// network up over QEMU user networking (DHCP from 10.0.2.2), find no /proc/vmcore and
// reboot; QEMU (-no-reboot) then exits by itself, with no kernel panic on the way.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "tests/initramfs/archive_tools.h"
#include "tests/initramfs/kernel_trees.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using testing::read_whole_file;
using testing::run_command;
using testing::shell_quoted;
using testing::TempDir;
using testing::write_whole_file;

// Bounds a hung guest; a healthy boot takes 10-40 s under TCG.
constexpr int kQemuLimitSeconds = 600;

std::string vmlinuz_of(const std::string& root) {
  auto r = run_command("ls " + shell_quoted(root + "/boot") + " | grep '^vmlinuz-'");
  std::string name = r.output.substr(0, r.output.find('\n'));
  return root + "/boot/" + name;
}

// Boots ROOT's kernel with IMAGE (virtio-net on QEMU user networking), console to CONSOLE.
testing::CommandResult boot(const std::string& root, const std::string& image, const std::string& console) {
  return run_command("timeout " + std::to_string(kQemuLimitSeconds) +
                     " qemu-system-x86_64 -accel tcg -m 512M -smp 1 -display none -no-reboot -nodefaults"
                     " -kernel " + shell_quoted(vmlinuz_of(root)) + " -initrd " + shell_quoted(image) +
                     " -append 'console=ttyS0 panic=-1 loglevel=4'"
                     " -netdev user,id=n0 -device virtio-net-pci,netdev=n0"
                     " -serial file:" + console);
}

class InitBoot : public ::testing::TestWithParam<const char*> {};

TEST_P(InitBoot, VmcapIsInitLoadsModulesAndRebootsWithoutAVmcore) {
  const std::string kernel = GetParam();
  const std::string root = testing::debian_kernel_root(kernel);
  TempDir dir;
  const std::string config = dir.file("vmcap.conf");
  write_whole_file(config,
                   "final_action = reboot\n"
                   "failure_action = reboot\n"
                   "[network]\n"
                   "address = dhcp\n"
                   "modules = virtio_pci, virtio_net\n"
                   "timeout = 60s\n"
                   "[destination collector]\n"
                   "url = http://10.0.2.2:9/crash\n",
                   0600);
  const std::string image = dir.file("initrd.img");
  auto mk = run_command(std::string(VMCAP_BINARY) + " mkinitramfs --config " + shell_quoted(config) +
                        " --kernel-root " + shell_quoted(root) + " --vmcap " + shell_quoted(VMCAP_INIT_BINARY) +
                        " -o " + shell_quoted(image));
  ASSERT_EQ(mk.status, 0) << mk.output;
  std::cout << mk.output;
  if (kernel == "6.12") {
    EXPECT_NE(mk.output.find("virtio_net.ko.xz"), std::string::npos) << mk.output;
    EXPECT_NE(mk.output.find("built in: virtio_pci"), std::string::npos) << mk.output;
  } else {
    EXPECT_NE(mk.output.find("virtio_pci.ko"), std::string::npos) << mk.output;
  }

  const std::string console = dir.file("console.log");
  auto q = boot(root, image, console);
  std::string log = read_whole_file(console);
  EXPECT_EQ(q.status, 0) << "QEMU did not exit by the guest's reboot (124: killed after " << kQemuLimitSeconds
                         << " s)\n" << q.output << "\n" << log;
  EXPECT_EQ(log.find("Kernel panic"), std::string::npos) << log;
  EXPECT_NE(log.find("init: vmcap"), std::string::npos) << log;
  EXPECT_NE(log.find("is /init (PID 1)"), std::string::npos) << log;
  EXPECT_NE(log.find(" failed, in "), std::string::npos) << log;
  EXPECT_NE(log.find(kernel == "6.12" ? "modules: 3 loaded, 0 already there, 0 failed"
                                      : "modules: 8 loaded, 0 already there, 0 failed"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("network: ready in "), std::string::npos) << log;
  EXPECT_NE(log.find("10.0.2.15/24"), std::string::npos) << log;
  EXPECT_NE(log.find("no /proc/vmcore"), std::string::npos) << log;
  EXPECT_NE(log.find("init: reboot now"), std::string::npos) << log;
  EXPECT_NE(log.find("reboot: Restarting system"), std::string::npos) << log;
  std::cout << log;
}

INSTANTIATE_TEST_SUITE_P(Debian, InitBoot, ::testing::Values("6.1", "6.12"),
                         [](const auto& info) { return std::string(info.param) == "6.1" ? "K6_1" : "K6_12"; });

// A config with a problem (image built with --force) and failure_action = shell: PID 1 says
// the problem, finds no vmcore, says there is no shell here and reboots all the same.
TEST(InitBootFallbacks, BrokenConfigAndShellStillReboot) {
  const std::string root = testing::debian_kernel_root("6.12");
  TempDir dir;
  const std::string config = dir.file("vmcap.conf");
  write_whole_file(config, "failure_action = shell\ndeadline = soon\n[destination d]\nurl = file:///var/crash\n", 0600);
  const std::string image = dir.file("initrd.img");
  const std::string mk_cmd = std::string(VMCAP_BINARY) + " mkinitramfs --config " + shell_quoted(config) +
                             " --vmcap " + shell_quoted(VMCAP_INIT_BINARY) + " --compress none -o " + shell_quoted(image);
  auto refused = run_command(mk_cmd);
  EXPECT_EQ(refused.status, 2) << refused.output;
  EXPECT_NE(refused.output.find(":2:"), std::string::npos) << refused.output;
  auto mk = run_command(mk_cmd + " --force");
  ASSERT_EQ(mk.status, 0) << mk.output;

  const std::string console = dir.file("console.log");
  auto q = boot(root, image, console);
  std::string log = read_whole_file(console);
  EXPECT_EQ(q.status, 0) << q.output << "\n" << log;
  EXPECT_EQ(log.find("Kernel panic"), std::string::npos) << log;
  EXPECT_NE(log.find("init: config: /etc/vmcap.conf:2:"), std::string::npos) << log;
  EXPECT_NE(log.find("network: no [network] section"), std::string::npos) << log;
  EXPECT_NE(log.find("no /proc/vmcore"), std::string::npos) << log;
  EXPECT_NE(log.find("this image has no shell; rebooting instead"), std::string::npos) << log;
  EXPECT_NE(log.find("reboot: Restarting system"), std::string::npos) << log;
}

}  // namespace
}  // namespace vmcap
