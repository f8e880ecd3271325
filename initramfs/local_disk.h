// In the capture kernel (vmcap as /init): the machine's own disks that hold file://
// destinations and fallback_path, as /etc/vmcap-mounts lists them (initramfs/
// disk_mounts_file.h), so that file:///var/crash writes to the disk and not to the
// initramfs's RAM. After the modules are loaded:
//   1. wait (at most `wait`, 10 s by default) for a block device of /sys/class/block whose
//      superblock has each UUID (initramfs/fs_identity.h), its /dev node made with mknod
//      when devtmpfs has none;
//   2. mount each filesystem once, read-write, at /run/vmcap/disk/N (the crashed system's
//      ext4 or xfs journal is replayed by the kernel, as kdump-tools' own mount does; btrfs
//      with subvolid=5, the top level the paths are relative to);
//   3. make each PATH-IN-FILESYSTEM there and bind it onto TARGET (made in the initramfs).
// Every step is said; nothing is fatal: a path that could not be mounted stays in RAM and
// the capture goes on to the other destinations. Before the final action: sync, the binds
// unmounted (last first), then the filesystems.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "initramfs/disk_mounts_file.h"
#include "initramfs/fs_identity.h"

namespace vmcap::initramfs {

using Say = std::function<void(std::string_view)>;

// A block device of ROOT/sys/class/block whose superblock was read.
struct FoundDevice {
  std::string name;  // "vda1"
  std::string node;  // "/dev/vda1" (under ROOT)
  FsIdentity id;
};

// One look at ROOT/sys/class/block (at most 4096 devices; floppies, optical drives and
// empty devices skipped): the devices not in `tried` are read (their names added to `tried`
// once read, so a device is read once), and those holding one of `uuids` returned. With
// make_nodes, a missing /dev node is made with mknod (ROOT must then be "/").
std::vector<FoundDevice> scan_block_devices(const std::vector<std::string>& uuids, std::vector<std::string>& tried,
                                            const std::string& root = "/", bool make_nodes = false);

class LocalDisks {
 public:
  // Reads /etc/vmcap-mounts; without it, nothing is done or said.
  void mount_all(const Say& say, std::chrono::milliseconds wait = std::chrono::seconds(10));
  // sync, then unmounts what mount_all mounted. Safe to call again (and in a forked child,
  // then in the parent): what is no longer mounted is skipped without a word.
  void unmount_all(const Say& say);
  bool any_mounted() const { return !filesystems_.empty(); }

 private:
  struct Filesystem {
    std::string uuid, type, node, dir;
  };
  std::vector<Filesystem> filesystems_;  // in mount order
  std::vector<std::string> binds_;       // targets, in mount order
};

}  // namespace vmcap::initramfs
