// DHCP messages: the bytes vmcap sends, and what it makes of received ones, including
// truncated, garbage and overlong options (a reply is untrusted input).
#include "initramfs/network/dhcp_message.h"

#include <random>

#include <gtest/gtest.h>

namespace vmcap::network {
namespace {

constexpr MacAddress kMac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

// A BOOTREPLY as QEMU's slirp writes one: fixed part, cookie, then `options` as given.
std::vector<uint8_t> reply_with_options(const std::vector<uint8_t>& options, uint32_t xid = 0x01020304) {
  std::vector<uint8_t> b(240, 0);
  b[0] = 2, b[1] = 1, b[2] = 6;
  b[4] = xid >> 24, b[5] = xid >> 16 & 0xff, b[6] = xid >> 8 & 0xff, b[7] = xid & 0xff;
  b[16] = 10, b[17] = 0, b[18] = 2, b[19] = 15;  // yiaddr
  std::copy(kMac.begin(), kMac.end(), b.begin() + 28);
  b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
  for (uint8_t o : options) b.push_back(o);
  return b;
}

std::string error_of(const std::vector<uint8_t>& bytes) {
  auto m = decode_dhcp_message(bytes, "reply");
  return m ? "decoded" : m.error().message();
}

TEST(DhcpEncode, DiscoverBytes) {
  DhcpMessage m;
  m.xid = 0xdeadbeef;
  m.secs = 3;
  m.flags = kDhcpBroadcastFlag;
  m.chaddr = kMac;
  m.type = DhcpMessageType::Discover;
  m.max_message_size = 1500;
  m.host_name = "web-01";
  m.parameter_request = {1, 3, 6};
  auto b = encode_dhcp_message(m);
  ASSERT_EQ(b.size(), 300u);  // padded to BOOTP's minimum
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[1], 1);
  EXPECT_EQ(b[2], 6);
  EXPECT_EQ(std::vector<uint8_t>(b.begin() + 4, b.begin() + 12),
            (std::vector<uint8_t>{0xde, 0xad, 0xbe, 0xef, 0, 3, 0x80, 0}));
  EXPECT_EQ(std::vector<uint8_t>(b.begin() + 28, b.begin() + 34), std::vector<uint8_t>(kMac.begin(), kMac.end()));
  EXPECT_EQ(std::vector<uint8_t>(b.begin() + 236, b.begin() + 240), (std::vector<uint8_t>{99, 130, 83, 99}));
  std::vector<uint8_t> options = {53, 1, 1, 57, 2, 0x05, 0xdc, 12, 6, 'w', 'e', 'b', '-', '0', '1', 55, 3, 1, 3, 6, 255};
  EXPECT_EQ(std::vector<uint8_t>(b.begin() + 240, b.begin() + 240 + static_cast<long>(options.size())), options);
  EXPECT_TRUE(std::all_of(b.begin() + 240 + static_cast<long>(options.size()), b.end(), [](uint8_t x) { return x == 0; }));
}

TEST(DhcpEncode, RoundTripsEveryOption) {
  DhcpMessage m;
  m.op = 2;
  m.xid = 42;
  m.chaddr = kMac;
  m.yiaddr = Ipv4Address{{10, 0, 2, 15}};
  m.type = DhcpMessageType::Ack;
  m.subnet_mask = Ipv4Address{{255, 255, 255, 0}};
  m.routers = {Ipv4Address{{10, 0, 2, 2}}};
  m.dns_servers = {Ipv4Address{{10, 0, 2, 3}}, Ipv4Address{{1, 1, 1, 1}}};
  m.lease_seconds = 86400;
  m.server_id = Ipv4Address{{10, 0, 2, 2}};
  m.requested_address = Ipv4Address{{10, 0, 2, 15}};
  m.host_name = std::string(300, 'h');  // longer than one option: split (RFC 3396)
  auto d = decode_dhcp_message(encode_dhcp_message(m), "round trip");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->op, 2);
  EXPECT_EQ(d->xid, 42u);
  EXPECT_EQ(d->chaddr, kMac);
  EXPECT_EQ(d->yiaddr, m.yiaddr);
  EXPECT_EQ(d->type, DhcpMessageType::Ack);
  EXPECT_EQ(d->subnet_mask, m.subnet_mask);
  EXPECT_EQ(d->routers, m.routers);
  EXPECT_EQ(d->dns_servers, m.dns_servers);
  EXPECT_EQ(d->lease_seconds, 86400u);
  EXPECT_EQ(d->server_id, m.server_id);
  EXPECT_EQ(d->requested_address, m.requested_address);
  EXPECT_EQ(d->host_name, m.host_name);
}

