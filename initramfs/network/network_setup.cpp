#include "initramfs/network/network_setup.h"

#include <cstdio>

namespace vmcap::network {

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

Result<NetworkLease> bring_up_network(const config::Network& network, const Say& /*say*/,
                                      const NetworkSetupOptions& /*options*/) {
  return make_error(ErrorKind::Usage, network.interface, std::nullopt, "network bring-up: not implemented yet");
}

}  // namespace vmcap::network
