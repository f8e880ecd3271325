// `[network]` of /etc/vmcap.conf (docs/config.md): how vmcap's own initramfs brings the
// network up. Like the global keys, a key with a problem is reported and left at its
// default; the section itself stays (with no section, vmcap sets no network up).
#pragma once

#include <string>
#include <vector>

#include "capture/config/config.h"
#include "capture/config/config_parser.h"

namespace vmcap::config {

struct NetworkEntry {
  int line = 0;
  std::string key;
  std::string value;
};

// `hostname`: the global key's value (sent as DHCP's host name option), empty if unset.
Network parse_network_section(int section_line, const std::vector<NetworkEntry>& entries,
                              const std::string& hostname, std::vector<Problem>& problems);

}  // namespace vmcap::config