TEST(DhcpDecode, QemuStyleOffer) {
  auto m = decode_dhcp_message(reply_with_options({53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10,
                                                   0, 2, 2, 6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 0x51, 0x80, 255}),
                               "offer");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->type, DhcpMessageType::Offer);
  EXPECT_EQ(m->xid, 0x01020304u);
  EXPECT_EQ(m->yiaddr.to_string(), "10.0.2.15");
  EXPECT_EQ(m->server_id->to_string(), "10.0.2.2");
  EXPECT_EQ(m->subnet_mask->to_string(), "255.255.255.0");
  ASSERT_EQ(m->routers.size(), 1u);
  ASSERT_EQ(m->dns_servers.size(), 1u);
  EXPECT_EQ(m->dns_servers[0].to_string(), "10.0.2.3");
  EXPECT_EQ(m->lease_seconds, 86400u);
}

TEST(DhcpDecode, PadsUnknownOptionsAndNoEnd) {
  // pads, an unknown option 224 skipped by its length, and no END at all
  auto m = decode_dhcp_message(reply_with_options({0, 0, 224, 3, 9, 9, 9, 53, 1, 5}), "reply");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->type, DhcpMessageType::Ack);
}

TEST(DhcpDecode, BytesAfterEndIgnored) {
  auto m = decode_dhcp_message(reply_with_options({53, 1, 5, 255, 1, 200, 7}), "reply");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_FALSE(m->subnet_mask);
}

TEST(DhcpDecode, SplitOptionsConcatenate) {
  auto m = decode_dhcp_message(reply_with_options({6, 4, 10, 0, 2, 3, 53, 1, 5, 6, 4, 8, 8, 8, 8, 255}), "reply");
  ASSERT_TRUE(m) << m.error().message();
  ASSERT_EQ(m->dns_servers.size(), 2u);
  EXPECT_EQ(m->dns_servers[1].to_string(), "8.8.8.8");
}

TEST(DhcpDecode, OverloadReadsFileAndSname) {
  auto b = reply_with_options({52, 1, 3, 53, 1, 5, 255});
  std::vector<uint8_t> in_file = {1, 4, 255, 255, 0, 0, 255};
  std::vector<uint8_t> in_sname = {3, 4, 10, 0, 0, 1, 255};
  std::copy(in_file.begin(), in_file.end(), b.begin() + 108);
  std::copy(in_sname.begin(), in_sname.end(), b.begin() + 44);
  auto m = decode_dhcp_message(b, "reply");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->subnet_mask->to_string(), "255.255.0.0");
  ASSERT_EQ(m->routers.size(), 1u);
  EXPECT_EQ(m->routers[0].to_string(), "10.0.0.1");
}

TEST(DhcpDecode, OverloadOptionChecked) {
  EXPECT_NE(error_of(reply_with_options({52, 1, 4, 255})).find("overload"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({52, 2, 1, 1, 255})).find("overload"), std::string::npos);
}

TEST(DhcpDecode, OverloadedAreaWithOverrun) {
  auto b = reply_with_options({52, 1, 2, 53, 1, 5, 255});
  b[44] = 6, b[45] = 200;  // sname holds 64 bytes
  EXPECT_NE(error_of(b).find("option 6 says 200 bytes"), std::string::npos) << error_of(b);
}

TEST(DhcpDecode, ShorterThanTheFixedPart) {
  auto b = reply_with_options({});
  b.resize(239);
  EXPECT_NE(error_of(b).find("at least 240 bytes"), std::string::npos);
  EXPECT_NE(error_of({}).find("at least 240 bytes"), std::string::npos);
}

