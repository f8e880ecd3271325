// /proc/self/mountinfo read for the filesystem holding a path (initramfs/mountinfo.h):
// nested mounts, a mount on top of another, bind mounts and btrfs subvolumes (the root
// field), escaped spaces, and lines that are not mountinfo lines.
#include "initramfs/mountinfo.h"

#include <gtest/gtest.h>

namespace vmcap::initramfs {
namespace {

// A Debian machine: ext4 root, /var on its own xfs, /var/crash on a vfat disk, tmpfs /run,
// an NFS home, a directory with a space in its name, and /srv bound from /data/srv.
constexpr const char* kMountinfo =
    "22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "23 22 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "25 22 0:23 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,size=401000k,mode=755\n"
    "30 22 254:2 / /var rw,relatime shared:20 - xfs /dev/vda2 rw,attr2,inode64\n"
    "31 30 8:1 / /var/crash rw,relatime shared:21 - vfat /dev/sda1 rw,fmask=0022\n"
    "40 22 0:45 / /home rw,relatime shared:30 - nfs4 srv:/export/home rw,vers=4.2\n"
    "41 22 254:1 /data/srv /srv rw,relatime shared:1 - ext4 /dev/vda1 rw\n"
    "42 22 254:3 / /mnt/my\\040disk rw,relatime shared:31 - ext4 /dev/vdb rw\n"
    "43 22 0:50 /@home /data rw,relatime shared:32 - btrfs /dev/vdc2 rw,subvol=/@home\n";

TEST(Mountinfo, EveryLineWithItsFields) {
  auto t = parse_mountinfo(kMountinfo);
  EXPECT_EQ(t.skipped, 0u);
  ASSERT_EQ(t.mounts.size(), 9u);
  EXPECT_EQ(t.mounts[0].major, 254u);
  EXPECT_EQ(t.mounts[0].minor, 1u);
  EXPECT_EQ(t.mounts[0].fstype, "ext4");
  EXPECT_EQ(t.mounts[0].source, "/dev/vda1");
  EXPECT_EQ(t.mounts[7].mount_point, "/mnt/my disk");
  EXPECT_EQ(t.mounts[8].root, "/@home");
}

TEST(Mountinfo, TheLongestMountPointHoldsThePath) {
  auto t = parse_mountinfo(kMountinfo);
  EXPECT_EQ(mount_holding(t, "/var/crash")->fstype, "vfat");
  EXPECT_EQ(mount_holding(t, "/var/crash/2024/x")->fstype, "vfat");
  EXPECT_EQ(mount_holding(t, "/var/crashes")->fstype, "xfs") << "a prefix must end at a '/'";
  EXPECT_EQ(mount_holding(t, "/var")->fstype, "xfs");
  EXPECT_EQ(mount_holding(t, "/etc")->fstype, "ext4");
  EXPECT_EQ(mount_holding(t, "/run/vmcap")->fstype, "tmpfs");
  EXPECT_EQ(mount_holding(t, "/home/u/crash")->fstype, "nfs4");
  EXPECT_EQ(mount_holding(t, "/mnt/my disk/crash")->major, 254u);
  EXPECT_EQ(mount_holding(t, "/mnt/my disk/crash")->minor, 3u);
}

TEST(Mountinfo, ThePathInsideTheFilesystem) {
  auto t = parse_mountinfo(kMountinfo);
  EXPECT_EQ(path_inside(*mount_holding(t, "/var/crash"), "/var/crash"), "/");
  EXPECT_EQ(path_inside(*mount_holding(t, "/var/crash/new"), "/var/crash/new"), "/new");
  EXPECT_EQ(path_inside(*mount_holding(t, "/var/log/crash"), "/var/log/crash"), "/log/crash");
  EXPECT_EQ(path_inside(*mount_holding(t, "/etc/crash"), "/etc/crash"), "/etc/crash");
  // A bind mount of the root filesystem's /data/srv at /srv.
  EXPECT_EQ(path_inside(*mount_holding(t, "/srv/crash"), "/srv/crash"), "/data/srv/crash");
  // A btrfs subvolume: relative to the top level.
  EXPECT_EQ(path_inside(*mount_holding(t, "/data/crash"), "/data/crash"), "/@home/crash");
  EXPECT_EQ(path_inside(*mount_holding(t, "/data"), "/data"), "/@home");
}

TEST(Mountinfo, AMountOnTopWins) {
  auto t = parse_mountinfo(
      "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
      "30 22 254:2 / /var/crash rw - ext4 /dev/vda2 rw\n"
      "31 30 0:60 / /var/crash rw - tmpfs tmpfs rw\n");
  EXPECT_EQ(mount_holding(t, "/var/crash/x")->fstype, "tmpfs");
}

TEST(Mountinfo, EscapesAndBadLines) {
  EXPECT_EQ(unescape_mount_field("a\\040b\\011c\\012d\\134e"), "a b\tc\nd\\e");
  EXPECT_EQ(unescape_mount_field("end\\04"), "end\\04") << "a cut escape stays as it is";
  EXPECT_EQ(unescape_mount_field("\\999"), "\\999");
  auto t = parse_mountinfo(
      "garbage\n"
      "22 1 254:1 / / rw - ext4\n"                            // no source
      "22 1 x:1 / / rw - ext4 /dev/vda1 rw\n"                 // bad major
      "22 1 254:1 relative / rw - ext4 /dev/vda1 rw\n"        // root not absolute
      "22 1 254:1 / / rw shared:1 ext4 /dev/vda1 rw\n"        // no "-"
      "\n"
      "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n");
  EXPECT_EQ(t.skipped, 5u);
  ASSERT_EQ(t.mounts.size(), 1u);
  EXPECT_EQ(parse_mountinfo("").mounts.size(), 0u);
  EXPECT_EQ(mount_holding(parse_mountinfo(""), "/var/crash"), nullptr);
}

}  // namespace
}  // namespace vmcap::initramfs
