// The network interface the capture will use and the kernel modules it needs, so that
// `vmcap arm` can put them in the capture image when the config's [network] names none
// (what dracut's host-only mode does).
//
// The interface: the config's [network] interface when named and not "auto"; else the
// default route's (/proc/net/route, lowest metric); else the first interface (by name) with
// a device behind it (/sys/class/net/IF/device: loopback, bridges, bonds, tun and other
// virtual interfaces have none).
// The modules: from the interface's device up through its parents (the bus it sits on),
// each device's driver is /sys/.../DEVICE/driver, and its module the basename of the
// symlink /sys/.../DEVICE/driver/module; no module link means the driver is built in
// (initramfs/sysfs_drivers.h, shared with the disk of a file:// destination). So a
// virtio NIC (virtio0) gives virtio_net and, from its PCI device's driver (virtio-pci),
// virtio_pci, and a USB NIC gives its driver, usbcore's and the host controller's, as
// dracut collects every DRIVERS== of `udevadm info -a`.
// Sources (Linux): Documentation/ABI/testing/sysfs-class-net, sysfs-bus-*, sysfs-module;
// net/ipv4/fib_trie.c fib_route_seq_show (/proc/net/route: Iface, Destination, Gateway,
// Flags, RefCnt, Use, Metric, Mask, ...; hex fields; a default route has Destination and
// Mask 0; RTF_UP is flag 0x1).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/result.h"
#include "initramfs/sysfs_drivers.h"

namespace vmcap::arm {

// device ("virtio0"), driver ("virtio_net"), module ("virtio_pci"; empty: built in), how
// ("/sys/class/net/eth0/device/driver/module -> virtio_net"): initramfs/sysfs_drivers.h.
using NicDriver = initramfs::SysfsDriver;

struct CaptureNic {
  std::string interface;           // "eth0"
  std::string how_chosen;          // "named in [network]", "the default route's (/proc/net/route)", ...
  std::vector<NicDriver> drivers;  // the interface's device first, then its parents outwards
  bool on_usb = false;             // a USB device on the way (the capture line's usbcore.nousb must go)
  // The module names to load, outermost (the bus) first, each once, built-in drivers left out:
  // {"virtio_pci", "virtio_net"}.
  std::vector<std::string> modules() const;
};

// The default route's interface in /proc/net/route text: the lowest metric among up routes
// with destination and mask 0. Nothing when there is none or the text is not that table.
std::optional<std::string> default_route_interface(std::string_view proc_net_route);

// A name the kernel could give an interface: 1 to 15 bytes, no '/', ':', whitespace, and
// not "." or "..".
bool valid_interface_name(std::string_view name);

// The interface and its modules under ROOT (see above). configured: [network] interface,
// "" or "auto" to find it. A named interface without a device (a bridge, a bond) gives no
// drivers: the modules of the NICs under it are not followed. Fails (ErrorKind::Missing) when the named interface does not
// exist or no interface with a device does, (ErrorKind::Usage) on a bad name.
Result<CaptureNic> find_capture_nic(std::string_view configured, const std::string& root = "/");

}  // namespace vmcap::arm
