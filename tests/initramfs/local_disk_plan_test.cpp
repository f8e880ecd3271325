// The local disks of file:// destinations over a machine made in the test (a root folder with
// /proc/self/mountinfo, /sys and /dev, the disks' superblocks as files), as `vmcap
// mkinitramfs` and `vmcap arm` see them: the block device's drivers from sysfs, the plan
// (what is mounted, what stays in RAM and why), the modules against a module tree with
// modules.softdep, the image that carries /etc/vmcap-mounts, and /init's device scan.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "capture/config/config_parser.h"
#include "initramfs/block_drivers.h"
#include "initramfs/image_builder.h"
#include "initramfs/local_disk.h"
#include "initramfs/local_disk_plan.h"
#include "tests/arm/machine/fake_root.h"
#include "tests/initramfs/archive_tools.h"
#include "tests/initramfs/superblocks.h"

namespace vmcap::initramfs {
namespace {

using testing::FakeRoot;
using testing::kUuidText;

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

// A driver link for DEVICE (under /sys/devices) to BUS's DRIVER, with a module link unless
// MODULE is empty (built in). Links are relative, as sysfs makes them.
void driver(const FakeRoot& m, const std::string& device, const std::string& bus, const std::string& drv,
            const std::string& module) {
  std::string up;  // from DEVICE back to /sys
  for (size_t i = 0, n = std::count(device.begin(), device.end(), '/') - 1; i < n; ++i) up += "../";
  m.mkdir("/sys/bus/" + bus + "/drivers/" + drv);
  m.link(device + "/driver", up + "bus/" + bus + "/drivers/" + drv);
  m.link(device + "/subsystem", up + "bus/" + bus);
  if (!module.empty()) {
    m.mkdir("/sys/module/" + module);
    if (!std::filesystem::exists(m.root() + "/sys/bus/" + bus + "/drivers/" + drv + "/module"))
      m.link("/sys/bus/" + bus + "/drivers/" + drv + "/module", "../../../../module/" + module);
  }
}

// A block device's sysfs entries: /sys/dev/block/MAJ:MIN and /sys/class/block/NAME linking to
// DIR (under /sys/devices), its dev, size and uevent files.
void block(const FakeRoot& m, const std::string& dir, const std::string& majmin, bool partition) {
  const std::string name = dir.substr(dir.rfind('/') + 1);
  m.put(dir + "/dev", majmin + "\n");
  m.put(dir + "/size", "16384\n");
  m.put(dir + "/uevent", "MAJOR=" + majmin.substr(0, majmin.find(':')) + "\nDEVNAME=" + name + "\n");
  if (partition) m.put(dir + "/partition", "1\n");
  m.link("/sys/dev/block/" + majmin, "../.." + dir.substr(4));
  m.link("/sys/class/block/" + name, "../.." + dir.substr(4));
}

// A QEMU guest: / on ext4 /dev/vda1 (virtio, PCI), /var/crash on xfs /dev/nvme0n1 (NVMe,
// built-in PCI), /srv on a device-mapper volume, /run a tmpfs, /home over NFS, /data a btrfs
// subvolume on /dev/vdb (its UUID only in /dev/disk/by-uuid: the node cannot be read).
struct Machine {
  FakeRoot m;
  const std::string virtio = "/sys/devices/pci0000:00/0000:00:04.0";
  const std::string nvme = "/sys/devices/pci0000:00/0000:00:05.0";
  Machine() {
    m.put("/proc/self/mountinfo",
          "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
          "25 22 0:23 / /run rw,nosuid shared:5 - tmpfs tmpfs rw\n"
          "30 22 259:0 / /var/crash rw,relatime shared:20 - xfs /dev/nvme0n1 rw\n"
          "31 22 253:0 / /srv rw,relatime shared:21 - ext4 /dev/mapper/vg-srv rw\n"
          "32 22 0:45 / /home rw,relatime shared:30 - nfs4 srv:/export/home rw\n"
          "33 22 0:50 /@data /data rw,relatime shared:31 - btrfs /dev/vdb rw,subvol=/@data\n"
          "34 22 254:1 / /mnt/with\\040space rw - ext4 /dev/vda1 rw\n");
    block(m, virtio + "/virtio1/block/vda", "254:0", false);
    block(m, virtio + "/virtio1/block/vda/vda1", "254:1", true);
    driver(m, virtio + "/virtio1", "virtio", "virtio_blk", "virtio_blk");
    driver(m, virtio, "pci", "virtio-pci", "virtio_pci");
    block(m, nvme + "/nvme/nvme0/nvme0n1", "259:0", false);
    driver(m, nvme, "pci", "nvme", "nvme");
    block(m, "/sys/devices/virtual/block/dm-0", "253:0", false);
    m.put("/dev/vda", std::string(64 << 10, '\0'));
    m.put("/dev/vda1", testing::ext_image());
    m.put("/dev/nvme0n1", testing::xfs_image());
    m.mkdir("/var");
    m.mkdir("/srv");
    m.mkdir("/data");
  }
  config::Config config(const std::string& text) const {
    auto parsed = config::parse_config(text, "vmcap.conf");
    EXPECT_TRUE(parsed.problems.empty()) << parsed.problems.front().message;
    return parsed.config;
  }
};

TEST(BlockDevice, APartitionOfAVirtioDiskNeedsTheBusAndTheDiskDriver) {
  Machine x;
  auto dev = block_device(254, 1, x.m.root());
  ASSERT_TRUE(dev) << dev.error().message();
  EXPECT_EQ(dev->name, "vda1");
  EXPECT_EQ(dev->devname, "vda1");
  EXPECT_TRUE(dev->partition);
  EXPECT_EQ(dev->disk, "vda");
  EXPECT_FALSE(dev->is_virtual);
  ASSERT_EQ(dev->drivers.size(), 2u);
  EXPECT_EQ(dev->drivers[0].device, "virtio1");
  EXPECT_EQ(dev->drivers[0].module, "virtio_blk");
  EXPECT_EQ(dev->drivers[0].how, "/sys/devices/pci0000:00/0000:00:04.0/virtio1/driver/module -> virtio_blk");
  EXPECT_EQ(dev->drivers[1].driver, "virtio-pci");
  EXPECT_EQ(dev->modules(), (std::vector<std::string>{"virtio_pci", "virtio_blk"}));
}

TEST(BlockDevice, NvmeDeviceMapperAndNone) {
  Machine x;
  auto nvme = block_device(259, 0, x.m.root());
  ASSERT_TRUE(nvme);
  EXPECT_FALSE(nvme->partition);
  EXPECT_EQ(nvme->modules(), (std::vector<std::string>{"nvme"}));
  auto dm = block_device(253, 0, x.m.root());
  ASSERT_TRUE(dm);
  EXPECT_TRUE(dm->is_virtual);
  EXPECT_TRUE(dm->drivers.empty());
  auto none = block_device(8, 0, x.m.root());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind, ErrorKind::Missing);
  EXPECT_EQ(none.error().file, "/sys/dev/block/8:0");
}

TEST(LocalDiskPlan, FileDestinationsAndTheFallbackOnDisks) {
  Machine x;
  auto plan = plan_local_disks(x.config("fallback_path = /var/lib/vmcap/fallback\n"
                                        "[destination disk]\nurl = file:///var/crash\n"
                                        "[destination again]\nurl = file:///var/crash/./\n"),
                               x.m.root());
  EXPECT_TRUE(plan.warnings.empty()) << joined(plan.warnings);
  ASSERT_EQ(plan.mounts.size(), 2u) << "the two spellings of /var/crash are one path";
  EXPECT_EQ(plan.mounts[0], (DiskMount{kUuidText, "xfs", "/", "/var/crash"}));
  // /var/lib/vmcap/fallback does not exist yet: the nearest existing ancestor is /var.
  EXPECT_EQ(plan.mounts[1], (DiskMount{kUuidText, "ext4", "/var/lib/vmcap/fallback", "/var/lib/vmcap/fallback"}));
  ASSERT_EQ(plan.found.size(), 2u);
  EXPECT_NE(plan.found[0].find("file:///var/crash ([destination disk]): xfs UUID=" + std::string(kUuidText) +
                               " (from its superblock) on /dev/nvme0n1 (259:0)"),
            std::string::npos)
      << plan.found[0];
  EXPECT_NE(plan.found[1].find("drivers virtio_pci, virtio_blk"), std::string::npos) << plan.found[1];
  std::vector<std::vector<std::string>> needs;
  for (const auto& n : plan.modules) needs.push_back(n.names);
  EXPECT_EQ(needs, (std::vector<std::vector<std::string>>{
                       {"nvme"}, {"fs-xfs", "xfs"}, {"virtio_pci"}, {"virtio_blk"}, {"fs-ext4", "ext4"}}));
}

TEST(LocalDiskPlan, WhatStaysInRamIsSaidWithWhy) {
  Machine x;
  auto plan = plan_local_disks(x.config("fallback_path = /run/crash\n"
                                        "[destination nfs]\nurl = file:///home/crash\n"
                                        "[destination dm]\nurl = file:///srv/crash\n"),
                               x.m.root());
  EXPECT_TRUE(plan.mounts.empty());
  ASSERT_EQ(plan.warnings.size(), 3u) << joined(plan.warnings);
  EXPECT_EQ(plan.warnings[0],
            "file:///home/crash ([destination nfs]) is on nfs4 (srv:/export/home at /home), which vmcap's /init does "
            "not mount (an sftp:// or http:// destination reaches a server from the capture kernel): in the capture "
            "kernel it is RAM, lost at reboot");
  EXPECT_NE(plan.warnings[1].find("/dev/dm-0 (253:0), a device-mapper, md RAID or loop device"), std::string::npos)
      << plan.warnings[1];
  EXPECT_EQ(plan.warnings[2], "fallback_path /run/crash is on tmpfs: in the capture kernel it is RAM, lost at reboot");
}

TEST(LocalDiskPlan, EscapedMountPointsAndSymlinkedPaths) {
  Machine x;
  x.m.mkdir("/mnt/with space/dumps");
  x.m.link("/var/dumps", "../mnt/with space/dumps");  // /var/dumps -> the ext4 mount's dumps
  auto plan = plan_local_disks(x.config("fallback_path = none\n[destination d]\nurl = file:///var/dumps/new\n"),
                               x.m.root());
  ASSERT_EQ(plan.mounts.size(), 1u) << joined(plan.warnings);
  // Bound where the capture writes, /var/dumps/new: the capture kernel has no such symlink.
  EXPECT_EQ(plan.mounts[0], (DiskMount{kUuidText, "ext4", "/dumps/new", "/var/dumps/new"}));
  EXPECT_NE(plan.found[0].find("/dumps/new inside it (/var/dumps/new leads there)"), std::string::npos) << plan.found[0];
}

// btrfs' MAJ:MIN in mountinfo is an anonymous 0:N: the device is the mount's source, which
// must be a block device node (made here with mknod; its number is no disk of this machine,
// so reading it fails and the UUID comes from /dev/disk/by-uuid, as for another user).
TEST(LocalDiskPlan, ABtrfsSubvolumeFoundThroughItsSource) {
  Machine x;
  auto none = plan_local_disks(x.config("fallback_path = none\n[destination d]\nurl = file:///data/crash\n"),
                               x.m.root());
  ASSERT_EQ(none.warnings.size(), 1u);
  EXPECT_NE(none.warnings[0].find("is on btrfs (/dev/vdb at /data), whose block device cannot be found"),
            std::string::npos)
      << none.warnings[0];

  const std::string virtio2 = "/sys/devices/pci0000:00/0000:00:06.0";
  block(x.m, virtio2 + "/virtio2/block/vdb", "254:4000", false);
  driver(x.m, virtio2 + "/virtio2", "virtio", "virtio_blk", "virtio_blk");
  driver(x.m, virtio2, "pci", "virtio-pci", "virtio_pci");
  if (::mknod((x.m.root() + "/dev/vdb").c_str(), S_IFBLK | 0600, ::makedev(254, 4000)) != 0)
    GTEST_SKIP() << "cannot make a block device node here: " << std::strerror(errno);
  x.m.link("/dev/disk/by-uuid/0f0e0d0c-0b0a-0908-0706-050403020100", "../../vdb");
  auto plan = plan_local_disks(x.config("fallback_path = none\n[destination d]\nurl = file:///data/crash\n"),
                               x.m.root());
  ASSERT_EQ(plan.mounts.size(), 1u) << joined(plan.warnings);
  EXPECT_EQ(plan.mounts[0],
            (DiskMount{"0f0e0d0c-0b0a-0908-0706-050403020100", "btrfs", "/@data/crash", "/data/crash"}));
}

TEST(LocalDiskPlan, AnUnreadableDeviceFallsBackToTheByUuidLink) {
  Machine x;
  std::filesystem::remove(x.m.root() + "/dev/vda1");
  x.m.link("/dev/disk/by-uuid/0f0e0d0c-0b0a-0908-0706-050403020100", "../../vda1");
  auto plan = plan_local_disks(x.config("fallback_path = /var/tmp/crash\n"), x.m.root());
  ASSERT_EQ(plan.mounts.size(), 1u) << joined(plan.warnings);
  EXPECT_EQ(plan.mounts[0].uuid, "0f0e0d0c-0b0a-0908-0706-050403020100");
  EXPECT_NE(plan.found[0].find("from /dev/disk/by-uuid (reading /dev/vda1 failed"), std::string::npos)
      << plan.found[0];
  std::filesystem::remove(x.m.root() + "/dev/disk/by-uuid/0f0e0d0c-0b0a-0908-0706-050403020100");
  auto none = plan_local_disks(x.config("fallback_path = /var/tmp/crash\n"), x.m.root());
  ASSERT_EQ(none.warnings.size(), 1u);
  EXPECT_NE(none.warnings[0].find("whose UUID cannot be read"), std::string::npos) << none.warnings[0];
}

TEST(LocalDiskPlan, NoMountinfoIsSaid) {
  FakeRoot empty;
  auto plan = plan_local_disks(config::Config{}, empty.root());
  ASSERT_EQ(plan.warnings.size(), 1u);
  EXPECT_NE(plan.warnings[0].find("fallback_path /var/crash: cannot read /proc/self/mountinfo"), std::string::npos)
      << plan.warnings[0];
}

// A module tree as depmod writes it: ext4 with its dependencies and soft dependency on
// crypto-crc32c (two modules have that alias), xfs, the virtio and NVMe drivers; virtio_pci
// built in (6.12).
void module_tree(const FakeRoot& m) {
  const std::string dir = "/lib/modules/6.1.0-test/";
  m.put(dir + "modules.dep",
        "kernel/drivers/block/virtio_blk.ko: kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko\n"
        "kernel/drivers/virtio/virtio_ring.ko:\n"
        "kernel/drivers/virtio/virtio.ko:\n"
        "kernel/fs/ext4/ext4.ko: kernel/lib/crc16.ko kernel/fs/mbcache.ko kernel/fs/jbd2/jbd2.ko\n"
        "kernel/lib/crc16.ko:\n"
        "kernel/fs/mbcache.ko:\n"
        "kernel/fs/jbd2/jbd2.ko:\n"
        "kernel/arch/x86/crypto/crc32c-intel.ko:\n"
        "kernel/crypto/crc32c_generic.ko:\n"
        "kernel/fs/xfs/xfs.ko: kernel/lib/libcrc32c.ko\n"
        "kernel/lib/libcrc32c.ko:\n"
        "kernel/drivers/nvme/host/nvme.ko: kernel/drivers/nvme/host/nvme-core.ko\n"
        "kernel/drivers/nvme/host/nvme-core.ko:\n");
  m.put(dir + "modules.alias",
        "alias fs-ext4 ext4\nalias fs-ext3 ext4\nalias fs-xfs xfs\n"
        "alias crypto-crc32c-intel crc32c_intel\nalias crypto-crc32c crc32c_intel\n"
        "alias crypto-crc32c crc32c_generic\nalias pci:v00001AF4d00001001sv*sd*bc*sc*i* virtio_blk\n");
  m.put(dir + "modules.softdep", "# Soft dependencies\nsoftdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n");
  m.put(dir + "modules.builtin", "kernel/drivers/virtio/virtio_pci.ko\n");
  for (const char* ko : {"drivers/block/virtio_blk.ko", "drivers/virtio/virtio_ring.ko", "drivers/virtio/virtio.ko",
                         "fs/ext4/ext4.ko", "lib/crc16.ko", "fs/mbcache.ko", "fs/jbd2/jbd2.ko",
                         "arch/x86/crypto/crc32c-intel.ko", "crypto/crc32c_generic.ko", "fs/xfs/xfs.ko",
                         "lib/libcrc32c.ko", "drivers/nvme/host/nvme.ko", "drivers/nvme/host/nvme-core.ko"})
    m.put(dir + "kernel/" + ko, std::string("ko ") + ko);
}

TEST(DiskModules, SoftDependenciesFirstAndEveryModuleOfTheirAlias) {
  Machine x;
  module_tree(x.m);
  auto tree = module_tree_in_root(x.m.root());
  ASSERT_TRUE(tree) << tree.error().message();
  EXPECT_EQ(soft_predependencies(*tree, {"jbd2", "ext4"}), (std::vector<std::string>{"crc32c_intel", "crc32c_generic"}));
  EXPECT_TRUE(soft_predependencies(*tree, {"xfs"}).empty());
  auto plan = plan_local_disks(x.config("fallback_path = /var/tmp/crash\n[destination disk]\nurl = file:///var/crash\n"),
                               x.m.root());
  auto modules = resolve_disk_modules(*tree, plan);
  EXPECT_TRUE(modules.warnings.empty()) << joined(modules.warnings);
  EXPECT_EQ(modules.names, (std::vector<std::string>{"crc32c_intel", "crc32c_generic", "nvme", "fs-xfs", "virtio_blk",
                                                     "fs-ext4"}))
      << "virtio_pci is built in";
  auto lenient = plan_modules_leniently(*tree, {"ext4", "no_such_module"});
  ASSERT_TRUE(lenient);
  EXPECT_EQ(lenient->missing, (std::vector<std::string>{"no_such_module"}));
  EXPECT_FALSE(plan_modules(*tree, {"no_such_module"}));
}

TEST(DiskModules, AModuleTheTreeLacksIsSaid) {
  Machine x;
  module_tree(x.m);
  std::filesystem::remove(x.m.root() + "/lib/modules/6.1.0-test/modules.dep");
  x.m.put("/lib/modules/6.1.0-test/modules.dep", "kernel/drivers/nvme/host/nvme.ko:\n");
  auto tree = module_tree_in_root(x.m.root());
  ASSERT_TRUE(tree);
  auto plan = plan_local_disks(x.config("fallback_path = none\n[destination disk]\nurl = file:///var/crash\n"),
                               x.m.root());
  auto modules = resolve_disk_modules(*tree, plan);
  EXPECT_EQ(modules.names, (std::vector<std::string>{"nvme"}));
  ASSERT_EQ(modules.warnings.size(), 1u);
  EXPECT_EQ(modules.warnings[0],
            "6.1.0-test has no module fs-xfs, xfs for the xfs filesystem of /var/crash: unless it is built in under "
            "another name, the capture kernel cannot mount that disk");
}

// The image of such a machine: /etc/vmcap-mounts, and the disks' modules in load order after
// their soft dependencies.
TEST(DiskImage, CarriesTheMountsFileAndTheModules) {
  Machine x;
  module_tree(x.m);
  testing::TempDir dir;
  testing::write_whole_file(dir.file("vmcap.conf"), "fallback_path = none\n[destination disk]\nurl = file:///var/crash\n",
                            0600);
  ImageRequest r;
  r.config_path = dir.file("vmcap.conf");
  r.vmcap_binary = "/sbin/ldconfig";
  r.kernel_root = x.m.root();
  r.system_root = x.m.root();
  r.compress = false;
  r.output = dir.file("image.cpio");
  auto report = build_initramfs(r);
  ASSERT_TRUE(report) << report.error().message();
  EXPECT_TRUE(report->warnings.empty()) << joined(report->warnings);
  ASSERT_EQ(report->local_disks.size(), 1u);
  EXPECT_EQ(report->modules,
            (std::vector<std::string>{"kernel/drivers/nvme/host/nvme-core.ko", "kernel/drivers/nvme/host/nvme.ko",
                                      "kernel/lib/libcrc32c.ko", "kernel/fs/xfs/xfs.ko"}));
  auto names = testing::cpio_names(r.output);
  EXPECT_TRUE(has(names, "etc/vmcap-mounts"));
  auto x2 = testing::run_command("cpio -i --quiet --to-stdout etc/vmcap-mounts < " + testing::shell_quoted(r.output));
  ASSERT_EQ(x2.status, 0) << x2.output;
  auto parsed = parse_disk_mounts(x2.output);
  EXPECT_TRUE(parsed.problems.empty());
  EXPECT_EQ(parsed.mounts, (std::vector<DiskMount>{{kUuidText, "xfs", "/", "/var/crash"}}));
}

TEST(DiskImage, ATargetHoldingTheImagesOwnFilesIsNotMounted) {
  Machine x;
  ImageRequest r;
  r.system_root = x.m.root();
  auto disks = local_disks_for(r, config::parse_config("fallback_path = none\n[destination etc]\nurl = file:///etc\n", "c")
                                      .config);
  EXPECT_TRUE(disks.mounts.empty());
  ASSERT_FALSE(disks.warnings.empty());
  EXPECT_NE(disks.warnings[0].find("/etc holds the image's own /etc/vmcap.conf"), std::string::npos) << disks.warnings[0];
}

// /init's look at /sys/class/block: devices read once, an optical drive and an empty
// device skipped, a device whose node is not there yet looked at again.
TEST(BlockScan, FindsTheUuidAndReadsEachDeviceOnce) {
  Machine x;
  block(x.m, "/sys/devices/pci0000:00/0000:00:1f.2/ata1/host0/target0:0:0/0:0:0:0/block/sr0", "11:0", false);
  block(x.m, "/sys/devices/virtual/block/loop0", "7:0", false);
  x.m.put("/sys/devices/virtual/block/loop0/size", "0\n");
  std::filesystem::remove(x.m.root() + "/dev/nvme0n1");
  std::vector<std::string> tried;
  auto found = scan_block_devices({"00112233-4455-6677-8899-AABBCCDDEEFF"}, tried, x.m.root());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].name, "vda1");
  EXPECT_EQ(found[0].node, x.m.root() + "/dev/vda1");
  EXPECT_EQ(found[0].id.type, "ext4");
  EXPECT_TRUE(has(tried, "vda"));
  EXPECT_TRUE(has(tried, "sr0"));
  EXPECT_TRUE(has(tried, "loop0"));
  EXPECT_FALSE(has(tried, "nvme0n1")) << "no node yet: looked at again";
  EXPECT_TRUE(scan_block_devices({kUuidText}, tried, x.m.root()).empty()) << "vda1 is read once";
  x.m.put("/dev/nvme0n1", testing::xfs_image());
  auto later = scan_block_devices({kUuidText}, tried, x.m.root());
  ASSERT_EQ(later.size(), 1u);
  EXPECT_EQ(later[0].id.type, "xfs");
}

}  // namespace
}  // namespace vmcap::initramfs
