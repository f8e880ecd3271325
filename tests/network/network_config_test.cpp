// `[network]` of /etc/vmcap.conf (docs/config.md): keys, defaults, every problem with its
// line, and what check-config says.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "capture/config/capture_config.h"
#include "capture/config/check_config.h"
#include "capture/config/config_parser.h"
#include "capture/config/value_parsers.h"
#include "tests/config/config_problem.h"
#include "tests/support/temp_dir.h"

namespace vmcap::config {
namespace {

using namespace std::chrono_literals;

ParsedConfig parse(const std::string& text) { return parse_config(text, "test.conf"); }

std::string problems(const ParsedConfig& p) {
  std::string out;
  for (const auto& pr : p.problems) out += std::to_string(pr.line) + ": " + pr.message + "\n";
  return out;
}

Ipv4Address ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return Ipv4Address{{a, b, c, d}}; }

TEST(NetworkConfig, NoSectionNoNetwork) {
  auto p = parse("deadline = 5m\n");
  EXPECT_TRUE(p.ok()) << problems(p);
  EXPECT_FALSE(p.config.network);
}

TEST(NetworkConfig, EmptySectionIsAutoDhcp) {
  auto p = parse("[network]\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  ASSERT_TRUE(p.config.network);
  const Network& n = *p.config.network;
  EXPECT_EQ(n.interface, "");
  EXPECT_TRUE(n.dhcp);
  EXPECT_TRUE(n.dns.empty());
  EXPECT_TRUE(n.modules.empty());
  EXPECT_EQ(n.timeout, 30s);
  EXPECT_EQ(n.line, 1);
}

TEST(NetworkConfig, StaticAddress) {
  auto p = parse(
      "hostname = web-01\n"
      "[destination local]\n"
      "url = file:///var/crash\n"
      "[network]\n"
      "interface = eth1\n"
      "address = 192.168.10.20/23\n"
      "gateway = 192.168.11.254\n"
      "dns = 192.168.10.1, 9.9.9.9 1.1.1.1\n"
      "modules = virtio_net, e1000 igb\n"
      "timeout = 90s\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  ASSERT_TRUE(p.config.network);
  const Network& n = *p.config.network;
  EXPECT_EQ(n.interface, "eth1");
  EXPECT_FALSE(n.dhcp);
  EXPECT_EQ(n.address, ip(192, 168, 10, 20));
  EXPECT_EQ(n.prefix_length, 23);
  EXPECT_EQ(n.gateway, ip(192, 168, 11, 254));
  EXPECT_EQ(n.dns, (std::vector<Ipv4Address>{ip(192, 168, 10, 1), ip(9, 9, 9, 9), ip(1, 1, 1, 1)}));
  EXPECT_EQ(n.modules, (std::vector<std::string>{"virtio_net", "e1000", "igb"}));
  EXPECT_EQ(n.timeout, 90s);
  EXPECT_EQ(n.hostname, "web-01");  // DHCP's host name option
  EXPECT_EQ(n.line, 4);
  ASSERT_EQ(p.config.destinations.size(), 1u);  // sections after and before both work
}

TEST(NetworkConfig, DhcpWithOwnDnsAndAutoInterface) {
  auto p = parse("[network]\ninterface = auto\naddress = dhcp\ndns = 10.0.0.53\n[destination d]\nurl = file:///x\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  EXPECT_EQ(p.config.network->interface, "");
  EXPECT_TRUE(p.config.network->dhcp);
  EXPECT_EQ(p.config.network->dns, (std::vector<Ipv4Address>{ip(10, 0, 0, 53)}));
  EXPECT_EQ(p.config.destinations.size(), 1u);
}

TEST(NetworkConfig, EveryProblemWithItsLine) {
  auto p = parse(
      "[network]\n"              // 1
      "interface = eth0/1\n"     // 2
      "address = 10.0.2.300/24\n"  // 3
      "dns = 10.0.2.3, nine\n"   // 4
      "modules = virtio.net\n"   // 5
      "timeout = 0s\n"           // 6
      "mtu = 1500\n"             // 7
      "timeout = 5s\n"           // 8
      "gateway = 10.0.2.2\n");   // 9
  EXPECT_TRUE(has_problem(p, 2, "[network] interface: 'eth0/1' is not an interface name")) << problems(p);
  EXPECT_TRUE(has_problem(p, 3, "address: expected dhcp or A.B.C.D/PREFIX")) << problems(p);
  EXPECT_TRUE(has_problem(p, 4, "dns: 'nine' is not an IPv4 address")) << problems(p);
  EXPECT_TRUE(has_problem(p, 5, "modules: 'virtio.net' is not a kernel module name")) << problems(p);
  EXPECT_TRUE(has_problem(p, 6, "timeout: 0s is out of range")) << problems(p);
  EXPECT_TRUE(has_problem(p, 7, "unknown key 'mtu'")) << problems(p);
  EXPECT_TRUE(has_problem(p, 8, "'timeout' given twice")) << problems(p);
  EXPECT_TRUE(has_problem(p, 9, "gateway: only with a static address")) << problems(p);
  EXPECT_EQ(p.problems.size(), 8u) << problems(p);
  // What is broken stays at its default; the section stays.
  ASSERT_TRUE(p.config.network);
  EXPECT_TRUE(p.config.network->dhcp);
  EXPECT_EQ(p.config.network->interface, "");
  EXPECT_EQ(p.config.network->timeout, 30s);
  EXPECT_FALSE(p.config.network->gateway);
}

TEST(NetworkConfig, AddressForms) {
  for (const char* bad : {"10.0.2.15", "10.0.2.15/0", "10.0.2.15/33", "10.0.2/24", "10.0.2.15.1/24", "010.0.2.1500/24",
                          " /24", "10.0.2.15/x", "-1.0.0.0/8", "dhcp4"}) {
    auto p = parse(std::string("[network]\naddress = ") + bad + "\n");
    EXPECT_TRUE(has_problem(p, 2, "address: expected dhcp or A.B.C.D/PREFIX")) << bad << "\n" << problems(p);
  }
  auto p = parse("[network]\naddress = 10.0.2.15/32\n");
  EXPECT_TRUE(p.ok()) << problems(p);
  EXPECT_EQ(p.config.network->prefix_length, 32);
}

TEST(NetworkConfig, GatewayOutsideTheSubnet) {
  auto p = parse("[network]\ngateway = 10.0.3.1\naddress = 10.0.2.15/24\n");
  EXPECT_TRUE(has_problem(p, 2, "gateway: 10.0.3.1 is outside 10.0.2.15/24")) << problems(p);
  p = parse("[network]\naddress = 10.0.2.15/22\ngateway = 10.0.3.1\n");
  EXPECT_TRUE(p.ok()) << problems(p);
}

TEST(NetworkConfig, AtMostThreeDnsServers) {
  auto p = parse("[network]\ndns = 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4\n");
  EXPECT_TRUE(has_problem(p, 2, "at most 3")) << problems(p);
  EXPECT_TRUE(p.config.network->dns.empty());
}

TEST(NetworkConfig, SectionOnceAndHeaderChecked) {
  auto p = parse("[network]\ntimeout = 5s\n[network]\ntimeout = 7s\n[network x]\n");
  EXPECT_TRUE(has_problem(p, 3, "[network] already given on line 1")) << problems(p);
  EXPECT_TRUE(has_problem(p, 5, "expected [destination NAME], [network] or [arm]")) << problems(p);
  EXPECT_EQ(p.problems.size(), 2u) << problems(p);  // the second section's keys are not checked again
  EXPECT_EQ(p.config.network->timeout, 5s);
}

TEST(NetworkConfig, Ipv4Parser) {
  EXPECT_EQ(parse_ipv4_address("0.0.0.0").value, ip(0, 0, 0, 0));
  EXPECT_EQ(parse_ipv4_address("255.255.255.255").value, ip(255, 255, 255, 255));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.", "1.2.3.256", "1..3.4", "a.b.c.d", "1.2.3.4 ", "1.2.3.0004", "+1.2.3.4"})
    EXPECT_FALSE(parse_ipv4_address(bad).value) << bad;
}

TEST(NetworkConfig, CheckConfigReportsAndDescribes) {
  testing::TempDir dir;
  std::string path = dir.file("vmcap.conf");
  std::ofstream(path) << "[network]\ninterface = eth0\naddress = 10.0.2.15/24\ngateway = 10.0.2.2\ndns = 10.0.2.3\n"
                         "modules = virtio_net\ntimeout = 20s\n";
  std::ostringstream out;
  EXPECT_EQ(run_check_config(path, out), 0) << out.str();
  EXPECT_NE(out.str().find("network: eth0 10.0.2.15/24 via 10.0.2.2, dns 10.0.2.3, timeout 20s, modules virtio_net\n"),
            std::string::npos)
      << out.str();

  std::ofstream(path) << "[network]\naddress = nope\n";
  std::ostringstream bad;
  EXPECT_EQ(run_check_config(path, bad), 2);
  EXPECT_NE(bad.str().find(path + ":2: [network] address: expected dhcp or A.B.C.D/PREFIX (PREFIX 1..32), got 'nope'"),
                          std::string::npos)
      << bad.str();
  EXPECT_NE(bad.str().find("network: auto dhcp, timeout 30s\n"), std::string::npos) << bad.str();

  std::ofstream(path) << "deadline = 1m\n";
  std::ostringstream none;
  EXPECT_EQ(run_check_config(path, none), 0);
  EXPECT_NE(none.str().find("network: no [network] section"), std::string::npos) << none.str();
}

TEST(NetworkConfig, CaptureKeepsTheSectionDespiteProblems) {
  testing::TempDir dir;
  std::string path = dir.file("vmcap.conf");
  std::ofstream(path) << "[network]\nmodules = e1000\nfoo = bar\n";
  CaptureConfig c = load_config_for_capture(path);
  EXPECT_TRUE(c.degraded());
  ASSERT_TRUE(c.config.network);
  EXPECT_EQ(c.config.network->modules, std::vector<std::string>{"e1000"});
}

// docs/vmcap.conf.example's [network] has no problem (its other problems are the secret
// files it names, which a test machine lacks).
TEST(NetworkConfig, ShippedExample) {
  auto loaded = load_config(VMCAP_SOURCE_DIR "/docs/vmcap.conf.example");
  ASSERT_TRUE(loaded) << loaded.error().message();
  for (const auto& p : loaded->problems) EXPECT_EQ(p.message.find("[network]"), std::string::npos) << p.message;
  ASSERT_TRUE(loaded->config.network);
  EXPECT_TRUE(loaded->config.network->dhcp);
  EXPECT_EQ(loaded->config.network->modules, (std::vector<std::string>{"virtio_net", "e1000"}));
}

}  // namespace
}  // namespace vmcap::config
