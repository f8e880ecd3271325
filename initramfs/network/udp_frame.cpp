#include "initramfs/network/udp_frame.h"

#include <algorithm>

namespace vmcap::network {
namespace {

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kProtocolUdp = 17;

void put16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}
uint16_t get16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
uint32_t sum16(std::span<const uint8_t> bytes, uint32_t sum) {
  size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += static_cast<uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (i < bytes.size()) sum += static_cast<uint32_t>(bytes[i] << 8);
  // fold now and then so a long buffer cannot overflow the 32-bit sum
  return (sum & 0xffff) + (sum >> 16);
}

// Pseudo-header: source, destination, zero, protocol, UDP length.
uint32_t pseudo_header_sum(const Ipv4Address& s, const Ipv4Address& d, uint16_t udp_length) {
  uint32_t sum = sum16(s.octets, 0);
  sum = sum16(d.octets, sum);
  return sum + kProtocolUdp + udp_length;
}

}  // namespace

uint16_t internet_checksum(std::span<const uint8_t> bytes, uint32_t partial) {
  uint32_t sum = partial;
  // in 32 KiB pieces: each piece adds at most 0x7fff8000 before folding
  for (size_t at = 0; at < bytes.size(); at += 32768)
    sum = sum16(bytes.subspan(at, std::min<size_t>(32768, bytes.size() - at)), sum);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

std::vector<uint8_t> build_udp_frame(const UdpEndpoints& e, std::span<const uint8_t> payload, uint16_t ip_id) {
  const size_t udp_length = kUdpHeaderSize + payload.size();
  const size_t ip_length = kIpv4HeaderSize + udp_length;
  std::vector<uint8_t> f(kEthernetHeaderSize + ip_length, 0);
  std::copy(e.destination_mac.begin(), e.destination_mac.end(), f.begin());
  std::copy(e.source_mac.begin(), e.source_mac.end(), f.begin() + 6);
  put16(f, 12, kEtherTypeIpv4);

  const size_t ip = kEthernetHeaderSize;
  f[ip] = 0x45;  // version 4, 5 words
  f[ip + 1] = 0x10;  // DSCP/ECN: low delay, as DHCP clients usually send
  put16(f, ip + 2, static_cast<uint16_t>(ip_length));
  put16(f, ip + 4, ip_id);
  put16(f, ip + 6, 0);  // no fragmentation flags
  f[ip + 8] = 64;       // TTL
  f[ip + 9] = kProtocolUdp;
  std::copy(e.source.octets.begin(), e.source.octets.end(), f.begin() + ip + 12);
  std::copy(e.destination.octets.begin(), e.destination.octets.end(), f.begin() + ip + 16);
  put16(f, ip + 10, internet_checksum(std::span<const uint8_t>(f).subspan(ip, kIpv4HeaderSize)));

  const size_t udp = ip + kIpv4HeaderSize;
  put16(f, udp, e.source_port);
  put16(f, udp + 2, e.destination_port);
  put16(f, udp + 4, static_cast<uint16_t>(udp_length));
  std::copy(payload.begin(), payload.end(), f.begin() + static_cast<long>(udp + kUdpHeaderSize));
  uint16_t c = internet_checksum(std::span<const uint8_t>(f).subspan(udp),
                                 pseudo_header_sum(e.source, e.destination, static_cast<uint16_t>(udp_length)));
  put16(f, udp + 6, c == 0 ? 0xffff : c);  // 0 means "no checksum" in UDP
  return f;
}

Result<UdpDatagram> parse_udp_frame(std::span<const uint8_t> f, const std::string& what) {
  if (f.size() < kEthernetHeaderSize + kIpv4HeaderSize + kUdpHeaderSize)
    return make_error(ErrorKind::Truncated, what, f.size(), "frame of " + std::to_string(f.size()) + " bytes is too short for Ethernet/IPv4/UDP");
  if (get16(f, 12) != kEtherTypeIpv4)
    return make_error(ErrorKind::Format, what, 12, "not IPv4 (EtherType " + std::to_string(get16(f, 12)) + ")");
  UdpDatagram d;
  std::copy_n(f.begin() + 6, 6, d.source_mac.begin());
  const size_t ip = kEthernetHeaderSize;
  const auto packet = f.subspan(ip);
  if (packet[0] >> 4 != 4) return make_error(ErrorKind::Format, what, ip, "IP version " + std::to_string(packet[0] >> 4));
  const size_t header = size_t{packet[0] & 0x0fu} * 4;
  const size_t total = get16(packet, 2);
  if (header < kIpv4HeaderSize) return make_error(ErrorKind::Format, what, ip, "IPv4 header length " + std::to_string(header));
  if (total < header + kUdpHeaderSize || total > packet.size())
    return make_error(ErrorKind::Truncated, what, ip + 2,
                      "IPv4 total length " + std::to_string(total) + " with a " + std::to_string(header) +
                          "-byte header does not fit the " + std::to_string(packet.size()) + " bytes received");
  if (internet_checksum(packet.subspan(0, header)) != 0)
    return make_error(ErrorKind::Format, what, ip + 10, "bad IPv4 header checksum");
  if ((get16(packet, 6) & 0x3fff) != 0)  // MF flag or a fragment offset
    return make_error(ErrorKind::Format, what, ip + 6, "an IPv4 fragment (not reassembled)");
  if (packet[9] != kProtocolUdp)
    return make_error(ErrorKind::Format, what, ip + 9, "IP protocol " + std::to_string(packet[9]) + ", not UDP");
  std::copy_n(packet.begin() + 12, 4, d.source.octets.begin());
  std::copy_n(packet.begin() + 16, 4, d.destination.octets.begin());

  const auto udp = packet.subspan(header, total - header);  // Ethernet padding dropped
  const size_t udp_length = get16(udp, 4);
  if (udp_length < kUdpHeaderSize || udp_length > udp.size())
    return make_error(ErrorKind::Truncated, what, ip + header + 4,
                      "UDP length " + std::to_string(udp_length) + " does not fit the " + std::to_string(udp.size()) +
                          " bytes of the IP packet");
  if (get16(udp, 6) != 0 &&
      internet_checksum(udp.subspan(0, udp_length),
                        pseudo_header_sum(d.source, d.destination, static_cast<uint16_t>(udp_length))) != 0)
    return make_error(ErrorKind::Format, what, ip + header + 6, "bad UDP checksum");
  d.source_port = get16(udp, 0);
  d.destination_port = get16(udp, 2);
  d.payload = udp.subspan(kUdpHeaderSize, udp_length - kUdpHeaderSize);
  return d;
}

}  // namespace vmcap::network
