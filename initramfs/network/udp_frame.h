// Ethernet II / IPv4 / UDP frames for a packet socket: DHCP runs before the interface has
// an address, so the client builds and reads whole frames itself (RFC 791, RFC 768).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "elf/result.h"
#include "initramfs/network/dhcp_message.h"

namespace vmcap::network {

inline constexpr MacAddress kBroadcastMac = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
inline constexpr size_t kEthernetHeaderSize = 14;
inline constexpr size_t kIpv4HeaderSize = 20;  // what we send: no IP options
inline constexpr size_t kUdpHeaderSize = 8;

// RFC 1071 one's-complement sum of `bytes` (an odd last byte padded with zero) added to
// `partial`, folded and complemented: the value to put in a checksum field.
uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t partial = 0);

struct UdpEndpoints {
  MacAddress source_mac{};
  MacAddress destination_mac = kBroadcastMac;
  Ipv4Address source;       // 0.0.0.0 before a lease
  Ipv4Address destination;  // 255.255.255.255 for a broadcast
  uint16_t source_port = 0;
  uint16_t destination_port = 0;
};

// One frame: Ethernet header, IPv4 header (TTL 64, DF clear, id `ip_id`, header checksum)
// and UDP header with its pseudo-header checksum, then the payload.
std::vector<uint8_t> build_udp_frame(const UdpEndpoints& endpoints, std::span<const uint8_t> payload,
                                     uint16_t ip_id = 0);

struct UdpDatagram {
  MacAddress source_mac{};
  Ipv4Address source, destination;
  uint16_t source_port = 0, destination_port = 0;
  std::span<const uint8_t> payload;  // into the frame
};

// A received frame: Ethernet type IPv4, a whole unfragmented IPv4 packet with a correct
// header checksum, UDP with a correct checksum (or none). Errors say what was wrong where
// (offsets into the frame); a frame of another kind is an error too (callers skip it).
Result<UdpDatagram> parse_udp_frame(std::span<const uint8_t> frame, const std::string& what);

}  // namespace vmcap::network
