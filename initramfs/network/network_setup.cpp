#include "initramfs/network/network_setup.h"

#include <cstdio>

#include "initramfs/network/address_config.h"
#include "initramfs/network/dhcp_client.h"
#include "initramfs/network/link.h"

namespace vmcap::network {
namespace {

using Clock = std::chrono::steady_clock;

// The step's error with the interface and step in front, so the console says where.
Error at_step(Error e, const std::string& step) {
  e.reason = step + ": " + e.reason;
  return e;
}

}  // namespace

std::string NetworkLease::describe() const {
  std::string out = interface + " " + address.to_string() + "/" + std::to_string(prefix_length);
  if (gateway) out += " via " + gateway->to_string();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", static_cast<double>(took.count()) / 1000.0);
  if (source == AddressSource::Dhcp)
    out += " (dhcp from " + (dhcp_server ? dhcp_server->to_string() : std::string("?")) + ", " + secs + ")";
  else
    out += std::string(" (static, ") + secs + ")";
  return out;
}

Result<NetworkLease> bring_up_network(const config::Network& network, const Say& say,
                                      const NetworkSetupOptions& options) {
  const auto start = Clock::now();
  const Deadline deadline = start + network.timeout;
  auto tell = [&](const std::string& line) {
    if (say) say(line);
  };

  // Loopback first: local services (and c-ares' fallback to 127.0.0.1) need it.
  if (auto lo = set_link_up("lo"); !lo) tell("network: loopback not up: " + lo.error().reason);

  auto found = find_interface(network.interface, deadline);
  if (!found) return at_step(std::move(found).error(), "finding the interface");
  const InterfaceInfo& nic = *found;
  if (auto up = set_link_up(nic.name); !up) return at_step(std::move(up).error(), "link up");
  if (auto carrier = wait_for_carrier(nic.name, deadline); !carrier)
    return at_step(std::move(carrier).error(), "waiting for the link");
  tell("network: " + nic.name + " link up");

  NetworkLease lease;
  lease.interface = nic.name;
  if (network.dhcp) {
    auto got = obtain_dhcp_lease(nic, network.hostname, deadline, say);
    if (!got) return at_step(std::move(got).error(), "DHCP");
    lease.source = AddressSource::Dhcp;
    lease.address = got->address;
    lease.prefix_length = got->prefix_length;
    lease.gateway = got->router;
    lease.dns = network.dns.empty() ? got->dns_servers : network.dns;  // the config wins
    lease.dhcp_server = got->server;
    lease.lease_time = std::chrono::seconds(got->lease_seconds);
  } else {
    lease.source = AddressSource::Static;
    lease.address = network.address;
    lease.prefix_length = network.prefix_length;
    lease.gateway = network.gateway;
    lease.dns = network.dns;
  }

  if (auto set = set_ipv4_address(nic.name, lease.address, lease.prefix_length); !set)
    return at_step(std::move(set).error(), "setting the address");
  if (lease.gateway) {
    if (auto route = add_default_route(nic.name, *lease.gateway); !route)
      return at_step(std::move(route).error(), "adding the default route");
  }
  if (!lease.dns.empty()) {
    if (auto written = write_resolv_conf(options.resolv_conf, lease.dns); !written)
      return at_step(std::move(written).error(), "writing " + options.resolv_conf);
  }
  lease.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  tell("network: " + lease.describe());
  return lease;
}

}  // namespace vmcap::network
