// vmcap arm, status and estimate over a machine made in the test (a root folder with /boot,
// /proc and /sys): the plan (capture line, cached image path), what a dry run says, the
// refusals (no reservation, too small), and status (not armed, current, stale with what
// changed). Nothing here reaches kexec_file_load: every run that could is a dry run or is
// refused before loading (the real loads are the QEMU tests').
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/utsname.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "arm/load/arm_record.h"
#include "arm/load/arming.h"
#include "arm/load/load_method.h"
#include "arm/load/pstore_order.h"
#include "arm/load/tool_kallsyms.h"
#include "tests/initramfs/archive_tools.h"
#include "tests/support/progress_console.h"
#include "tests/support/temp_dir.h"

namespace vmcap::arm {
namespace {

using testing::TempDir;

// Makes the file's folders first.
void write_whole_file(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  testing::write_whole_file(path, bytes);
}

std::string release() {
  struct utsname u {};
  ::uname(&u);
  return u.release;
}

// A bzImage's first 64 KiB as Debian 6.1's begins: protocol 2.15, 64-bit, above 4 GiB.
std::string bzimage() {
  std::string b(64 << 10, '\0');
  auto put = [&](size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
  };
  b[0x1f1] = 39;
  put(0x1fe, 0xaa55, 2);
  b.replace(0x202, 4, "HdrS");
  put(0x206, 0x020f, 2);
  b[0x211] = 1;
  put(0x230, 0x200000, 4);
  b[0x234] = 1;
  put(0x236, 0x7f, 2);
  put(0x238, 2047, 4);
  put(0x260, 66678784, 4);
  return b;
}

struct Machine {
  TempDir dir;
  std::string root = dir.path() + "/root";
  std::string config = dir.file("vmcap.conf");
  ArmOptions options;
  Machine(uint64_t reservation = 192u << 20, bool loaded = false) {
    write_whole_file(root + "/boot/vmlinuz-" + release(), bzimage());
    write_whole_file(root + "/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro quiet crashkernel=192M console=ttyS0\n");
    write_whole_file(root + "/proc/meminfo", "MemTotal:        1015000 kB\n");
    write_whole_file(root + "/sys/kernel/kexec_crash_size", std::to_string(reservation) + "\n");
    write_whole_file(root + "/sys/kernel/kexec_crash_loaded", loaded ? "1\n" : "0\n");
    write_whole_file(config, "final_action = reboot\n[arm]\nremove = panic\n[destination disk]\nurl = file:///var/crash\n");
    options.config_path = config;
    options.root = root;
    options.vmcap_binary = "/sbin/ldconfig";  // a static executable, as /init must be
    options.state_dir = dir.path() + "/var/lib/vmcap";
    options.run_dir = dir.path() + "/run/vmcap";
    options.kexec_tool = "";
  }
};

using Console = testing::ProgressConsole;

// What arm records after loading PLAN's image (arm_record.h), for tests that start armed.
ArmRecord loaded_record(const ArmPlan& plan) {
  return ArmRecord{plan.kernel, plan.initrd, "", plan.cmdline.line(), "kexec_file_load", "2026-12-06T23:00:00Z", "t",
                   plan.key};
}

TEST(ArmPlan, TheCaptureLineAndTheCachedImage) {
  Machine m;
  auto plan = plan_arm(m.options);
  ASSERT_TRUE(plan) << plan.error().message();
  const std::string line = plan->cmdline.line();
  EXPECT_EQ(line.find("crashkernel"), std::string::npos) << line;
  EXPECT_EQ(line.find("root="), std::string::npos) << line;
  EXPECT_EQ(line.find("quiet"), std::string::npos) << line;
  EXPECT_NE(line.find("console=ttyS0"), std::string::npos) << line;
  EXPECT_NE(line.find("irqpoll nr_cpus=1 reset_devices"), std::string::npos) << line;
  EXPECT_EQ(line.find("panic="), std::string::npos) << "[arm] remove = panic: " << line;
  EXPECT_EQ(plan->initrd, cached_image_path(m.options.state_dir, release(), plan->key.key));
  ASSERT_TRUE(plan->kernel_file.bzimage);
  EXPECT_EQ(plan->kernel_file.bzimage->cmdline_size, 2047u);
}

TEST(ArmPlan, AMissingKernelIsNamedWithTheWayOut) {
  Machine m;
  m.options.kernel = m.dir.file("nope");
  auto plan = plan_arm(m.options);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().file, m.dir.file("nope"));
}

TEST(Arm, ADryRunSaysWhatItWouldLoadAndBuildsNothing) {
  Machine m;
  Console c;
  EXPECT_EQ(run_arm([&] { auto o = m.options; o.dry_run = true; return o; }(), c.progress), kArmOk) << c.str();
  EXPECT_NE(c.str().find("cmdline: dropped crashkernel=192M"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("dry run: would load"), std::string::npos) << c.str();
  EXPECT_FALSE(std::filesystem::exists(m.options.state_dir)) << "a dry run builds nothing";
}

// What a kernel hook runs for a kernel not yet booted: the image is built once, found the
// second time, and nothing is loaded (even without a reservation).
TEST(Arm, BuildOnlyBuildsTheImageOnceAndLoadsNothing) {
  Machine m(0);
  auto o = m.options;
  o.build_only = true;
  {
    Console c;
    EXPECT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
    EXPECT_NE(c.str().find("image: built "), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("nothing loaded (--build-only)"), std::string::npos) << c.str();
  }
  Console c;
  EXPECT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
  EXPECT_NE(c.str().find(": up to date (key "), std::string::npos) << c.str();
  auto plan = plan_arm(o);
  ASSERT_TRUE(plan);
  EXPECT_TRUE(std::filesystem::exists(plan->initrd));
  EXPECT_FALSE(std::filesystem::exists(arm_record_path(o))) << "nothing was loaded, nothing recorded";
}

// A broken /etc/vmcap.conf at boot: the machine is armed with what parsed (the capture
// kernel's rules) and every problem is said with its line; an unarmed machine loses the crash.
TEST(Arm, ABrokenConfigIsArmedWithWhatParsedAndEachProblemSaid) {
  Machine m(0);
  write_whole_file(m.config, "final_action = reboot\ndump_levle = 31\n[destination web]\nurl = htp://x/y\n"
                             "[destination disk]\nurl = file:///var/crash\n");
  auto o = m.options;
  o.build_only = true;
  Console c;
  EXPECT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
  EXPECT_NE(c.str().find("config: " + m.config + ":2: "), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("dump_level"), std::string::npos) << "the did-you-mean: " << c.str();
  EXPECT_NE(c.str().find("config: " + m.config + ":4: "), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("has 2 problem(s): arming with what parsed"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("systemctl reload vmcap-arm"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("image: built "), std::string::npos) << c.str();
  Console s;
  EXPECT_EQ(run_status(m.options, false, s.progress), kNotArmed) << s.str();
  EXPECT_NE(s.str().find("config: " + m.config + " has 2 problem(s): the capture uses what parsed"), std::string::npos)
      << s.str();
}

// A new image replaces the release's older ones only once it is loaded (or, by a kernel
// hook, built): the one still loaded stays, so that a refused load can load it again.
TEST(Arm, TheLoadedImageIsKeptUntilANewOneIsLoaded) {
  Machine m(192u << 20, /*loaded=*/true);
  auto o = m.options;
  o.build_only = true;
  {
    Console c;
    ASSERT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
  }
  auto first = plan_arm(o);
  ASSERT_TRUE(first);
  ASSERT_TRUE(write_arm_record(arm_record_path(o), loaded_record(*first)));
  write_whole_file(m.config, "final_action = poweroff\n[destination disk]\nurl = file:///var/crash\n");
  {
    Console c;
    ASSERT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
  }
  auto second = plan_arm(o);
  ASSERT_TRUE(second);
  EXPECT_NE(second->initrd, first->initrd);
  EXPECT_TRUE(std::filesystem::exists(second->initrd));
  EXPECT_TRUE(std::filesystem::exists(first->initrd)) << "still loaded: kept";
  // Once nothing loaded names it, the next build removes it.
  std::filesystem::remove(arm_record_path(o));
  write_whole_file(m.config, "final_action = halt\n[destination disk]\nurl = file:///var/crash\n");
  Console c;
  ASSERT_EQ(run_arm(o, c.progress), kArmOk) << c.str();
  EXPECT_FALSE(std::filesystem::exists(first->initrd));
  EXPECT_FALSE(std::filesystem::exists(second->initrd));
}

TEST(Arm, NoReservationIsRefusedWithTheLineToAdd) {
  Machine m(0);
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kCannotArm);
  EXPECT_NE(c.str().find("add crashkernel= to GRUB_CMDLINE_LINUX in a file under /etc/default/grub.d/"),
            std::string::npos) << c.str();
}

TEST(Arm, AReservationTooSmallIsRefusedWithTheNumbersAndNothingLoaded) {
  Machine m(32u << 20);
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kCannotArm) << c.str();
  EXPECT_NE(c.str().find("the reservation (32.0 MiB, /sys/kernel/kexec_crash_size) is smaller than the"),
            std::string::npos) << c.str();
  EXPECT_NE(c.str().find("nothing was loaded"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("estimate: kernel 63.6 MiB"), std::string::npos) << c.str();
  EXPECT_EQ(c.str().find("load:"), std::string::npos) << c.str();
  if (std::getenv("VMCAP_TEST_VERBOSE")) std::fprintf(stderr, "%s", c.str().c_str());
}

// Bad input: each refused with the file named and what is wrong, nothing loaded.
TEST(Arm, AnUnreadableConfigIsNamed) {
  Machine m;
  m.options.config_path = m.dir.file("missing.conf");
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kArmBadInput) << c.str();
  EXPECT_NE(c.str().find("arm: " + m.dir.file("missing.conf") + ": "), std::string::npos) << c.str();
}

TEST(Arm, AModuleTreeThatDoesNotMatchTheKernelIsNamed) {
  Machine m;
  // The NIC's module named, but the root holds no lib/modules for the running release.
  write_whole_file(m.config, "[network]\nmodules = virtio_net\n[destination d]\nurl = http://10.0.2.2/x\n");
  write_whole_file(m.root + "/lib/modules/0.0.0-other/modules.dep", "kernel/drivers/net/virtio_net.ko:\n");
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kArmBadInput) << c.str();
  EXPECT_NE(c.str().find("holds 0.0.0-other, not " + release()), std::string::npos) << c.str();
  EXPECT_EQ(c.str().find("load:"), std::string::npos) << c.str();
}

TEST(Arm, AFullStateFolderIsSaidAndLeavesNoPartImage) {
  Machine m;
  const std::string state = m.dir.path() + "/full";
  std::filesystem::create_directories(state);
  if (::mount("tmpfs", state.c_str(), "tmpfs", 0, "size=64k,mode=0755") != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (not root)";
  m.options.state_dir = state;
  Console c;
  int status = run_arm(m.options, c.progress);
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::recursive_directory_iterator(state))
    if (e.is_regular_file()) left.push_back(e.path());
  ::umount2(state.c_str(), MNT_DETACH);
  EXPECT_EQ(status, kArmBadInput) << c.str();
  EXPECT_NE(c.str().find("No space left on device"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find(state + "/images/"), std::string::npos) << c.str();
  EXPECT_TRUE(left.empty()) << left.front();
  EXPECT_EQ(c.str().find("load:"), std::string::npos) << c.str();
}

TEST(Status, NotArmedIsThree) {
  Machine m;
  Console c;
  EXPECT_EQ(run_status(m.options, false, c.progress), kNotArmed) << c.str();
  EXPECT_NE(c.str().find("status: not armed"), std::string::npos) << c.str();
}

TEST(Status, ArmedByVmcapIsCurrentUntilTheConfigChanges) {
  Machine m(192u << 20, /*loaded=*/true);
  auto plan = plan_arm(m.options);
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_TRUE(write_arm_record(arm_record_path(m.options), loaded_record(*plan)));
  {
    Console c;
    EXPECT_EQ(run_status(m.options, false, c.progress), kArmOk) << c.str();
    EXPECT_NE(c.str().find("status: armed and current"), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("estimate: vmcap estimate measures it (no image built yet)"), std::string::npos) << c.str();
  }
  {
    // With the image built, status gives the estimate for it.
    auto o = m.options;
    o.build_only = true;
    Console b;
    ASSERT_EQ(run_arm(o, b.progress), kArmOk) << b.str();
    Console c;
    EXPECT_EQ(run_status(m.options, false, c.progress), kArmOk) << c.str();
    EXPECT_NE(c.str().find("estimate: minimum "), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("recommended crashkernel="), std::string::npos) << c.str();
  }
  write_whole_file(m.config, "final_action = poweroff\n[arm]\nremove = panic\n[destination disk]\nurl = file:///var/crash\n");
  Console c;
  EXPECT_EQ(run_status(m.options, false, c.progress), kArmedStale) << c.str();
  EXPECT_NE(c.str().find("changed: config " + m.config), std::string::npos) << c.str();
}

TEST(Status, ArmedByAnotherToolIsStale) {
  Machine m(192u << 20, /*loaded=*/true);
  Console c;
  EXPECT_EQ(run_status(m.options, false, c.progress), kArmedStale) << c.str();
  EXPECT_NE(c.str().find("not by vmcap arm"), std::string::npos) << c.str();
}

TEST(Estimate, PrintsTheParameterAndHowItWasFound) {
  Machine m;
  Console c;
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  int status = run_estimate(m.options, c.progress);
  std::cout.rdbuf(old);
  EXPECT_EQ(status, kArmOk) << c.str();
  EXPECT_TRUE(out.str().starts_with("crashkernel=")) << out.str();
  EXPECT_NE(c.str().find("advice: to set it: /etc/default/grub.d/vmcap.cfg"), std::string::npos) << c.str();
  EXPECT_FALSE(std::filesystem::exists(m.options.state_dir + "/images")) << "estimate keeps no image";
}

// An arm64 Image's first 4 KiB as Debian's 6.1.0-50-arm64 begins: image_size 0x2010000, 4K
// pages, the PE header's BaseOfCode (_stext's offset) 0x10000.
std::string arm64_image() {
  std::string b(4096, '\0');
  auto put = [&](size_t at, uint64_t v, unsigned n) {
    for (unsigned i = 0; i < n; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
  };
  b.replace(0, 2, "MZ");
  put(0x10, 0x2010000, 8);
  put(0x18, 0xa, 8);
  b.replace(0x38, 4, "ARM\x64");
  put(0x3c, 0x40, 4);
  b.replace(0x40, 4, std::string("PE\0\0", 4));
  put(0x58, 0x20b, 2);
  put(0x58 + 20, 0x10000, 4);
  return b;
}

// An arm64 machine as Debian's: the running kernel an Image, built without kexec_file_load.
struct Arm64Machine : Machine {
  explicit Arm64Machine(uint64_t reservation = 256u << 20) : Machine(reservation) {
    write_whole_file(root + "/boot/vmlinuz-" + release(), arm64_image());
    write_whole_file(root + "/boot/config-" + release(), "CONFIG_ARM64=y\nCONFIG_KEXEC=y\n# CONFIG_KEXEC_FILE is not set\n");
    write_whole_file(root + "/proc/cmdline", "BOOT_IMAGE=/boot/vmlinuz root=/dev/vda ro quiet crashkernel=256M console=ttyAMA0\n");
    options.machine = KernelMachine::Arm64;
  }
};

// The method and why, from the running kernel's config: kexec_file_load where it is built in
// (Debian's amd64 kernels), and an honest "don't know" without a config.
TEST(LoadMethod, FromTheRunningKernelsConfig) {
  Machine m;
  auto unknown = choose_load_method(m.root, "vmcap-no-such-kexec");
  EXPECT_FALSE(unknown.kexec_file);
  EXPECT_FALSE(unknown.cannot_load()) << "kexec_file_load may be there: it is tried first";
  EXPECT_EQ(unknown.text(), "kexec_file_load, else kexec -p when the kernel has none (no kernel config to tell which; "
                            "no vmcap-no-such-kexec program installed (apt install kexec-tools))");
  write_whole_file(m.root + "/boot/config-" + release(), "CONFIG_KEXEC=y\nCONFIG_KEXEC_FILE=y\n");
  auto file = choose_load_method(m.root, "kexec");
  EXPECT_EQ(file.kexec_file, true);
  EXPECT_TRUE(file.text().starts_with("kexec_file_load: the running kernel has it (CONFIG_KEXEC_FILE=y in " + m.root +
                                      "/boot/config-"))
      << file.text();
  write_whole_file(m.root + "/boot/config-" + release(), "CONFIG_KEXEC=y\n# CONFIG_KEXEC_FILE is not set\n");
  auto tool = choose_load_method(m.root, "vmcap-no-such-kexec");
  EXPECT_EQ(tool.kexec_file, false);
  EXPECT_TRUE(tool.cannot_load());
}

TEST(ArmArm64, ThePlanSaysTheImageAndThatKexecPLoadsIt) {
  Arm64Machine m;
  m.options.kexec_tool = "/bin/true";  // a kexec program that is installed
  auto plan = plan_arm(m.options);
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_TRUE(plan->kernel_file.arm64);
  EXPECT_EQ(plan->kernel_file.boot_memory_bytes(), 0x2010000u + (6u << 20));
  EXPECT_EQ(plan->method.kexec_file, false);
  EXPECT_NE(plan->cmdline.line().find("console=ttyAMA0"), std::string::npos) << plan->cmdline.line();
  Console c;
  EXPECT_EQ(run_arm([&] { auto o = m.options; o.dry_run = true; return o; }(), c.progress), kArmOk) << c.str();
  EXPECT_NE(c.str().find("(arm64 Image, 4K pages, image_size 32.1 MiB)"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("method: kexec -p: the running kernel is built without kexec_file_load (CONFIG_KEXEC_FILE "
                         "is not set in " + m.root + "/boot/config-" + release() + ", as in Debian's arm64 kernels), "
                         "so kexec-tools' /bin/true loads it with kexec_load"),
            std::string::npos)
      << c.str();
}

TEST(ArmArm64, WithoutKexecToolsItIsRefusedWithWhatToInstall) {
  Arm64Machine m;
  m.options.kexec_tool = "vmcap-no-such-kexec";
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kCannotArm) << c.str();
  EXPECT_NE(c.str().find("no vmcap-no-such-kexec program is installed to load with kexec -p instead: apt install "
                         "kexec-tools"),
            std::string::npos)
      << c.str();
  EXPECT_FALSE(std::filesystem::exists(m.options.state_dir + "/images")) << "refused before building";
}

TEST(ArmArm64, TheEstimateCountsTheImagesSize) {
  Arm64Machine m;
  Console c;
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  int status = run_estimate(m.options, c.progress);
  std::cout.rdbuf(old);
  EXPECT_EQ(status, kArmOk) << c.str();
  EXPECT_NE(c.str().find("estimate: kernel 38.1 MiB: image_size of the capture kernel's arm64 Image + 6 MiB it "
                         "reserves at boot beside it: 38.1 MiB"),
            std::string::npos)
      << c.str();

}

TEST(ArmArm64, AnX86KernelIsRefused) {
  Arm64Machine m;
  write_whole_file(m.root + "/boot/vmlinuz-" + release(), bzimage());
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kArmBadInput) << c.str();
  EXPECT_NE(c.str().find("an x86 bzImage, not an arm64 Image"), std::string::npos) << c.str();
}

// kexec -p's kallsyms (tool_kallsyms.h): written only when the kernel's has no _text, with
// _text from _stext and the running Image's offset.
TEST(ToolKallsyms, WrittenWhenTheKernelsHasNoText) {
  Arm64Machine m;
  write_whole_file(m.root + "/proc/kallsyms",
                   "ffffa8d6e6a10000 T _stext\nffffa8d6e6a10000 t __do_softirq\nffffa8d6e8140000 T __init_begin\n");
  auto k = prepare_tool_kallsyms(m.root, m.options.run_dir);
  ASSERT_TRUE(k) << k.error().message();
  ASSERT_EQ(k->binds.size(), 1u);
  EXPECT_EQ(k->binds[0].target, "/proc/kallsyms");
  EXPECT_EQ(testing::read_whole_file(k->binds[0].source),
            "ffffa8d6e6a00000 T _text\nffffa8d6e6a10000 T _stext\nffffa8d6e8140000 T __init_begin\n");
  EXPECT_NE(k->note.find("_text = _stext - 0x10000"), std::string::npos) << k->note;

  write_whole_file(m.root + "/proc/kallsyms", "ffff800080000000 T _text\nffff800080010000 T _stext\n");
  k = prepare_tool_kallsyms(m.root, m.options.run_dir);
  ASSERT_TRUE(k) << k.error().message();
  EXPECT_TRUE(k->binds.empty());

  // No running Image to say where _stext lies: said, with why.
  write_whole_file(m.root + "/proc/kallsyms", "ffffa8d6e6a10000 T _stext\nffffa8d6e8140000 T __init_begin\n");
  std::filesystem::remove(m.root + "/boot/vmlinuz-" + release());
  k = prepare_tool_kallsyms(m.root, m.options.run_dir);
  ASSERT_FALSE(k);
  EXPECT_NE(k.error().message().find("does not say where _stext lies"), std::string::npos) << k.error().message();
}

TEST(StatusArm64, SaysTheMethodAndWhy) {
  Arm64Machine m;
  m.options.kexec_tool = "/bin/true";
  {
    Console c;
    EXPECT_EQ(run_status(m.options, false, c.progress), kNotArmed) << c.str();
    EXPECT_NE(c.str().find("method: kexec -p: the running kernel is built without kexec_file_load"), std::string::npos)
        << c.str();
  }
  Console c;
  std::ostringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  run_status(m.options, true, c.progress);
  std::cout.rdbuf(old);
  EXPECT_NE(out.str().find("\"load_method\": {"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"method\": \"kexec -p\""), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("\"kexec_tool\": \"/bin/true\""), std::string::npos) << out.str();
}

// setup-crashkernel: without --apply it only prints the snippet; with it, writes the
// snippet under the root and runs the boot loader's update (here `true`, and a missing one).
TEST(SetupCrashkernel, PrintsThenWritesTheGrubSnippet) {
  Machine m;
  write_whole_file(m.root + "/etc/default/grub.d/kdump-tools.cfg",
                   "GRUB_CMDLINE_LINUX_DEFAULT=\"$GRUB_CMDLINE_LINUX_DEFAULT crashkernel=384M-:128M\"\n");
  const std::string snippet = m.root + "/etc/default/grub.d/vmcap.cfg";
  {
    Console c;
    std::ostringstream out;
    auto* old = std::cout.rdbuf(out.rdbuf());
    int status = run_setup_crashkernel(m.options, false, "true", c.progress);
    std::cout.rdbuf(old);
    EXPECT_EQ(status, kArmOk) << c.str();
    EXPECT_NE(out.str().find("GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX crashkernel="), std::string::npos) << out.str();
    EXPECT_NE(c.str().find("kdump-tools.cfg:1 also sets crashkernel="), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("would win; remove it"), std::string::npos) << c.str();
    EXPECT_FALSE(std::filesystem::exists(snippet)) << "nothing written without --apply";
  }
  {
    Console c;
    EXPECT_EQ(run_setup_crashkernel(m.options, true, "true", c.progress), kArmOk) << c.str();
    EXPECT_NE(c.str().find("setup: wrote " + snippet), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("true done: reboot to reserve crashkernel="), std::string::npos) << c.str();
    EXPECT_NE(testing::read_whole_file(snippet).find("crashkernel="), std::string::npos);
  }
  Console c;
  EXPECT_EQ(run_setup_crashkernel(m.options, true, "vmcap-no-such-update-grub", c.progress), kArmFailed) << c.str();
  EXPECT_NE(c.str().find("could not run: the boot loader still has the old line"), std::string::npos) << c.str();
}

}  // namespace
}  // namespace vmcap::arm

