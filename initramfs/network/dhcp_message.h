// DHCPv4 messages (RFC 2131 BOOTP layout, RFC 2132 options) as values, and their bytes.
// A received message is untrusted: decode_dhcp_message checks every length against the
// buffer and every option against what RFC 2132 says it holds.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "capture/config/config.h"
#include "elf/result.h"

namespace vmcap::network {

using config::Ipv4Address;
using MacAddress = std::array<uint8_t, 6>;

enum class DhcpMessageType : uint8_t {
  Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7, Inform = 8,
};
const char* to_string(DhcpMessageType);

inline constexpr uint16_t kDhcpServerPort = 67;
inline constexpr uint16_t kDhcpClientPort = 68;
inline constexpr uint16_t kDhcpBroadcastFlag = 0x8000;

// The options vmcap sends or reads (RFC 2132 codes).
namespace dhcp_option {
inline constexpr uint8_t kPad = 0, kSubnetMask = 1, kRouter = 3, kDnsServer = 6, kHostName = 12,
                         kRequestedAddress = 50, kLeaseTime = 51, kOverload = 52, kMessageType = 53,
                         kServerId = 54, kParameterRequest = 55, kMaxMessageSize = 57,
                         kClientId = 61, kEnd = 255;
}

struct DhcpMessage {
  uint8_t op = 1;  // 1 BOOTREQUEST, 2 BOOTREPLY
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;
  Ipv4Address ciaddr, yiaddr, siaddr, giaddr;
  MacAddress chaddr{};

  // Options (absent unless set / received).
  std::optional<DhcpMessageType> type;
  std::optional<Ipv4Address> subnet_mask;
  std::vector<Ipv4Address> routers;
  std::vector<Ipv4Address> dns_servers;
  std::optional<uint32_t> lease_seconds;
  std::optional<Ipv4Address> server_id;
  std::optional<Ipv4Address> requested_address;
  std::string host_name;
  std::vector<uint8_t> parameter_request;  // codes asked for (sent only)
  std::optional<uint16_t> max_message_size;
};

// BOOTP header, magic cookie, options, END, padded to the 300 bytes old relays expect.
std::vector<uint8_t> encode_dhcp_message(const DhcpMessage& message);

// `what` names the packet in errors ("DHCP reply from 10.0.2.2"); offsets are into `bytes`.
// Same-code options are concatenated (RFC 3396); option 52 (overload) is honoured once.
Result<DhcpMessage> decode_dhcp_message(std::span<const uint8_t> bytes, const std::string& what);

// 255.255.255.0 -> 24; nothing when the mask's ones are not contiguous.
std::optional<int> prefix_length_of(const Ipv4Address& mask);
Ipv4Address mask_of(int prefix_length);

}  // namespace vmcap::network
