// Ethernet/IPv4/UDP frames: checksums against known values, what a receiver refuses.
#include "initramfs/network/udp_frame.h"

#include <gtest/gtest.h>

namespace vmcap::network {
namespace {

std::vector<uint8_t> hex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size();) {
    if (s[i] == ' ') {
      ++i;
      continue;
    }
    out.push_back(static_cast<uint8_t>(std::stoi(s.substr(i, 2), nullptr, 16)));
    i += 2;
  }
  return out;
}

TEST(InternetChecksum, KnownIpv4Header) {
  // The worked example of RFC 1071's usual illustration (Wikipedia "IPv4 header checksum"):
  // 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7.
  auto header = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7");
  EXPECT_EQ(internet_checksum(header), 0xb861);
  header[10] = 0xb8, header[11] = 0x61;
  EXPECT_EQ(internet_checksum(header), 0);  // a correct header sums to all ones
}

TEST(InternetChecksum, OddLengthPadsWithZero) {
  // RFC 1071 §3 example bytes 00 01 f2 03 f4 f5 f6 f7: sum ddf2, checksum 220d.
  EXPECT_EQ(internet_checksum(hex("0001 f203 f4f5 f6f7")), 0x220d);
  EXPECT_EQ(internet_checksum(hex("01")), static_cast<uint16_t>(~0x0100));
  EXPECT_EQ(internet_checksum(hex("01"), 0), internet_checksum(hex("0100")));
}

// A DHCP DISCOVER-sized frame whose checksums were computed independently (Python, the
// RFC 768 pseudo-header sum over the same bytes): IP 0x6762, UDP 0x917a.
TEST(UdpFrame, BuildsKnownChecksums) {
  UdpEndpoints e;
  e.source_mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
  e.destination = Ipv4Address{{255, 255, 255, 255}};
  e.source_port = 68;
  e.destination_port = 67;
  std::vector<uint8_t> payload(300);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  auto f = build_udp_frame(e, payload, 0x1234);
  ASSERT_EQ(f.size(), 14u + 20 + 8 + 300);
  EXPECT_EQ(std::vector<uint8_t>(f.begin(), f.begin() + 14), hex("ffffffffffff 525400123456 0800"));
  EXPECT_EQ(std::vector<uint8_t>(f.begin() + 14, f.begin() + 34),
            hex("4510 0148 1234 0000 4011 6762 00000000 ffffffff"));
  EXPECT_EQ(std::vector<uint8_t>(f.begin() + 34, f.begin() + 42), hex("0044 0043 0134 917a"));
}

TEST(UdpFrame, RoundTrip) {
  UdpEndpoints e;
  e.source_mac = {2, 0, 0, 0, 0, 1};
  e.destination_mac = {2, 0, 0, 0, 0, 2};
  e.source = Ipv4Address{{10, 0, 2, 2}};
  e.destination = Ipv4Address{{10, 0, 2, 15}};
  e.source_port = 67;
  e.destination_port = 68;
  std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  auto f = build_udp_frame(e, payload);
  f.resize(f.size() + 13, 0);  // Ethernet padding after the IP packet is ignored
  auto d = parse_udp_frame(f, "frame");
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ(d->source_mac, e.source_mac);
  EXPECT_EQ(d->source, e.source);
  EXPECT_EQ(d->destination, e.destination);
  EXPECT_EQ(d->source_port, 67);
  EXPECT_EQ(d->destination_port, 68);
  EXPECT_EQ(std::vector<uint8_t>(d->payload.begin(), d->payload.end()), payload);
}

class DamagedFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    UdpEndpoints e;
    e.source = Ipv4Address{{10, 0, 2, 2}};
    e.destination = Ipv4Address{{255, 255, 255, 255}};
    e.source_port = 67;
    e.destination_port = 68;
    frame_ = build_udp_frame(e, std::vector<uint8_t>(40, 0xab));
  }
  std::string refused(const std::string& part) {
    auto d = parse_udp_frame(frame_, "frame");
    if (d) return "accepted";
    return d.error().message().find(part) != std::string::npos ? "" : d.error().message();
  }
  std::vector<uint8_t> frame_;
};

TEST_F(DamagedFrame, IpHeaderChecksum) {
  frame_[14 + 8] = 1;  // TTL changed, checksum not
  EXPECT_EQ(refused("bad IPv4 header checksum"), "");
}
TEST_F(DamagedFrame, UdpChecksum) {
  frame_.back() ^= 1;
  EXPECT_EQ(refused("bad UDP checksum"), "");
}
TEST_F(DamagedFrame, NoUdpChecksumIsAccepted) {
  frame_.back() ^= 1;
  frame_[34 + 6] = frame_[34 + 7] = 0;  // "no checksum" (RFC 768)
  EXPECT_TRUE(parse_udp_frame(frame_, "frame"));
}
TEST_F(DamagedFrame, TotalLengthBeyondTheFrame) {
  frame_.resize(frame_.size() - 10);
  EXPECT_EQ(refused("does not fit"), "");
}
TEST_F(DamagedFrame, UdpLengthBeyondThePacket) {
  frame_[34 + 4] = 0x10;  // UDP length 4096+
  EXPECT_EQ(refused("UDP length"), "");
}
TEST_F(DamagedFrame, TooShort) {
  frame_.resize(30);
  EXPECT_EQ(refused("too short"), "");
}
TEST_F(DamagedFrame, NotIpv4) {
  frame_[12] = 0x86, frame_[13] = 0xdd;
  EXPECT_EQ(refused("not IPv4"), "");
}
TEST_F(DamagedFrame, HeaderLengthUnderTwenty) {
  frame_[14] = 0x44;
  EXPECT_EQ(refused("header length 16"), "");
}
TEST_F(DamagedFrame, Fragment) {
  frame_[14 + 6] = 0x20;  // MF
  frame_[14 + 10] = frame_[14 + 11] = 0;
  uint16_t c = internet_checksum(std::span<const uint8_t>(frame_).subspan(14, 20));
  frame_[14 + 10] = static_cast<uint8_t>(c >> 8), frame_[14 + 11] = static_cast<uint8_t>(c);
  EXPECT_EQ(refused("fragment"), "");
}

}  // namespace
}  // namespace vmcap::network
