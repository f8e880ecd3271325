// Network interfaces through ioctl on an AF_INET datagram socket: which one to use, its
// hardware address, bringing it up, waiting for its carrier.
#pragma once

#include <chrono>
#include <string>

#include "elf/result.h"
#include "initramfs/network/dhcp_message.h"

namespace vmcap::network {

using Deadline = std::chrono::steady_clock::time_point;

struct InterfaceInfo {
  std::string name;
  int index = 0;
  MacAddress mac{};
};

// `configured` empty or "auto": the first Ethernet interface by index (not loopback, not a
// tunnel such as sit0), waiting until
// the deadline for one to appear (a driver probes as its module loads, but a slow
// device may register later). A named one must appear by the deadline too.
Result<InterfaceInfo> find_interface(const std::string& configured, Deadline deadline);

// IFF_UP on, nothing else changed.
Result<void> set_link_up(const std::string& name);

// Carrier from /sys/class/net/NAME/carrier (IFF_RUNNING when sysfs is not mounted),
// polled every 50 ms until the deadline.
Result<void> wait_for_carrier(const std::string& name, Deadline deadline);

}  // namespace vmcap::network
