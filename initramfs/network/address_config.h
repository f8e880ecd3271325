// Giving an interface its IPv4 address and the machine its default route (ioctl
// SIOCSIFADDR/SIOCSIFNETMASK/SIOCSIFBRDADDR, SIOCADDRT), and resolv.conf its servers.
#pragma once

#include <string>
#include <vector>

#include "elf/result.h"
#include "initramfs/network/dhcp_message.h"

namespace vmcap::network {

// Address, netmask and broadcast address; the kernel adds the subnet's route itself.
Result<void> set_ipv4_address(const std::string& interface, const Ipv4Address& address, int prefix_length);

// default via GATEWAY dev INTERFACE, replacing any default route there was (vmcap owns the
// capture kernel's network; a second bring-up must not fail with EEXIST).
Result<void> add_default_route(const std::string& interface, const Ipv4Address& gateway);

// "nameserver A.B.C.D" lines (at most 3, as resolvers read); the folder is made when
// missing (a bare initramfs has no /etc). Written to PATH.tmp, then renamed.
Result<void> write_resolv_conf(const std::string& path, const std::vector<Ipv4Address>& servers);

}  // namespace vmcap::network
