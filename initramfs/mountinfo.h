// /proc/self/mountinfo: which filesystem holds a path on the running system, and where the
// path is inside it. Image build time only (initramfs/local_disk_plan.h).
// Format (proc(5), fs/proc_namespace.c show_mountinfo): "ID PARENT MAJ:MIN ROOT MOUNT-POINT
// OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER-OPTIONS". ROOT is the directory of the
// filesystem mounted there (a bind mount or a btrfs subvolume: "/@"), MAJ:MIN the st_dev of
// its files (0:N for filesystems without one block device: tmpfs, nfs, btrfs). ROOT,
// MOUNT-POINT and SOURCE escape space, tab, newline and backslash as \040 \011 \012 \134
// (seq_path's mangle).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vmcap::initramfs {

inline constexpr size_t kMaxMountInfoBytes = 8u << 20;  // a machine with 20,000 mounts
inline constexpr size_t kMaxMounts = 65536;

struct MountInfoEntry {
  uint32_t major = 0, minor = 0;
  std::string root;         // the mounted directory of the filesystem ("/", "/@", "/srv/x")
  std::string mount_point;  // unescaped
  std::string fstype;       // "ext4", "tmpfs", "nfs4", "fuse.sshfs"
  std::string source;       // "/dev/vda1", "tmpfs", "server:/export"
};

struct MountTable {
  std::vector<MountInfoEntry> mounts;  // in the file's order: a later one is mounted over an earlier
  size_t skipped = 0;                  // lines that were not a mountinfo line
  bool cut = false;                    // more than kMaxMounts lines: the rest were not read
};

// Never fails: a line without the fields above is skipped and counted.
MountTable parse_mountinfo(std::string_view text);

// "\040" -> " ", any other "\ooo" octal escape too; a backslash not starting one stays.
std::string unescape_mount_field(std::string_view field);

// The mount holding the absolute, normalized PATH (symlinks already resolved): the longest
// mount point that is PATH or a parent of it; of equal ones the last (mounted on top).
// Null when none is (a table without "/").
const MountInfoEntry* mount_holding(const MountTable& table, const std::string& path);

// Where PATH is inside the mounted filesystem: the mount's ROOT joined with PATH below the
// mount point ("/var/crash" on a mount of "/" at "/" -> "/var/crash"; on "/@" at "/" ->
// "/@/var/crash"; at "/var/crash" itself -> the ROOT).
std::string path_inside(const MountInfoEntry& mount, const std::string& path);

}  // namespace vmcap::initramfs