TEST(DhcpDecode, NoMagicCookie) {
  auto b = reply_with_options({53, 1, 2, 255});
  b[236] = 0;
  EXPECT_NE(error_of(b).find("magic cookie"), std::string::npos);
}

TEST(DhcpDecode, NotEthernet) {
  auto b = reply_with_options({53, 1, 2, 255});
  b[2] = 16;
  EXPECT_NE(error_of(b).find("expected Ethernet"), std::string::npos);
}

TEST(DhcpDecode, OptionLengthPastTheEnd) {
  std::string e = error_of(reply_with_options({53, 1, 2, 6, 8, 10, 0, 2, 3}));
  EXPECT_NE(e.find("option 6 says 8 bytes, only 4 left"), std::string::npos) << e;
  EXPECT_NE(e.find("offset 0xf3"), std::string::npos) << e;  // 240 + 3: where option 6 starts
}

TEST(DhcpDecode, OptionWithoutLengthByte) {
  EXPECT_NE(error_of(reply_with_options({53, 1, 2, 6})).find("no length byte"), std::string::npos);
}

TEST(DhcpDecode, WrongSizedOptions) {
  EXPECT_NE(error_of(reply_with_options({1, 3, 255, 255, 255, 255})).find("option 1: expected 4 bytes, got 3"),
            std::string::npos);
  EXPECT_NE(error_of(reply_with_options({54, 5, 1, 2, 3, 4, 5, 255})).find("option 54"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({3, 6, 1, 2, 3, 4, 5, 6, 255})).find("multiple of 4"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({6, 0, 255})).find("multiple of 4"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({51, 2, 1, 2, 255})).find("option 51"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({53, 2, 5, 5, 255})).find("option 53"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({53, 1, 9, 255})).find("unknown message type 9"), std::string::npos);
  EXPECT_NE(error_of(reply_with_options({53, 1, 0, 255})).find("unknown message type 0"), std::string::npos);
}

TEST(DhcpDecode, OverlongListsAreBoundedByThePacket) {
  // 255 repeats of a full-length option 6: every byte is accounted to the packet.
  std::vector<uint8_t> options;
  for (int i = 0; i < 255; ++i) {
    options.push_back(6);
    options.push_back(252);
    options.insert(options.end(), 252, 1);
  }
  auto m = decode_dhcp_message(reply_with_options(options), "reply");
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m->dns_servers.size(), 255u * 63);
}

TEST(DhcpDecode, GarbageNeverCrashes) {
  // Random option areas: each decodes or is refused with a reason; never reads outside.
  std::mt19937 random(12345);
  int decoded = 0, refused = 0;
  for (int round = 0; round < 20000; ++round) {
    std::vector<uint8_t> options(random() % 80);
    for (auto& b : options) b = static_cast<uint8_t>(random() % 4 == 0 ? random() % 8 : random());
    auto m = decode_dhcp_message(reply_with_options(options), "garbage");
    if (m) ++decoded;
    else {
      ++refused;
      EXPECT_FALSE(m.error().reason.empty());
    }
  }
  EXPECT_GT(decoded, 0);
  EXPECT_GT(refused, 0);
}

TEST(DhcpMask, PrefixLengths) {
  EXPECT_EQ(prefix_length_of(Ipv4Address{{255, 255, 255, 0}}), 24);
  EXPECT_EQ(prefix_length_of(Ipv4Address{{255, 255, 255, 255}}), 32);
  EXPECT_EQ(prefix_length_of(Ipv4Address{{0, 0, 0, 0}}), 0);
  EXPECT_EQ(prefix_length_of(Ipv4Address{{255, 255, 240, 0}}), 20);
  EXPECT_EQ(prefix_length_of(Ipv4Address{{255, 0, 255, 0}}), std::nullopt);
  EXPECT_EQ(prefix_length_of(Ipv4Address{{255, 255, 255, 1}}), std::nullopt);
  for (int p = 0; p <= 32; ++p) EXPECT_EQ(prefix_length_of(mask_of(p)), p);
  EXPECT_EQ(mask_of(20).to_string(), "255.255.240.0");
}

}  // namespace
}  // namespace vmcap::network
