#include "initramfs/network/dhcp_client.h"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "capture/upload/early_random.h"
#include "initramfs/network/udp_frame.h"

namespace vmcap::network {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr Ipv4Address kBroadcastAddress{{255, 255, 255, 255}};
constexpr size_t kFrameBuffer = 4096;  // larger than any MTU-sized DHCP reply
constexpr int kRequestAttempts = 3;    // REQUESTs before starting over with DISCOVER

// The xid and the retransmit jitter. early_random never blocks; the MAC mixed in keeps
// machines that booted alike apart when the kernel's pool is not ready yet.
uint32_t random32(const MacAddress& mac) {
  uint64_t v = upload::early_random();
  for (uint8_t b : mac) v = (v ^ b) * 0x100000001b3ull;  // FNV-1a step
  return static_cast<uint32_t>(v ^ (v >> 32));
}

// An AF_PACKET socket bound to one interface, receiving IPv4 frames.
class PacketSocket {
 public:
  ~PacketSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Result<void> open(const InterfaceInfo& i) {
    name_ = i.name;
    index_ = i.index;
    fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_IP));
    if (fd_ < 0) return error("socket(AF_PACKET)");
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ETH_P_IP);
    a.sll_ifindex = index_;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return error("bind(AF_PACKET)");
    return ok();
  }
  Result<void> send(const std::vector<uint8_t>& frame) {
    sockaddr_ll a{};
    a.sll_family = AF_PACKET;
    a.sll_protocol = htons(ETH_P_IP);
    a.sll_ifindex = index_;
    a.sll_halen = 6;
    std::memcpy(a.sll_addr, frame.data(), 6);  // the frame's destination MAC
    ssize_t n = ::sendto(fd_, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (n != static_cast<ssize_t>(frame.size())) return error("sendto(AF_PACKET)");
    return ok();
  }
  // One incoming frame, or an empty vector when `until` passes first.
  Result<std::vector<uint8_t>> receive(Clock::time_point until) {
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
      if (left <= 0ms) return std::vector<uint8_t>{};
      pollfd p{fd_, POLLIN, 0};
      int r = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0) return error("poll");
      if (r == 0) continue;  // the loop's check ends it
      std::vector<uint8_t> frame(kFrameBuffer);
      sockaddr_ll from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(fd_, frame.data(), frame.size(), MSG_TRUNC, reinterpret_cast<sockaddr*>(&from), &len);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return error("recvfrom(AF_PACKET)");
      if (from.sll_pkttype == PACKET_OUTGOING || static_cast<size_t>(n) > frame.size()) continue;
      frame.resize(static_cast<size_t>(n));
      return frame;
    }
  }

 private:
  Error error(const std::string& what) {
    return make_error(ErrorKind::Io, name_, std::nullopt, what + ": " + std::strerror(errno));
  }
  int fd_ = -1;
  int index_ = 0;
  std::string name_;
};

class Exchange {
 public:
  Exchange(const InterfaceInfo& i, const std::string& host_name, Deadline deadline,
           const std::function<void(std::string_view)>& say)
      : interface_(i), host_name_(host_name), deadline_(deadline), say_(say), start_(Clock::now()) {}

  Result<DhcpLease> run() {
    VMCAP_CHECK(socket_.open(interface_));
    // Each round: DISCOVER until an OFFER, REQUEST until an ACK or NAK. Rounds end at
    // the deadline (every wait below is cut at it).
    while (Clock::now() < deadline_) {
      xid_ = random32(interface_.mac);
      auto offer = VMCAP_TRY(transact(DhcpMessageType::Discover, nullptr, -1));
      if (!offer) break;
      if (say_) say_("network: " + interface_.name + " offer of " + offer->yiaddr.to_string() + " from " +
                     (offer->server_id ? offer->server_id->to_string() : offer->siaddr.to_string()));
      auto reply = VMCAP_TRY(transact(DhcpMessageType::Request, &*offer, kRequestAttempts));
      if (!reply) continue;  // no answer to the REQUEST: start over
      if (reply->type == DhcpMessageType::Nak) {
        if (say_) say_("network: " + interface_.name + " NAK for " + offer->yiaddr.to_string() + "; starting over");
        continue;
      }
      return lease_from_ack(*reply, "DHCP ACK on " + interface_.name);
    }
    return make_error(ErrorKind::Missing, interface_.name, std::nullopt,
                      "no DHCP lease before the timeout (" + std::to_string(discovers_) + " DISCOVER, " +
                          std::to_string(requests_) + " REQUEST sent; " + std::to_string(ignored_) +
                          " frames ignored" + (last_problem_.empty() ? "" : ", last: " + last_problem_) + ")");
  }

