// What the capture kernel must mount so that the config's file:// destinations and its
// fallback_path, when they lie on a local disk of the running system, are written to that
// disk and not to the initramfs's RAM (lost at the reboot). Worked out at image build time
// (`vmcap mkinitramfs`, `vmcap arm`), for each such path:
//   1. its nearest existing ancestor, symlinks resolved, and the rest of the path below it;
//   2. the filesystem holding it: the longest mount point of /proc/self/mountinfo above it
//      (initramfs/mountinfo.h), its type, MAJ:MIN and the path inside it;
//   3. ext2/3/4, xfs, btrfs or vfat on a real block device: its UUID from the superblock
//      (initramfs/fs_identity.h; where the device cannot be read, as another user, the
//      /dev/disk/by-uuid link naming it), and the modules to reach it: the filesystem's
//      (fs-TYPE, as the kernel asks for it), vfat's NLS tables, and the disk's drivers from
//      sysfs (initramfs/block_drivers.h). Anything else (tmpfs, nfs, overlay, device-mapper,
//      an unknown filesystem) keeps today's behaviour, said at build time.
// The result: /etc/vmcap-mounts (initramfs/disk_mounts_file.h) and modules for the image.
#pragma once

#include <string>
#include <vector>

#include "capture/config/config.h"
#include "initramfs/disk_mounts_file.h"
#include "initramfs/module_tree.h"

namespace vmcap::initramfs {

// A local path the capture writes to.
struct LocalPath {
  std::string path;  // as the config writes it
  std::string what;  // "file:///var/crash ([destination disk])", "fallback_path /var/crash"
};

// The config's file:// destinations, then fallback_path (unless none), each path once.
std::vector<LocalPath> local_paths_of(const config::Config& config);

// Modules a disk needs: the first of `names` the capture kernel's tree has (as a module or
// built in) is taken.
struct ModuleNeed {
  std::vector<std::string> names;  // {"fs-ext4", "ext4"}
  std::string why;                 // "the ext4 filesystem of /var/crash"
  bool optional = false;           // left out without a word when the tree has none of them
};

struct LocalDiskPlan {
  std::vector<DiskMount> mounts;  // each (UUID, path, target) once, parents before children
  std::vector<ModuleNeed> modules;
  std::vector<std::string> found;     // one line a path on a disk, said at build time
  std::vector<std::string> warnings;  // a path the capture kernel cannot reach on disk, and why
};

// Reads ROOT/proc/self/mountinfo, ROOT/sys and ROOT/dev (a tree in tests). Never fails:
// what cannot be worked out is a warning, and the path stays where it is (RAM).
LocalDiskPlan plan_local_disks(const config::Config& config, const std::string& root = "/");

struct DiskModules {
  std::vector<std::string> names;     // to give plan_modules: soft dependencies first, each once
  std::vector<std::string> warnings;  // a need the tree cannot meet
};

// The plan's module needs against the capture kernel's module tree, with what modprobe
// would load before them (soft_predependencies: crc32c for ext4 and btrfs).
DiskModules resolve_disk_modules(const ModuleTree& tree, const LocalDiskPlan& plan);

}  // namespace vmcap::initramfs
