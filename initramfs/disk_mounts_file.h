// /etc/vmcap-mounts in the capture image: the local filesystems /init mounts before the
// capture so that file:// destinations and fallback_path on the machine's disks land there
// and not in the initramfs's RAM (docs/initramfs.md). Written by the image builder
// (initramfs/local_disk_plan.h), read by /init (initramfs/local_disk.h). One line a path:
//   UUID TYPE PATH-IN-FILESYSTEM TARGET
// e.g. "2f1c0e4a-... ext4 /var/crash /var/crash": the filesystem with that UUID (ext2/3/4,
// xfs, btrfs, vfat) is mounted once whatever the number of its lines, and the directory
// PATH-IN-FILESYSTEM of it bound onto TARGET of the capture kernel's root. Fields are
// separated by blanks; in paths a space, tab, newline and backslash are written \040 \011
// \012 \134, as /proc/self/mountinfo does. '#' starts a comment line.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace vmcap::initramfs {

inline constexpr const char* kDiskMountsPath = "/etc/vmcap-mounts";
inline constexpr size_t kMaxDiskMounts = 64;
inline constexpr size_t kMaxDiskMountsBytes = 64u << 10;
inline constexpr size_t kMaxMountPathBytes = 4096;  // PATH_MAX

struct DiskMount {
  std::string uuid;    // as the superblock reader shows it (initramfs/fs_identity.h)
  std::string type;    // "ext4", "ext3", "ext2", "xfs", "btrfs", "vfat": the mount type
  std::string path;    // absolute, inside the filesystem: "/var/crash", "/@/var/crash"
  std::string target;  // absolute, in the capture kernel's root: "/var/crash"
  bool operator==(const DiskMount&) const = default;
};

// The file's text: a comment saying what it is, then one line per mount.
std::string format_disk_mounts(const std::vector<DiskMount>& mounts);

struct ParsedDiskMounts {
  std::vector<DiskMount> mounts;
  std::vector<std::string> problems;  // "line 3: TYPE 'zfs' is not ext2, ext3, ext4, xfs, btrfs or vfat"
};

// Never fails: a bad line is a problem and left out; the good ones are kept. At most
// kMaxDiskMounts lines and kMaxDiskMountsBytes are read (more is a problem).
ParsedDiskMounts parse_disk_mounts(std::string_view text);

// Why TARGET cannot be a bind target in the capture kernel's root, or "" when it can: not
// absolute, "/", with a "." or ".." component, or /proc, /sys, /dev, /run or below (what
// /init mounts itself).
std::string bad_mount_target(std::string_view target);

}  // namespace vmcap::initramfs
