// /init of the test initramfs that tests/network/run-network-guest.sh boots in QEMU: loads
// the NIC's modules, brings the network up with vmcap_network as the kernel command line
// says, fetches an HTTP URL from the host, prints what it got, and reboots (QEMU's
// -no-reboot turns that into an exit). Static: nothing else is in the image.
//
// Command line: vmcap_net.address=dhcp|A.B.C.D/P [vmcap_net.gateway=A.B.C.D]
//               [vmcap_net.dns=A.B.C.D] [vmcap_net.timeout=SECONDS]
//               [vmcap_net.url=http://10.0.2.2:PORT/PATH]
//               [vmcap_net.missing=NAME]: first a bring-up on interface NAME, which must fail
//               [vmcap_net.repeat=N]: the bring-up N times (1..3; a second must work too)
// Console lines the test reads: "LEASE ...", "RESOLV ...", "FETCH ...", "NETWORK-ERROR ...".
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "initramfs/network/network_setup.h"

namespace {

using vmcap::config::Ipv4Address;

void say(const std::string& line) {
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

[[noreturn]] void finish() {
  std::fflush(stdout);
  ::sync();
  ::reboot(RB_AUTOBOOT);
  for (;;) ::pause();
}

std::map<std::string, std::string> command_line() {
  std::map<std::string, std::string> out;
  std::ifstream in("/proc/cmdline");
  std::string word;
  while (in >> word) {
    if (word.rfind("vmcap_net.", 0) != 0) continue;
    auto eq = word.find('=');
    if (eq != std::string::npos) out[word.substr(10, eq - 10)] = word.substr(eq + 1);
  }
  return out;
}

bool parse_address(const std::string& text, Ipv4Address& out) {
  in_addr a{};
  if (::inet_pton(AF_INET, text.c_str(), &a) != 1) return false;
  std::memcpy(out.octets.data(), &a, 4);
  return true;
}

void load_modules() {
  std::ifstream list("/modules.list");
  std::string path;
  while (std::getline(list, path)) {
    if (path.empty()) continue;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::syscall(SYS_finit_module, fd, "", 0) != 0) {
      if (errno != EEXIST) say("MODULE-ERROR " + path + ": " + std::strerror(errno));
    } else {
      say("MODULE " + path);
    }
    if (fd >= 0) ::close(fd);
  }
}

// 64-bit FNV-1a: the test computes the same over the served file.
uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// HTTP/1.0 GET over a plain TCP socket: status line and body.
void fetch(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return say("FETCH-ERROR not an http:// url: " + url);
  std::string rest = url.substr(prefix.size());
  std::string hostport = rest.substr(0, rest.find('/'));
  std::string path = rest.find('/') == std::string::npos ? "/" : rest.substr(rest.find('/'));
  std::string host = hostport.substr(0, hostport.find(':'));
  int port = hostport.find(':') == std::string::npos ? 80 : std::stoi(hostport.substr(hostport.find(':') + 1));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &a.sin_addr) != 1) return say("FETCH-ERROR host must be an address: " + host);
  int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{20, 0};
  ::setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    return say(std::string("FETCH-ERROR connect: ") + std::strerror(errno));
  std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + hostport + "\r\nUser-Agent: vmcap-network-test\r\n\r\n";
  if (::send(s, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size()))
    return say(std::string("FETCH-ERROR send: ") + std::strerror(errno));
  std::string response;
  char buf[16384];
  for (;;) {
    ssize_t n = ::recv(s, buf, sizeof buf, 0);
    if (n < 0) return say(std::string("FETCH-ERROR recv: ") + std::strerror(errno));
    if (n == 0) break;
    response.append(buf, static_cast<size_t>(n));
    if (response.size() > (16u << 20)) return say("FETCH-ERROR response over 16 MiB");
  }
  ::close(s);
  auto head_end = response.find("\r\n\r\n");
  if (head_end == std::string::npos) return say("FETCH-ERROR no end of headers");
  std::string status = response.substr(0, response.find("\r\n"));
  std::string body = response.substr(head_end + 4);
  char line[160];
  std::snprintf(line, sizeof line, "FETCH status='%s' bytes=%zu fnv1a64=%016llx", status.c_str(), body.size(),
                static_cast<unsigned long long>(fnv1a64(body)));
  say(line);
}

void print_lease(const vmcap::network::NetworkLease& lease) {
  std::string dns;
  for (const auto& d : lease.dns) dns += (dns.empty() ? "" : ",") + d.to_string();
  say("LEASE interface=" + lease.interface + " address=" + lease.address.to_string() + "/" +
      std::to_string(lease.prefix_length) + " gateway=" + (lease.gateway ? lease.gateway->to_string() : "none") +
      " dns=" + (dns.empty() ? "none" : dns) +
      " source=" + (lease.source == vmcap::network::AddressSource::Dhcp ? "dhcp" : "static") +
      " server=" + (lease.dhcp_server ? lease.dhcp_server->to_string() : "none") +
      " lease_seconds=" + std::to_string(lease.lease_time.count()));
}

}  // namespace

int main() {
  ::mount("proc", "/proc", "proc", 0, nullptr);
  ::mount("sysfs", "/sys", "sysfs", 0, nullptr);
  ::mount("devtmpfs", "/dev", "devtmpfs", 0, nullptr);
  if (int fd = ::open("/dev/console", O_RDWR); fd >= 0) {
    ::dup2(fd, 0), ::dup2(fd, 1), ::dup2(fd, 2);
    if (fd > 2) ::close(fd);
  }
  say("GUEST-INIT start");
  load_modules();
  auto args = command_line();

  if (args.count("missing")) {
    vmcap::config::Network missing;
    missing.interface = args["missing"];
    missing.timeout = std::chrono::seconds(1);
    auto r = vmcap::network::bring_up_network(missing, [](std::string_view line) { say(std::string(line)); });
    say(r ? "MISSING-ERROR none: " + r->describe() : "MISSING-ERROR " + r.error().file + ": " + r.error().reason);
  }

  vmcap::config::Network net;
  net.timeout = std::chrono::seconds(args.count("timeout") ? std::stoi(args["timeout"]) : 30);
  net.hostname = "vmcap-test-guest";
  const std::string address = args.count("address") ? args["address"] : "dhcp";
  if (address != "dhcp") {
    net.dhcp = false;
    auto slash = address.find('/');
    if (slash == std::string::npos || !parse_address(address.substr(0, slash), net.address)) {
      say("NETWORK-ERROR bad vmcap_net.address " + address);
      finish();
    }
    net.prefix_length = std::stoi(address.substr(slash + 1));
  }
  Ipv4Address a;
  if (args.count("gateway") && parse_address(args["gateway"], a)) net.gateway = a;
  if (args.count("dns") && parse_address(args["dns"], a)) net.dns.push_back(a);

  const int repeat = args.count("repeat") ? std::clamp(std::stoi(args["repeat"]), 1, 3) : 1;
  for (int i = 0; i < repeat; ++i) {
    auto lease = vmcap::network::bring_up_network(net, [](std::string_view line) { say(std::string(line)); });
    if (!lease) {
      const auto& e = lease.error();
      say("NETWORK-ERROR " + e.file + ": " + e.reason);
      finish();
    }
    print_lease(*lease);
  }
  std::ifstream resolv("/etc/resolv.conf");
  for (std::string line; std::getline(resolv, line);) say("RESOLV " + line);
  if (args.count("url")) fetch(args["url"]);
  say("GUEST-INIT done");
  finish();
}
