// Fuzz target: what the capture kernel reads to mount the machine's disks, and what the
// image builder reads to find them (initramfs/disk_mounts_file.h, fs_identity.h,
// mountinfo.h). The first byte picks the reader; the rest is its input.
//   /etc/vmcap-mounts: never fails; every kept mount is valid and survives a round trip
//     (formatted and parsed again, it is the same, with no problem).
//   A superblock head: never crashes; a UUID is 8-4-4-4-12 lower-case hex, or XXXX-XXXX
//     for vfat, and its family matches its type.
//   /proc/self/mountinfo: never fails; a path's mount is a prefix of it and the path
//     inside stays absolute.
#include <cstdint>
#include <string>
#include <string_view>

#include "initramfs/disk_mounts_file.h"
#include "initramfs/fs_identity.h"
#include "initramfs/mountinfo.h"

namespace {

using namespace vmcap::initramfs;

bool hex_uuid(std::string_view u) {
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (u[i] == '-')) return false;
    if (!dash && !((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'a' && u[i] <= 'f'))) return false;
  }
  return true;
}

bool fat_serial(std::string_view u) {
  if (u.size() != 9 || u[4] != '-') return false;
  for (size_t i = 0; i < u.size(); ++i)
    if (i != 4 && !((u[i] >= '0' && u[i] <= '9') || (u[i] >= 'A' && u[i] <= 'F'))) return false;
  return true;
}

void mounts_file(std::string_view text) {
  auto parsed = parse_disk_mounts(text);
  if (parsed.mounts.size() > kMaxDiskMounts) __builtin_trap();
  for (const DiskMount& m : parsed.mounts) {
    if (!family_of_type(m.type) || m.path.empty() || m.path[0] != '/' || !bad_mount_target(m.target).empty())
      __builtin_trap();
  }
  auto again = parse_disk_mounts(format_disk_mounts(parsed.mounts));
  if (!again.problems.empty() || again.mounts != parsed.mounts) __builtin_trap();
}

void superblock(std::string_view head) {
  auto id = identify_filesystem(head);
  if (!id) return;
  if (family_of_type(id->type) != id->family) __builtin_trap();
  if (id->family == FsFamily::Vfat ? !fat_serial(id->uuid) : !hex_uuid(id->uuid)) __builtin_trap();
}

void mountinfo(std::string_view text) {
  // The path to look up: the first line; the table: the rest.
  const size_t nl = text.find('\n');
  std::string path(nl == std::string_view::npos ? text : text.substr(0, nl));
  if (path.empty() || path[0] != '/') path = "/" + path;
  auto table = parse_mountinfo(nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1));
  if (table.mounts.size() > kMaxMounts) __builtin_trap();
  const MountInfoEntry* m = mount_holding(table, path);
  if (!m) return;
  if (!path.starts_with(m->mount_point)) __builtin_trap();
  const std::string inside = path_inside(*m, path);
  if (inside.empty() || inside[0] != '/') __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: mounts_file(input); break;
    case 1: superblock(input); break;
    default: mountinfo(input); break;
  }
  return 0;
}
