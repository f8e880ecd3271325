#include "initramfs/fs_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace vmcap::initramfs {
namespace {

constexpr size_t kExtSuper = 1024;
constexpr size_t kBtrfsSuper = 0x10000;

uint32_t le(std::string_view b, size_t at, unsigned bytes) {
  uint32_t v = 0;
  for (unsigned i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

std::string uuid16(std::string_view b, size_t at) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    const auto c = static_cast<unsigned char>(b[at + i]);
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

bool is_power_of_two(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::optional<FsIdentity> ext(std::string_view h) {
  if (h.size() < kExtSuper + 0x78 || le(h, kExtSuper + 0x38, 2) != 0xEF53) return std::nullopt;
  const uint32_t compat = le(h, kExtSuper + 0x5C, 4), incompat = le(h, kExtSuper + 0x60, 4);
  if (incompat & 0x8) return std::nullopt;  // an external journal, not a filesystem
  FsIdentity id;
  id.family = FsFamily::Ext;
  id.type = (incompat & (0x40 | 0x80 | 0x100 | 0x200)) ? "ext4" : (compat & 0x4) ? "ext3" : "ext2";
  id.uuid = uuid16(h, kExtSuper + 0x68);
  return id;
}

std::optional<FsIdentity> xfs(std::string_view h) {
  if (h.size() < 48 || h.substr(0, 4) != "XFSB") return std::nullopt;
  return FsIdentity{FsFamily::Xfs, "xfs", uuid16(h, 32)};
}

std::optional<FsIdentity> btrfs(std::string_view h) {
  if (h.size() < kBtrfsSuper + 0x48 || h.substr(kBtrfsSuper + 0x40, 8) != "_BHRfS_M") return std::nullopt;
  return FsIdentity{FsFamily::Btrfs, "btrfs", uuid16(h, kBtrfsSuper + 0x20)};
}

std::optional<FsIdentity> vfat(std::string_view h) {
  if (h.size() < 512) return std::nullopt;
  const bool fat32_magic = h.substr(0x52, 5) == "MSWIN" || h.substr(0x52, 8) == "FAT32   ";
  const bool fat16_magic = h.substr(0x36, 5) == "MSDOS" || h.substr(0x36, 8) == "FAT16   " ||
                           h.substr(0x36, 8) == "FAT12   " || h.substr(0x36, 8) == "FAT     ";
  if (!fat32_magic && !fat16_magic) return std::nullopt;
  const uint32_t sector_size = le(h, 0x0B, 2), cluster_size = le(h, 0x0D, 1), reserved = le(h, 0x0E, 2);
  const uint32_t fats = le(h, 0x10, 1), media = le(h, 0x15, 1);
  if (!is_power_of_two(sector_size) || sector_size < 512 || sector_size > 4096) return std::nullopt;
  if (!is_power_of_two(cluster_size) || reserved == 0 || fats == 0) return std::nullopt;
  if (media != 0xF0 && media < 0xF8) return std::nullopt;
  const uint32_t fat16_length = le(h, 0x16, 2), fat32_length = le(h, 0x24, 4);
  size_t serial = 0;
  if (fat16_length != 0) serial = 0x27;
  else if (fat32_length != 0) serial = 0x43;
  else return std::nullopt;
  char uuid[16];
  std::snprintf(uuid, sizeof uuid, "%02X%02X-%02X%02X", le(h, serial + 3, 1), le(h, serial + 2, 1),
                le(h, serial + 1, 1), le(h, serial, 1));
  return FsIdentity{FsFamily::Vfat, "vfat", uuid};
}

}  // namespace

Result<FsIdentity> identify_filesystem(std::string_view head) {
  // Each family's own magic first; FAT's boot sector last (other filesystems may leave a
  // boot sector in front of them).
  if (auto id = ext(head)) return *id;
  if (auto id = xfs(head)) return *id;
  if (auto id = btrfs(head)) return *id;
  if (auto id = vfat(head)) return *id;
  if (head.size() < 512)
    return make_error(ErrorKind::Truncated, "", head.size(),
                      "only " + std::to_string(head.size()) + " bytes: too short for any superblock");
  return make_error(ErrorKind::Format, "", std::nullopt, "no ext2/3/4, xfs, btrfs or vfat superblock");
}

Result<FsIdentity> read_filesystem_identity(const std::string& device) {
  int fd = ::open(device.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(ErrorKind::Io, device, std::nullopt, std::strerror(errno));
  std::string head(kSuperblockProbeBytes, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ssize_t n = ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      return make_error(ErrorKind::Io, device, got, std::string("read: ") + std::strerror(e));
    }
    if (n == 0) break;  // a device (or image) smaller than the probe
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  head.resize(got);
  auto id = identify_filesystem(head);
  if (!id) {
    Error e = std::move(id).error();
    e.file = device;
    return e;
  }
  return id;
}

std::optional<FsFamily> family_of_type(std::string_view t) {
  if (t == "ext4" || t == "ext3" || t == "ext2") return FsFamily::Ext;
  if (t == "xfs") return FsFamily::Xfs;
  if (t == "btrfs") return FsFamily::Btrfs;
  if (t == "vfat") return FsFamily::Vfat;
  return std::nullopt;
}

std::string_view family_name(FsFamily f) {
  switch (f) {
    case FsFamily::Ext: return "ext2/3/4";
    case FsFamily::Xfs: return "xfs";
    case FsFamily::Btrfs: return "btrfs";
    case FsFamily::Vfat: return "vfat";
  }
  return "?";
}

bool same_uuid(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.empty()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace vmcap::initramfs
