#include "initramfs/sysfs_drivers.h"

#include <algorithm>

#include "initramfs/root_path.h"

namespace fs = std::filesystem;

namespace vmcap::initramfs {

std::string link_basename(const fs::path& link) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  if (ec) return {};
  return target.filename().string();
}

DeviceChain drivers_up_from(fs::path dev, const std::string& root, const std::string& first_shown) {
  DeviceChain chain;
  std::error_code ec;
  const fs::path devices_top = fs::weakly_canonical(under_root(root, "/sys/devices"), ec);
  if (ec) return chain;
  for (int depth = 0; depth < kMaxSysfsDepth; ++depth) {
    const std::string rel = fs::relative(dev, devices_top, ec).string();
    if (ec || rel.empty() || rel == "." || rel.starts_with("..")) break;  // left /sys/devices
    std::error_code e2;
    std::string subsystem;
    if (fs::is_symlink(dev / "subsystem", e2)) subsystem = link_basename(dev / "subsystem");
    if (!subsystem.empty()) chain.subsystems.push_back(subsystem);
    if (fs::is_symlink(dev / "driver", e2)) {
      SysfsDriver d;
      d.device = dev.filename().string();
      d.driver = link_basename(dev / "driver");
      d.subsystem = subsystem;
      const std::string shown = depth == 0 && !first_shown.empty() ? first_shown : "/sys/devices/" + rel;
      if (fs::is_symlink(dev / "driver" / "module", e2)) {
        d.module = link_basename(dev / "driver" / "module");
        d.how = shown + "/driver/module -> " + d.module;
      } else {
        d.how = shown + "/driver -> " + d.driver + ", no module link: built in";
      }
      chain.drivers.push_back(std::move(d));
    }
    dev = dev.parent_path();
  }
  return chain;
}

std::vector<std::string> modules_outermost_first(const std::vector<SysfsDriver>& drivers) {
  std::vector<std::string> out;
  for (auto it = drivers.rbegin(); it != drivers.rend(); ++it)
    if (!it->module.empty() && std::find(out.begin(), out.end(), it->module) == out.end()) out.push_back(it->module);
  return out;
}

}  // namespace vmcap::initramfs