 private:
  // Sends DISCOVER (offer null) or REQUEST and retransmits until the matching reply, the
  // attempt limit (-1: none) or the deadline. Nothing when no answer came.
  Result<std::optional<DhcpMessage>> transact(DhcpMessageType type, const DhcpMessage* offer, int attempts) {
    for (int attempt = 0; attempts < 0 || attempt < attempts; ++attempt) {
      if (Clock::now() >= deadline_) return std::optional<DhcpMessage>{};
      uint16_t secs = static_cast<uint16_t>(
          std::min<long long>(std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - start_).count(), 0xffff));
      DhcpMessage m = offer ? make_request(xid_, interface_.mac, secs, host_name_, *offer)
                            : make_discover(xid_, interface_.mac, secs, host_name_);
      UdpEndpoints e;
      e.source_mac = interface_.mac;
      e.destination = kBroadcastAddress;
      e.source_port = kDhcpClientPort;
      e.destination_port = kDhcpServerPort;
      VMCAP_CHECK(socket_.send(build_udp_frame(e, encode_dhcp_message(m), static_cast<uint16_t>(++ip_id_))));
      (offer ? requests_ : discovers_)++;
      auto until = std::min(deadline_, Clock::now() + retransmit_delay(attempt, random32(interface_.mac)));
      for (;;) {
        auto frame = VMCAP_TRY(socket_.receive(until));
        if (frame.empty()) break;  // retransmit
        if (auto reply = accept(frame, type, offer)) return reply;
      }
    }
    return std::optional<DhcpMessage>{};
  }

  // The reply we wait for, or nothing (another host's traffic, a stale xid, garbage).
  std::optional<DhcpMessage> accept(const std::vector<uint8_t>& frame, DhcpMessageType sent, const DhcpMessage* offer) {
    auto udp = parse_udp_frame(frame, "frame on " + interface_.name);
    if (!udp) return std::nullopt;  // not UDP for us: ordinary traffic on the link
    if (udp->destination_port != kDhcpClientPort || udp->source_port != kDhcpServerPort) return std::nullopt;
    auto m = decode_dhcp_message(udp->payload, "DHCP reply from " + udp->source.to_string());
    if (!m) return ignore(m.error().reason);
    if (m->op != 2 || m->xid != xid_ || m->chaddr != interface_.mac) return ignore("not for this exchange");
    if (sent == DhcpMessageType::Discover) {
      if (m->type != DhcpMessageType::Offer || m->yiaddr.is_zero()) return ignore("not an OFFER");
      return std::move(*m);
    }
    if (m->type != DhcpMessageType::Ack && m->type != DhcpMessageType::Nak) return ignore("neither ACK nor NAK");
    if (offer->server_id && m->server_id && *m->server_id != *offer->server_id)
      return ignore("from another server than the one requested");
    return std::move(*m);
  }
  std::optional<DhcpMessage> ignore(const std::string& why) {
    ++ignored_;
    last_problem_ = why;
    return std::nullopt;
  }

  const InterfaceInfo& interface_;
  const std::string& host_name_;
  Deadline deadline_;
  const std::function<void(std::string_view)>& say_;
  Clock::time_point start_;
  PacketSocket socket_;
  uint32_t xid_ = 0;
  uint16_t ip_id_ = 0;
  int discovers_ = 0, requests_ = 0, ignored_ = 0;
  std::string last_problem_;
};

std::vector<uint8_t> parameters_wanted() {
  return {dhcp_option::kSubnetMask, dhcp_option::kRouter, dhcp_option::kDnsServer, dhcp_option::kLeaseTime,
          dhcp_option::kServerId};
}

}  // namespace

std::chrono::milliseconds retransmit_delay(int attempt, uint32_t random) {
  const int capped = attempt < 0 ? 0 : attempt > 3 ? 3 : attempt;
  return std::chrono::milliseconds((1000 << capped) + static_cast<int>(random % 251));
}

DhcpMessage make_discover(uint32_t xid, const MacAddress& mac, uint16_t secs, const std::string& host_name) {
  DhcpMessage m;
  m.op = 1;
  m.xid = xid;
  m.secs = secs;
  m.flags = kDhcpBroadcastFlag;  // we cannot receive unicast IP before we have the address
  m.chaddr = mac;
  m.type = DhcpMessageType::Discover;
  m.max_message_size = 1500;
  m.host_name = host_name;
  m.parameter_request = parameters_wanted();
  return m;
}

DhcpMessage make_request(uint32_t xid, const MacAddress& mac, uint16_t secs, const std::string& host_name,
                         const DhcpMessage& offer) {
  DhcpMessage m = make_discover(xid, mac, secs, host_name);
  m.type = DhcpMessageType::Request;
  m.requested_address = offer.yiaddr;  // SELECTING: ciaddr stays 0 (RFC 2131 §4.3.2)
  m.server_id = offer.server_id;
  return m;
}

Result<DhcpLease> lease_from_ack(const DhcpMessage& ack, const std::string& what) {
  DhcpLease l;
  if (ack.type != DhcpMessageType::Ack) return make_error(ErrorKind::Format, what, std::nullopt, "not a DHCPACK");
  if (ack.yiaddr.is_zero()) return make_error(ErrorKind::Missing, what, std::nullopt, "no address (yiaddr 0.0.0.0)");
  if (ack.yiaddr.octets[0] >= 224 || ack.yiaddr.octets[0] == 127 || ack.yiaddr.octets[0] == 0)
    return make_error(ErrorKind::Format, what, std::nullopt, "address " + ack.yiaddr.to_string() + " is not a unicast host address");
  l.address = ack.yiaddr;
  if (ack.subnet_mask) {
    auto p = prefix_length_of(*ack.subnet_mask);
    if (!p || *p == 0)
      return make_error(ErrorKind::Format, what, std::nullopt, "subnet mask " + ack.subnet_mask->to_string() + " is not a contiguous mask");
    l.prefix_length = *p;
  } else {
    uint8_t first = ack.yiaddr.octets[0];
    l.prefix_length = first < 128 ? 8 : first < 192 ? 16 : 24;  // the address's class (RFC 2131 §3.3 leaves it to us)
  }
  if (!ack.routers.empty() && !ack.routers.front().is_zero()) l.router = ack.routers.front();
  l.dns_servers = ack.dns_servers;
  if (ack.server_id) l.server = *ack.server_id;
  else return make_error(ErrorKind::Missing, what, std::nullopt, "no server identifier (option 54)");
  l.lease_seconds = ack.lease_seconds.value_or(0);
  return l;
}

Result<DhcpLease> obtain_dhcp_lease(const InterfaceInfo& interface, const std::string& host_name, Deadline deadline,
                                    const std::function<void(std::string_view)>& say) {
  return Exchange(interface, host_name, deadline, say).run();
}

}  // namespace vmcap::network
