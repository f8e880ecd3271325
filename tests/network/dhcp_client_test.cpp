// The DHCP client's pure parts: what it sends, how long it waits, what makes a lease.
#include "initramfs/network/dhcp_client.h"

#include <gtest/gtest.h>

namespace vmcap::network {
namespace {

constexpr MacAddress kMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

DhcpMessage ack() {
  DhcpMessage m;
  m.op = 2;
  m.type = DhcpMessageType::Ack;
  m.yiaddr = Ipv4Address{{10, 0, 2, 15}};
  m.subnet_mask = Ipv4Address{{255, 255, 255, 0}};
  m.routers = {Ipv4Address{{10, 0, 2, 2}}, Ipv4Address{{10, 0, 2, 1}}};
  m.dns_servers = {Ipv4Address{{10, 0, 2, 3}}};
  m.server_id = Ipv4Address{{10, 0, 2, 2}};
  m.lease_seconds = 86400;
  return m;
}

TEST(DhcpClient, DiscoverAsksForWhatTheLeaseNeeds) {
  DhcpMessage d = make_discover(7, kMac, 2, "web-01");
  auto back = decode_dhcp_message(encode_dhcp_message(d), "discover");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->op, 1);
  EXPECT_EQ(back->type, DhcpMessageType::Discover);
  EXPECT_EQ(back->flags, kDhcpBroadcastFlag);
  EXPECT_EQ(back->xid, 7u);
  EXPECT_EQ(back->secs, 2);
  EXPECT_EQ(back->chaddr, kMac);
  EXPECT_EQ(back->host_name, "web-01");
  EXPECT_EQ(back->parameter_request, (std::vector<uint8_t>{1, 3, 6, 51, 54}));
  EXPECT_FALSE(back->requested_address);
  EXPECT_FALSE(back->server_id);
  EXPECT_TRUE(make_discover(7, kMac, 0, "").host_name.empty());  // no option 12 without a name
}

TEST(DhcpClient, RequestNamesTheOfferAndItsServer) {
  DhcpMessage offer = ack();
  offer.type = DhcpMessageType::Offer;
  DhcpMessage r = make_request(9, kMac, 1, "", offer);
  auto back = decode_dhcp_message(encode_dhcp_message(r), "request");
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->type, DhcpMessageType::Request);
  EXPECT_EQ(back->xid, 9u);
  EXPECT_TRUE(back->ciaddr.is_zero());  // SELECTING state
  EXPECT_EQ(back->requested_address, offer.yiaddr);
  EXPECT_EQ(back->server_id, offer.server_id);
}

TEST(DhcpClient, RetransmitDelaysDoubleThenStay) {
  EXPECT_EQ(retransmit_delay(0, 0).count(), 1000);
  EXPECT_EQ(retransmit_delay(1, 0).count(), 2000);
  EXPECT_EQ(retransmit_delay(2, 0).count(), 4000);
  EXPECT_EQ(retransmit_delay(3, 0).count(), 8000);
  EXPECT_EQ(retransmit_delay(50, 0).count(), 8000);
  EXPECT_EQ(retransmit_delay(0, 250).count(), 1250);
  EXPECT_EQ(retransmit_delay(0, 251).count(), 1000);  // jitter stays under 251 ms
}

TEST(DhcpClient, LeaseFromAck) {
  auto l = lease_from_ack(ack(), "ack");
  ASSERT_TRUE(l) << l.error().message();
  EXPECT_EQ(l->address.to_string(), "10.0.2.15");
  EXPECT_EQ(l->prefix_length, 24);
  EXPECT_EQ(l->router->to_string(), "10.0.2.2");  // the first router
  EXPECT_EQ(l->dns_servers.size(), 1u);
  EXPECT_EQ(l->server.to_string(), "10.0.2.2");
  EXPECT_EQ(l->lease_seconds, 86400u);
}

TEST(DhcpClient, LeaseWithoutMaskTakesTheClass) {
  DhcpMessage m = ack();
  m.subnet_mask.reset();
  EXPECT_EQ(lease_from_ack(m, "ack")->prefix_length, 8);  // 10.x: class A
  m.yiaddr = Ipv4Address{{172, 16, 0, 9}};
  EXPECT_EQ(lease_from_ack(m, "ack")->prefix_length, 16);
  m.yiaddr = Ipv4Address{{192, 168, 1, 9}};
  EXPECT_EQ(lease_from_ack(m, "ack")->prefix_length, 24);
}

TEST(DhcpClient, LeaseRefusals) {
  auto refused = [](DhcpMessage m, const std::string& part) {
    auto l = lease_from_ack(m, "ack");
    if (l) return std::string("accepted");
    return l.error().message().find(part) != std::string::npos ? std::string() : l.error().message();
  };
  DhcpMessage m = ack();
  m.subnet_mask = Ipv4Address{{255, 0, 255, 0}};
  EXPECT_EQ(refused(m, "not a contiguous mask"), "");
  m = ack();
  m.server_id.reset();
  EXPECT_EQ(refused(m, "option 54"), "");
  m = ack();
  m.yiaddr = Ipv4Address{};
  EXPECT_EQ(refused(m, "yiaddr 0.0.0.0"), "");
  m = ack();
  m.yiaddr = Ipv4Address{{224, 0, 0, 1}};
  EXPECT_EQ(refused(m, "not a unicast"), "");
  m = ack();
  m.type = DhcpMessageType::Nak;
  EXPECT_EQ(refused(m, "not a DHCPACK"), "");
}

}  // namespace
}  // namespace vmcap::network
