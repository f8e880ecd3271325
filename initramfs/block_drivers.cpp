#include "initramfs/block_drivers.h"

#include <filesystem>
#include <fstream>

#include "initramfs/root_path.h"

namespace fs = std::filesystem;

namespace vmcap::initramfs {
namespace {

constexpr size_t kMaxUeventBytes = 4096;  // a few KEY=value lines

}  // namespace

std::string uevent_devname(const fs::path& uevent) {
  std::ifstream in(uevent);
  std::string line;
  size_t read = 0;
  while (read < kMaxUeventBytes && std::getline(in, line)) {
    read += line.size() + 1;
    if (line.starts_with("DEVNAME=")) {
      std::string name = line.substr(8);
      if (name.empty() || name.find("..") != std::string::npos || name.front() == '/') return {};
      return name;
    }
  }
  return {};
}

Result<BlockDevice> block_device(uint32_t major, uint32_t minor, const std::string& root) {
  BlockDevice b;
  b.major = major;
  b.minor = minor;
  const std::string link = "/sys/dev/block/" + std::to_string(major) + ":" + std::to_string(minor);
  std::error_code ec;
  fs::path dir = fs::canonical(under_root(root, link), ec);
  if (ec) return make_error(ErrorKind::Missing, link, std::nullopt, "no such block device in sysfs (" + ec.message() + ")");
  b.name = dir.filename().string();
  b.devname = uevent_devname(dir / "uevent");
  if (b.devname.empty()) b.devname = b.name;
  b.partition = fs::exists(dir / "partition", ec);
  fs::path disk = b.partition ? dir.parent_path() : dir;
  b.disk = disk.filename().string();
  const fs::path devices_top = fs::weakly_canonical(under_root(root, "/sys/devices"), ec);
  const std::string rel = fs::relative(disk, devices_top, ec).string();
  b.is_virtual = ec || rel.starts_with("virtual/") || rel.starts_with("..");
  if (!b.is_virtual) b.drivers = drivers_up_from(disk, root, "").drivers;
  return b;
}

}  // namespace vmcap::initramfs
