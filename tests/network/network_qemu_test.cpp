// Debian's real 6.1 kernel in QEMU (TCG) with a NIC on QEMU user networking (virtio-net
// for DHCP, e1000 for a static address): the
// static network_guest_init brings the network up with vmcap_network and fetches a file
// from a python3 HTTP server on 127.0.0.1. DHCP must get QEMU's lease (10.0.2.15/24,
// router 10.0.2.2, DNS 10.0.2.3); both ways the fetched bytes must be the served ones and
// QEMU must end through the guest's reboot. On a link where nobody answers (Debian's 6.12),
// the bring-up must give up at its timeout.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// The console line starting with `tag`, without "\r".
std::string line_of(const std::string& console, const std::string& tag) {
  std::istringstream in(console);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto at = line.find(tag);
    if (at != std::string::npos) return line.substr(at);
  }
  return "";
}

// tcpdump's verbose reading of the frames QEMU saw on the NIC: an independent decoder of
// what vmcap_network sent (it checks IP and UDP checksums: "[udp sum ok]", "bad cksum").
std::string tcpdump(const std::string& pcap, const std::string& filter) {
  std::string command = "tcpdump -nn -vvv -r '" + pcap + "' '" + filter + "' 2>&1";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

struct GuestRun {
  std::string console;
  std::string payload;
  int qemu_status = -1;
  std::string pcap;
};

GuestRun run_guest(const std::string& mode, const std::string& kernel = "6.1") {
  const std::string out = std::string(VMCAP_NETWORK_OUT) + "/" + mode;
  const std::string command = std::string(VMCAP_NETWORK_RUNNER) + " '" + VMCAP_NETWORK_GUEST_INIT + "' '" + out +
                              "' '" + VMCAP_NETWORK_KERNEL_CACHE + "' " + mode + " " + kernel;
  int rc = std::system(command.c_str());
  EXPECT_EQ(rc, 0) << command;
  GuestRun run;
  run.console = read_file(out + "/console.log");
  run.payload = read_file(out + "/payload.bin");
  run.qemu_status = std::atoi(read_file(out + "/qemu.status").c_str());
  run.pcap = out + "/nic.pcap";
  return run;
}

std::string expected_fetch(const std::string& payload) {
  char line[160];
  std::snprintf(line, sizeof line, "FETCH status='HTTP/1.0 200 OK' bytes=%zu fnv1a64=%016llx", payload.size(),
                static_cast<unsigned long long>(fnv1a64(payload)));
  return line;
}

TEST(NetworkQemu, DhcpLeaseFromQemuOnVirtioNetThenFetchFromHost) {
  GuestRun run = run_guest("dhcp");
  ASSERT_EQ(run.payload.size(), 196608u);
  EXPECT_EQ(line_of(run.console, "NETWORK-ERROR"), "") << run.console;
  EXPECT_EQ(line_of(run.console, "LEASE "),
            "LEASE interface=eth0 address=10.0.2.15/24 gateway=10.0.2.2 dns=10.0.2.3 source=dhcp server=10.0.2.2 "
            "lease_seconds=86400")
      << run.console;
  // run twice: the second bring-up (a new exchange, the route replaced) gives the same
  EXPECT_EQ(count(run.console, line_of(run.console, "LEASE ")), 2u) << run.console;
  EXPECT_EQ(line_of(run.console, "RESOLV nameserver"), "RESOLV nameserver 10.0.2.3");
  EXPECT_NE(line_of(run.console, "network: eth0 10.0.2.15/24 via 10.0.2.2 (dhcp from 10.0.2.2, "), "");
  EXPECT_EQ(line_of(run.console, "FETCH"), expected_fetch(run.payload)) << run.console;
  EXPECT_NE(line_of(run.console, "GUEST-INIT done"), "");
  EXPECT_NE(line_of(run.console, "reboot: Restarting system"), "") << run.console;
  EXPECT_EQ(run.qemu_status, 0);

  // What the client sent, as tcpdump decodes it: broadcast DISCOVER then REQUEST for the
  // offer (twice), correct checksums, the host name option.
  std::string sent = tcpdump(run.pcap, "udp and src port 68");
  size_t frames = count(sent, "0.0.0.0.68 > 255.255.255.255.67:");
  EXPECT_GE(frames, 4u) << sent;  // two exchanges
  EXPECT_EQ(count(sent, "[udp sum ok] BOOTP/DHCP, Request from"), frames) << sent;
  EXPECT_EQ(count(sent, "bad cksum"), 0u) << sent;
  EXPECT_GE(count(sent, "DHCP-Message (53), length 1: Discover"), 2u) << sent;
  EXPECT_GE(count(sent, "DHCP-Message (53), length 1: Request"), 2u) << sent;
  EXPECT_GE(count(sent, "Requested-IP (50), length 4: 10.0.2.15"), 1u) << sent;
  EXPECT_GE(count(sent, "Server-ID (54), length 4: 10.0.2.2"), 1u) << sent;
  EXPECT_EQ(count(sent, "Hostname (12), length 16: \"vmcap-test-guest\""), frames) << sent;
  EXPECT_EQ(count(sent, "Flags [Broadcast]"), frames) << sent;
}

TEST(NetworkQemu, StaticAddressOnE1000ThenFetchFromHost) {
  GuestRun run = run_guest("static");
  ASSERT_EQ(run.payload.size(), 196608u);
  EXPECT_EQ(line_of(run.console, "NETWORK-ERROR"), "") << run.console;
  EXPECT_EQ(line_of(run.console, "LEASE "),
            "LEASE interface=eth0 address=10.0.2.15/24 gateway=10.0.2.2 dns=10.0.2.3 source=static server=none "
            "lease_seconds=0")
      << run.console;
  EXPECT_EQ(line_of(run.console, "RESOLV nameserver"), "RESOLV nameserver 10.0.2.3");
  EXPECT_EQ(line_of(run.console, "FETCH"), expected_fetch(run.payload)) << run.console;
  EXPECT_NE(line_of(run.console, "reboot: Restarting system"), "") << run.console;
  EXPECT_EQ(run.qemu_status, 0);
}

// No DHCP server on the link: the bring-up gives up at its timeout with an error that says
// how far it got, after retransmitting the same DISCOVER (same xid); and a named interface
// that does not exist is an error naming it. On 6.12: .ko.xz modules, virtio_pci built in.
TEST(NetworkQemu, SilentLinkTimesOutAfterRetransmissions) {
  GuestRun run = run_guest("silent", "6.12");
  EXPECT_EQ(line_of(run.console, "MISSING-ERROR"),
            "MISSING-ERROR eth9: finding the interface: no such network interface (is the NIC's module loaded?)")
      << run.console;
  std::string error = line_of(run.console, "NETWORK-ERROR");
  EXPECT_EQ(error.rfind("NETWORK-ERROR eth0: DHCP: no DHCP lease before the timeout (", 0), 0u) << run.console;
  EXPECT_NE(error.find(" DISCOVER, 0 REQUEST sent"), std::string::npos) << error;
  EXPECT_EQ(line_of(run.console, "LEASE"), "");
  EXPECT_NE(line_of(run.console, "reboot: Restarting system"), "") << run.console;
  EXPECT_EQ(run.qemu_status, 0);

  std::string sent = tcpdump(run.pcap, "udp and src port 68");
  EXPECT_GE(count(sent, "DHCP-Message (53), length 1: Discover"), 2u) << sent;
  EXPECT_EQ(count(sent, "DHCP-Message (53), length 1: Request"), 0u) << sent;
  size_t xid_at = sent.find("xid 0x");
  ASSERT_NE(xid_at, std::string::npos) << sent;
  std::string first_xid = sent.substr(xid_at, sent.find(',', xid_at) - xid_at + 1);  // "xid 0x1a2b,"
  EXPECT_EQ(count(sent, first_xid), count(sent, "xid 0x")) << sent;
  EXPECT_EQ(count(sent, "bad cksum"), 0u) << sent;
}

}  // namespace
