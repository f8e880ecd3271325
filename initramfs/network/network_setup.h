// Bringing the capture kernel's network up with no other program (no busybox, udhcpc or
// ip): the interface and loopback up, carrier awaited, then a static address or a DHCPv4
// lease applied (address, default route, /etc/resolv.conf). What `[network]` of
// /etc/vmcap.conf says (docs/config.md); the kernel modules it names are loaded before.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/config/config.h"
#include "elf/result.h"

namespace vmcap::network {

enum class AddressSource { Static, Dhcp };

// What the interface ended up with.
struct NetworkLease {
  std::string interface;
  config::Ipv4Address address;
  int prefix_length = 0;
  std::optional<config::Ipv4Address> gateway;
  std::vector<config::Ipv4Address> dns;  // as written to resolv.conf
  AddressSource source = AddressSource::Static;
  std::optional<config::Ipv4Address> dhcp_server;  // dhcp: the server id of the ACK
  std::chrono::seconds lease_time{0};              // dhcp: option 51 (0: static)
  std::chrono::milliseconds took{0};               // from the call to a usable address

  // "eth0 10.0.2.15/24 via 10.0.2.2 (dhcp from 10.0.2.2, 1.2 s)"
  std::string describe() const;
};

// Progress lines ("network: ...") for the console.
using Say = std::function<void(std::string_view)>;

struct NetworkSetupOptions {
  std::string resolv_conf = "/etc/resolv.conf";  // written when there is any DNS server
};

// Everything bounded by network.timeout (link, then the lease). Errors name the
// interface and the step that failed. Needs CAP_NET_ADMIN and CAP_NET_RAW (root).
Result<NetworkLease> bring_up_network(const config::Network& network, const Say& say,
                                      const NetworkSetupOptions& options = {});

}  // namespace vmcap::network
