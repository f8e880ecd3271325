// The block device behind a filesystem of the running system (MAJ:MIN from
// /proc/self/mountinfo) and the kernel modules the capture kernel needs to see it: sysfs'
// /sys/dev/block/MAJ:MIN links to the device's directory (…/virtio1/block/vda/vda1); a
// partition (it has a `partition` file) is left for its whole disk, its parent directory;
// then the drivers from the disk up through its parents (initramfs/sysfs_drivers.h): a
// virtio disk gives virtio_blk and virtio_pci, NVMe nvme (nvme_core follows from
// modules.dep), SATA sd_mod and ahci (libata from modules.dep), virtio-scsi sd_mod and
// virtio_scsi. A device under /sys/devices/virtual (device-mapper, md RAID, loop, zram)
// has no such chain: it is said, not followed. DEVNAME of the uevent file names its /dev node.
// Sources (Linux): Documentation/ABI/stable/sysfs-block, Documentation/ABI/testing/sysfs-dev.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "elf/result.h"
#include "initramfs/sysfs_drivers.h"

namespace vmcap::initramfs {

struct BlockDevice {
  uint32_t major = 0, minor = 0;
  std::string name;      // "vda1": the directory's name
  std::string devname;   // "vda1", "nvme0n1p2", "mapper/..." from the uevent's DEVNAME (else the name)
  std::string disk;      // "vda": the whole disk (the name itself when not a partition)
  bool partition = false;
  bool is_virtual = false;  // under /sys/devices/virtual: dm-*, md*, loop*, zram*
  std::vector<SysfsDriver> drivers;  // the disk's first, outwards
  std::vector<std::string> modules() const { return modules_outermost_first(drivers); }
};

// DEVNAME= of a sysfs uevent file ("vda1", "nvme0n1p2"): the node's path under /dev. Empty
// when there is none, or it is absolute or climbs out with "..".
std::string uevent_devname(const std::filesystem::path& uevent);

// MAJ:MIN under ROOT/sys. Missing when sysfs has no such device.
Result<BlockDevice> block_device(uint32_t major, uint32_t minor, const std::string& root = "/");

}  // namespace vmcap::initramfs
