// The kernel modules a device needs, read from sysfs as dracut's host-only mode does: from
// the device up through its parents (the buses it sits on) to /sys/devices, each device's
// driver is the symlink DEVICE/driver, and the driver's module the basename of
// DEVICE/driver/module; no module link means the driver is built in. Used for the NIC
// (arm/machine/nic_drivers.h) and for the disk holding a file:// destination
// (initramfs/block_drivers.h). Sources (Linux): Documentation/ABI/testing/sysfs-bus-*,
// sysfs-module; drivers/base/core.c (device directories nest under their parents).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace vmcap::initramfs {

inline constexpr int kMaxSysfsDepth = 16;  // parents walked up from a device

struct SysfsDriver {
  std::string device;     // the sysfs device's name: "virtio0", "0000:00:03.0"
  std::string driver;     // "virtio_net", "virtio-pci"
  std::string module;     // "virtio_pci"; empty: built into the kernel
  std::string subsystem;  // the device's bus or class: "virtio", "pci", "usb", "scsi"
  std::string how;        // "/sys/class/net/eth0/device/driver/module -> virtio_net"
};

// The symlink's target's last component: "../../../bus/virtio/drivers/virtio_net" -> virtio_net.
std::string link_basename(const std::filesystem::path& link);

struct DeviceChain {
  std::vector<SysfsDriver> drivers;     // the device's first, outwards; devices without a driver left out
  std::vector<std::string> subsystems;  // of every device on the way, driver or not ("usb": a USB device)
};

// The drivers of DEVICE (a canonical directory under ROOT/sys/devices) and of its parents.
// FIRST_SHOWN names the device in `how` ("/sys/class/net/eth0/device"); parents are shown
// by their /sys/devices path.
DeviceChain drivers_up_from(std::filesystem::path device, const std::string& root, const std::string& first_shown);

// The module names to load, outermost (the bus) first, each once, built-in drivers left out:
// {"virtio_pci", "virtio_net"}.
std::vector<std::string> modules_outermost_first(const std::vector<SysfsDriver>& drivers);

}  // namespace vmcap::initramfs
