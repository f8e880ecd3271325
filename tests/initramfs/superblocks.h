// Made-up superblocks of the four families the capture kernel mounts (initramfs/
// fs_identity.h): the bytes at their offsets, zeros elsewhere, for the UUID reader's tests
// and the fake disks of the local-disk planner's.
#pragma once

#include <cstdint>
#include <string>

namespace vmcap::testing {

// 16 bytes 00 11 22 ... ff: "00112233-4455-6677-8899-aabbccddeeff".
std::string uuid_bytes();
inline constexpr const char* kUuidText = "00112233-4455-6677-8899-aabbccddeeff";

// ext2/3/4 at 1024: magic, compat and incompat features, UUID.
std::string ext_image(uint32_t compat = 0x4, uint32_t incompat = 0x2c2, size_t size = 64 << 10);
std::string xfs_image(size_t size = 64 << 10);
std::string btrfs_image(size_t size = 0x11000);
// A FAT boot sector: FAT32 when fat32, else FAT16; serial 0xA1B2C3D4 ("A1B2-C3D4").
std::string vfat_image(bool fat32);

}  // namespace vmcap::testing
