// Which filesystem a block device holds and its UUID, read from its superblock: at image
// build time (the UUID the capture kernel must look for) and in the capture kernel (which
// device has it), with the same code, so both sides agree. No libblkid: the four families
// vmcap mounts, their magic and UUID where the kernel and util-linux's libblkid read them.
//   ext2/3/4: superblock at 1024; s_magic 0xEF53 (le16) at +0x38, s_feature_compat at
//     +0x5C, s_feature_incompat at +0x60, s_uuid[16] at +0x68 (fs/ext4/ext4.h). An external
//     journal (incompat JOURNAL_DEV 0x8) is no filesystem. ext4 when incompat has EXTENTS
//     0x40, 64BIT 0x80, MMP 0x100 or FLEX_BG 0x200; else ext3 with compat HAS_JOURNAL 0x4;
//     else ext2 (as blkid names them).
//   xfs: "XFSB" at 0 (sb_magicnum), sb_uuid[16] at 32 (fs/xfs/libxfs/xfs_format.h).
//   btrfs: superblock at 64 KiB; magic "_BHRfS_M" at +0x40, fsid[16] at +0x20
//     (fs/btrfs/accessors.h, BTRFS_SUPER_INFO_OFFSET).
//   vfat: the boot sector's FAT12/16 magic ("MSDOS", "FAT16   ", "FAT12   ", "FAT     " at
//     0x36) or FAT32 one ("MSWIN", "FAT32   " at 0x52), a sane BPB (sector size a power of
//     two 512..4096, a power-of-two cluster size, reserved sectors and FATs not 0, media
//     0xF0 or >= 0xF8); the volume serial at 0x27 when the 16-bit FAT length at 0x16 is not
//     0 (FAT12/16), else at 0x43 (FAT32), shown as blkid does, "%02X%02X-%02X%02X" of its
//     bytes 3, 2, 1, 0 (libblkid/src/superblocks/vfat.c).
// 16-byte UUIDs are shown 8-4-4-4-12 in lower case, as /dev/disk/by-uuid names them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::initramfs {

enum class FsFamily { Ext, Xfs, Btrfs, Vfat };

// How many bytes from the device's start identify_filesystem needs at most (btrfs' magic
// ends at 64 KiB + 0x48).
inline constexpr size_t kSuperblockProbeBytes = 0x10000 + 0x1000;

struct FsIdentity {
  FsFamily family = FsFamily::Ext;
  std::string type;  // "ext4", "ext3", "ext2", "xfs", "btrfs", "vfat"
  std::string uuid;  // "0f3c2d1e-...", or "1A2B-3C4D" for vfat
};

// HEAD: the device's first bytes (kSuperblockProbeBytes, or fewer on a tiny device: what
// does not fit is not looked for). Format when no family's superblock is there (a partition
// table, LVM, LUKS, swap, an unknown filesystem); Truncated when HEAD is too short to tell.
Result<FsIdentity> identify_filesystem(std::string_view head);

// Reads the head of DEVICE (a block device or an image file) and identifies it.
Result<FsIdentity> read_filesystem_identity(const std::string& device);

// The family of a mount type as /proc/self/mountinfo names it; nothing for the rest.
std::optional<FsFamily> family_of_type(std::string_view mount_type);

std::string_view family_name(FsFamily family);  // "ext2/3/4", "xfs", "btrfs", "vfat"

// UUIDs compared as blkid's users do: letters in either case.
bool same_uuid(std::string_view a, std::string_view b);

}  // namespace vmcap::initramfs