namespace vmcap::arm {
namespace {

// pstore = yes: crash_kexec_post_notifiers (a kernel bool parameter, "Y"/"N" in sysfs).
TEST(PstoreOrder, ReadsTheParameterAndTheBackend) {
  Machine m;
  EXPECT_FALSE(read_pstore_order(m.root).post_notifiers.has_value()) << "absent: unknown";
  write_whole_file(m.root + kPostNotifiersPath, "N\n");
  write_whole_file(m.root + kPstoreBackendPath, "(null)\n");
  auto o = read_pstore_order(m.root);
  ASSERT_TRUE(o.post_notifiers.has_value());
  EXPECT_FALSE(*o.post_notifiers.value);
  ASSERT_TRUE(o.backend.has_value());
  EXPECT_EQ(*o.backend.value, "");
  EXPECT_NE(pstore_order_text(o).find("no pstore backend registered"), std::string::npos) << pstore_order_text(o);
  write_whole_file(m.root + kPostNotifiersPath, "maybe\n");
  EXPECT_NE(read_pstore_order(m.root).post_notifiers.unknown.find("not Y or N: 'maybe'"), std::string::npos);
  ASSERT_TRUE(enable_post_notifiers(m.root));
  o = read_pstore_order(m.root);
  ASSERT_TRUE(o.post_notifiers.has_value());
  EXPECT_TRUE(*o.post_notifiers.value);
}

TEST(PstoreOrder, ArmTurnsItOnAndStatusSaysSo) {
  Machine m(192u << 20, /*loaded=*/true);
  write_whole_file(m.config, "pstore = yes\n[destination disk]\nurl = file:///var/crash\n");
  write_whole_file(m.root + kPostNotifiersPath, "N\n");
  write_whole_file(m.root + kPstoreBackendPath, "ramoops\n");
  {
    Console c;
    EXPECT_EQ(run_status(m.options, false, c.progress), kArmedStale) << c.str();
    EXPECT_NE(c.str().find("pstore: crash_kexec_post_notifiers off"), std::string::npos) << c.str();
    EXPECT_NE(c.str().find("(pstore = yes, but it is off: vmcap arm turns it on)"), std::string::npos) << c.str();
  }
  // Armed and current (built, loaded, recorded): arm loads nothing but still sets the order.
  auto o = m.options;
  o.build_only = true;
  Console b;
  ASSERT_EQ(run_arm(o, b.progress), kArmOk) << b.str();
  auto plan = plan_arm(m.options);
  ASSERT_TRUE(plan) << plan.error().message();
  ASSERT_TRUE(write_arm_record(arm_record_path(m.options), loaded_record(*plan)));
  Console c;
  EXPECT_EQ(run_arm(m.options, c.progress), kArmOk) << c.str();
  EXPECT_NE(c.str().find("armed and current since"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("pstore: turned on (pstore = yes): crash_kexec_post_notifiers on"), std::string::npos) << c.str();
  EXPECT_NE(c.str().find("pstore backend ramoops"), std::string::npos) << c.str();
  Console s;
  EXPECT_EQ(run_status(m.options, false, s.progress), kArmOk) << s.str();
  EXPECT_NE(s.str().find("pstore: crash_kexec_post_notifiers on: a panic writes the log to pstore"), std::string::npos)
      << s.str();
}

}  // namespace
}  // namespace vmcap::arm
