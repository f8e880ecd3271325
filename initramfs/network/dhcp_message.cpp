#include "initramfs/network/dhcp_message.h"

#include <algorithm>
#include <map>

namespace vmcap::network {
namespace {

constexpr size_t kFixedSize = 236;  // op..file
constexpr size_t kCookieOffset = 236;
constexpr size_t kOptionsOffset = 240;
constexpr size_t kSnameOffset = 44, kSnameSize = 64;
constexpr size_t kFileOffset = 108, kFileSize = 128;
constexpr uint8_t kCookie[4] = {99, 130, 83, 99};
constexpr size_t kMinimumSize = 300;  // RFC 1542: BOOTP relays drop anything shorter

void put16(std::vector<uint8_t>& out, size_t at, uint16_t v) {
  out[at] = static_cast<uint8_t>(v >> 8);
  out[at + 1] = static_cast<uint8_t>(v);
}
void put32(std::vector<uint8_t>& out, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
void put_address(std::vector<uint8_t>& out, size_t at, const Ipv4Address& a) {
  std::copy(a.octets.begin(), a.octets.end(), out.begin() + static_cast<long>(at));
}
uint16_t get16(std::span<const uint8_t> b, size_t at) {
  return static_cast<uint16_t>(b[at] << 8 | b[at + 1]);
}
uint32_t get32(std::span<const uint8_t> b, size_t at) {
  return uint32_t{b[at]} << 24 | uint32_t{b[at + 1]} << 16 | uint32_t{b[at + 2]} << 8 | b[at + 3];
}
Ipv4Address get_address(std::span<const uint8_t> b, size_t at) {
  Ipv4Address a;
  std::copy_n(b.begin() + static_cast<long>(at), 4, a.octets.begin());
  return a;
}

void add_option(std::vector<uint8_t>& out, uint8_t code, std::span<const uint8_t> value) {
  // Values longer than 255 bytes are split into same-code options (RFC 3396).
  size_t at = 0;
  do {
    size_t n = std::min<size_t>(value.size() - at, 255);
    out.push_back(code);
    out.push_back(static_cast<uint8_t>(n));
    out.insert(out.end(), value.begin() + static_cast<long>(at), value.begin() + static_cast<long>(at + n));
    at += n;
  } while (at < value.size());
}
void add_address_option(std::vector<uint8_t>& out, uint8_t code, const std::vector<Ipv4Address>& list) {
  std::vector<uint8_t> v;
  for (const auto& a : list) v.insert(v.end(), a.octets.begin(), a.octets.end());
  add_option(out, code, v);
}

// One options area: code/length/value triples until END or the area's end. Bounded by the
// area: every step consumes at least one byte.
Result<void> read_options(std::span<const uint8_t> packet, size_t begin, size_t end,
                          const std::string& what, std::map<uint8_t, std::vector<uint8_t>>& options) {
  size_t at = begin;
  while (at < end) {
    uint8_t code = packet[at];
    if (code == dhcp_option::kPad) {
      ++at;
      continue;
    }
    if (code == dhcp_option::kEnd) return ok();
    if (at + 1 >= end)
      return make_error(ErrorKind::Truncated, what, at, "option " + std::to_string(code) + " has no length byte");
    size_t len = packet[at + 1];
    if (at + 2 + len > end)
      return make_error(ErrorKind::Truncated, what, at,
                        "option " + std::to_string(code) + " says " + std::to_string(len) + " bytes, only " +
                            std::to_string(end - at - 2) + " left");
    auto& value = options[code];
    value.insert(value.end(), packet.begin() + static_cast<long>(at + 2),
                 packet.begin() + static_cast<long>(at + 2 + len));
    at += 2 + len;
  }
  return ok();  // no END: tolerated, everything before it was well-formed
}

}  // namespace

const char* to_string(DhcpMessageType t) {
  switch (t) {
    case DhcpMessageType::Discover: return "DISCOVER";
    case DhcpMessageType::Offer: return "OFFER";
    case DhcpMessageType::Request: return "REQUEST";
    case DhcpMessageType::Decline: return "DECLINE";
    case DhcpMessageType::Ack: return "ACK";
    case DhcpMessageType::Nak: return "NAK";
    case DhcpMessageType::Release: return "RELEASE";
    case DhcpMessageType::Inform: return "INFORM";
  }
  return "?";
}

std::vector<uint8_t> encode_dhcp_message(const DhcpMessage& m) {
  std::vector<uint8_t> out(kOptionsOffset, 0);
  out[0] = m.op;
  out[1] = 1;  // htype: Ethernet
  out[2] = 6;  // hlen
  out[3] = 0;  // hops
  put32(out, 4, m.xid);
  put16(out, 8, m.secs);
  put16(out, 10, m.flags);
  put_address(out, 12, m.ciaddr);
  put_address(out, 16, m.yiaddr);
  put_address(out, 20, m.siaddr);
  put_address(out, 24, m.giaddr);
  std::copy(m.chaddr.begin(), m.chaddr.end(), out.begin() + 28);
  std::copy(std::begin(kCookie), std::end(kCookie), out.begin() + kCookieOffset);

  if (m.type) {
    uint8_t t = static_cast<uint8_t>(*m.type);
    add_option(out, dhcp_option::kMessageType, std::span<const uint8_t>(&t, 1));
  }
  if (m.max_message_size) {
    uint8_t v[2] = {static_cast<uint8_t>(*m.max_message_size >> 8), static_cast<uint8_t>(*m.max_message_size)};
    add_option(out, dhcp_option::kMaxMessageSize, v);
  }
  if (m.requested_address) add_address_option(out, dhcp_option::kRequestedAddress, {*m.requested_address});
  if (m.server_id) add_address_option(out, dhcp_option::kServerId, {*m.server_id});
  if (m.subnet_mask) add_address_option(out, dhcp_option::kSubnetMask, {*m.subnet_mask});
  if (!m.routers.empty()) add_address_option(out, dhcp_option::kRouter, m.routers);
  if (!m.dns_servers.empty()) add_address_option(out, dhcp_option::kDnsServer, m.dns_servers);
  if (m.lease_seconds) {
    std::vector<uint8_t> v(4);
    put32(v, 0, *m.lease_seconds);
    add_option(out, dhcp_option::kLeaseTime, v);
  }
  if (!m.host_name.empty())
    add_option(out, dhcp_option::kHostName,
               std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(m.host_name.data()), m.host_name.size()));
  if (!m.parameter_request.empty()) add_option(out, dhcp_option::kParameterRequest, m.parameter_request);
  out.push_back(dhcp_option::kEnd);
  if (out.size() < kMinimumSize) out.resize(kMinimumSize, 0);
  return out;
}

Result<DhcpMessage> decode_dhcp_message(std::span<const uint8_t> b, const std::string& what) {
  if (b.size() < kOptionsOffset)
    return make_error(ErrorKind::Truncated, what, b.size(),
                      "a DHCP message is at least 240 bytes, got " + std::to_string(b.size()));
  if (!std::equal(std::begin(kCookie), std::end(kCookie), b.begin() + kCookieOffset))
    return make_error(ErrorKind::Format, what, kCookieOffset, "no DHCP magic cookie (a plain BOOTP packet)");
  DhcpMessage m;
  m.op = b[0];
  if (m.op != 1 && m.op != 2) return make_error(ErrorKind::Format, what, 0, "op " + std::to_string(m.op) + " is neither request nor reply");
  if (b[1] != 1 || b[2] != 6)
    return make_error(ErrorKind::Format, what, 1, "hardware type " + std::to_string(b[1]) + " length " +
                                                      std::to_string(b[2]) + ", expected Ethernet (1, 6)");
  m.xid = get32(b, 4);
  m.secs = get16(b, 8);
  m.flags = get16(b, 10);
  m.ciaddr = get_address(b, 12);
  m.yiaddr = get_address(b, 16);
  m.siaddr = get_address(b, 20);
  m.giaddr = get_address(b, 24);
  std::copy_n(b.begin() + 28, 6, m.chaddr.begin());

  std::map<uint8_t, std::vector<uint8_t>> options;
  VMCAP_CHECK(read_options(b, kOptionsOffset, b.size(), what, options));
  if (auto it = options.find(dhcp_option::kOverload); it != options.end()) {
    if (it->second.size() != 1 || it->second[0] < 1 || it->second[0] > 3)
      return make_error(ErrorKind::Format, what, kOptionsOffset, "option 52 (overload) must be one byte 1..3");
    uint8_t which = it->second[0];
    options.erase(it);  // honoured once: an overload inside file/sname is ignored
    if (which & 1) VMCAP_CHECK(read_options(b, kFileOffset, kFileOffset + kFileSize, what, options));
    if (which & 2) VMCAP_CHECK(read_options(b, kSnameOffset, kSnameOffset + kSnameSize, what, options));
    options.erase(dhcp_option::kOverload);
  }
  static_assert(kFixedSize == kCookieOffset);

  auto bad = [&](uint8_t code, const std::string& why) {
    return make_error(ErrorKind::Format, what, std::nullopt, "option " + std::to_string(code) + ": " + why);
  };
  auto one_address = [&](uint8_t code, std::optional<Ipv4Address>& field) -> Result<void> {
    auto it = options.find(code);
    if (it == options.end()) return ok();
    if (it->second.size() != 4) return bad(code, "expected 4 bytes, got " + std::to_string(it->second.size()));
    field = get_address(it->second, 0);
    return ok();
  };
  auto address_list = [&](uint8_t code, std::vector<Ipv4Address>& field) -> Result<void> {
    auto it = options.find(code);
    if (it == options.end()) return ok();
    if (it->second.empty() || it->second.size() % 4 != 0)
      return bad(code, "expected a multiple of 4 bytes, got " + std::to_string(it->second.size()));
    for (size_t i = 0; i < it->second.size(); i += 4) field.push_back(get_address(it->second, i));
    return ok();
  };
  if (auto it = options.find(dhcp_option::kMessageType); it != options.end()) {
    if (it->second.size() != 1) return bad(dhcp_option::kMessageType, "expected 1 byte");
    if (it->second[0] < 1 || it->second[0] > 8)
      return bad(dhcp_option::kMessageType, "unknown message type " + std::to_string(it->second[0]));
    m.type = static_cast<DhcpMessageType>(it->second[0]);
  }
  VMCAP_CHECK(one_address(dhcp_option::kSubnetMask, m.subnet_mask));
  VMCAP_CHECK(one_address(dhcp_option::kServerId, m.server_id));
  VMCAP_CHECK(one_address(dhcp_option::kRequestedAddress, m.requested_address));
  VMCAP_CHECK(address_list(dhcp_option::kRouter, m.routers));
  VMCAP_CHECK(address_list(dhcp_option::kDnsServer, m.dns_servers));
  if (auto it = options.find(dhcp_option::kLeaseTime); it != options.end()) {
    if (it->second.size() != 4) return bad(dhcp_option::kLeaseTime, "expected 4 bytes");
    m.lease_seconds = get32(it->second, 0);
  }
  if (auto it = options.find(dhcp_option::kMaxMessageSize); it != options.end()) {
    if (it->second.size() != 2) return bad(dhcp_option::kMaxMessageSize, "expected 2 bytes");
    m.max_message_size = get16(it->second, 0);
  }
  if (auto it = options.find(dhcp_option::kHostName); it != options.end())
    m.host_name.assign(it->second.begin(), it->second.end());
  if (auto it = options.find(dhcp_option::kParameterRequest); it != options.end())
    m.parameter_request = it->second;
  return m;
}

std::optional<int> prefix_length_of(const Ipv4Address& mask) {
  uint32_t v = get32(mask.octets, 0);
  int n = 0;
  while (n < 32 && (v & (0x80000000u >> n))) ++n;
  if (n < 32 && (v << n) != 0) return std::nullopt;  // a one after the first zero
  return n;
}

Ipv4Address mask_of(int prefix_length) {
  uint32_t v = prefix_length <= 0 ? 0 : prefix_length >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix_length);
  Ipv4Address a;
  for (int i = 0; i < 4; ++i) a.octets[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
  return a;
}

}  // namespace vmcap::network
