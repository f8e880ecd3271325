#include "tests/initramfs/superblocks.h"

namespace vmcap::testing {
namespace {

void put(std::string& b, size_t at, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) b[at + i] = static_cast<char>(v >> (8 * i));
}

}  // namespace

std::string uuid_bytes() {
  std::string u(16, '\0');
  for (int i = 0; i < 16; ++i) u[i] = static_cast<char>(i * 0x11);
  return u;
}

std::string ext_image(uint32_t compat, uint32_t incompat, size_t size) {
  std::string b(size, '\0');
  put(b, 1024 + 0x38, 0xEF53, 2);
  put(b, 1024 + 0x5C, compat, 4);
  put(b, 1024 + 0x60, incompat, 4);
  b.replace(1024 + 0x68, 16, uuid_bytes());
  return b;
}

std::string xfs_image(size_t size) {
  std::string b(size, '\0');
  b.replace(0, 4, "XFSB");
  put(b, 4, 4096, 4);
  b.replace(32, 16, uuid_bytes());
  return b;
}

std::string btrfs_image(size_t size) {
  std::string b(size, '\0');
  b.replace(0x10000 + 0x20, 16, uuid_bytes());
  b.replace(0x10000 + 0x40, 8, "_BHRfS_M");
  return b;
}

std::string vfat_image(bool fat32) {
  std::string b(64 << 10, '\0');
  b[0] = static_cast<char>(0xEB);
  b.replace(3, 8, "mkfs.fat");
  put(b, 0x0B, 512, 2);   // bytes per sector
  b[0x0D] = 8;            // sectors per cluster
  put(b, 0x0E, 32, 2);    // reserved sectors
  b[0x10] = 2;            // FATs
  b[0x15] = static_cast<char>(0xF8);
  if (fat32) {
    put(b, 0x24, 1000, 4);  // 32-bit FAT length; the 16-bit one stays 0
    b[0x42] = 0x29;
    put(b, 0x43, 0xA1B2C3D4, 4);
    b.replace(0x52, 8, "FAT32   ");
  } else {
    put(b, 0x16, 200, 2);
    b[0x26] = 0x29;
    put(b, 0x27, 0xA1B2C3D4, 4);
    b.replace(0x36, 8, "FAT16   ");
  }
  put(b, 0x1FE, 0xAA55, 2);
  return b;
}

}  // namespace vmcap::testing
