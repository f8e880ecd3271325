// A DHCPv4 client for an interface without an address (RFC 2131 §4.4): DISCOVER, OFFER,
// REQUEST, ACK over an AF_PACKET socket with frames of its own (udp_frame.h). A NAK, or a
// REQUEST nobody answers, starts over with a new xid; everything ends at the deadline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "elf/result.h"
#include "initramfs/network/dhcp_message.h"
#include "initramfs/network/link.h"

namespace vmcap::network {

struct DhcpLease {
  Ipv4Address address;
  int prefix_length = 0;
  std::optional<Ipv4Address> router;  // the first of option 3
  std::vector<Ipv4Address> dns_servers;
  Ipv4Address server;  // option 54 of the ACK
  uint32_t lease_seconds = 0;
};

// What a lease is, from an ACK: an address, a contiguous mask (the address's class when
// the server sends none), a server id. Errors name what the ACK lacked.
Result<DhcpLease> lease_from_ack(const DhcpMessage& ack, const std::string& what);

// The waits between retransmissions: 1, 2, 4, 8, 8... s plus up to 250 ms of jitter
// (RFC 2131 says 4 s doubling to 64 s; a capture kernel has no time for that, and one
// server on the link answers at once or not at all).
std::chrono::milliseconds retransmit_delay(int attempt, uint32_t random);

// The DISCOVER or REQUEST vmcap sends (host_name empty: no option 12).
DhcpMessage make_discover(uint32_t xid, const MacAddress& mac, uint16_t secs, const std::string& host_name);
DhcpMessage make_request(uint32_t xid, const MacAddress& mac, uint16_t secs, const std::string& host_name,
                         const DhcpMessage& offer);

Result<DhcpLease> obtain_dhcp_lease(const InterfaceInfo& interface, const std::string& host_name,
                                    Deadline deadline, const std::function<void(std::string_view)>& say);

}  // namespace vmcap::network
