#include "initramfs/network/address_config.h"
#include "elf/unique_fd.h"

#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace vmcap::network {
namespace {

Error os_error(const std::string& name, const std::string& what) {
  return make_error(ErrorKind::Io, name, std::nullopt, what + ": " + std::strerror(errno));
}

sockaddr_in inet(const Ipv4Address& a) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  std::memcpy(&s.sin_addr, a.octets.data(), 4);
  return s;
}


}  // namespace

Result<void> set_ipv4_address(const std::string& interface, const Ipv4Address& address, int prefix_length) {
  if (prefix_length < 1 || prefix_length > 32)
    return make_error(ErrorKind::Usage, interface, std::nullopt, "prefix length " + std::to_string(prefix_length) + " is not 1..32");
  if (interface.empty() || interface.size() >= IFNAMSIZ)
    return make_error(ErrorKind::Usage, interface, std::nullopt, "interface name must be 1..15 characters");
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return os_error("socket(AF_INET)", "for address ioctls");
  const Ipv4Address mask = mask_of(prefix_length);
  Ipv4Address broadcast;
  for (int i = 0; i < 4; ++i) broadcast.octets[i] = static_cast<uint8_t>(address.octets[i] | ~mask.octets[i]);

  auto set = [&](unsigned long request, const Ipv4Address& value, const char* name) -> Result<void> {
    ifreq r{};
    std::memcpy(r.ifr_name, interface.c_str(), interface.size());
    sockaddr_in a = inet(value);
    std::memcpy(&r.ifr_addr, &a, sizeof a);
    if (::ioctl(s.get(), request, &r) != 0) return os_error(interface, std::string(name) + " " + value.to_string());
    return ok();
  };
  VMCAP_CHECK(set(SIOCSIFADDR, address, "SIOCSIFADDR"));
  VMCAP_CHECK(set(SIOCSIFNETMASK, mask, "SIOCSIFNETMASK"));
  if (prefix_length < 31) VMCAP_CHECK(set(SIOCSIFBRDADDR, broadcast, "SIOCSIFBRDADDR"));
  return ok();
}

Result<void> add_default_route(const std::string& interface, const Ipv4Address& gateway) {
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s.get() < 0) return os_error("socket(AF_INET)", "for route ioctls");
  rtentry route{};
  sockaddr_in any = inet(Ipv4Address{});
  sockaddr_in gw = inet(gateway);
  std::memcpy(&route.rt_dst, &any, sizeof any);
  std::memcpy(&route.rt_genmask, &any, sizeof any);
  std::memcpy(&route.rt_gateway, &gw, sizeof gw);
  route.rt_flags = RTF_UP | RTF_GATEWAY;
  std::string dev = interface;  // rt_dev is a char*, not const
  route.rt_dev = dev.data();
  // Whatever default route there is goes first: a bring-up run again (after a failed
  // step, or by a second caller) must not stop at EEXIST. At most a few: one per table
  // entry the kernel finds, each deletion removes one.
  rtentry any_default{};
  std::memcpy(&any_default.rt_dst, &any, sizeof any);
  std::memcpy(&any_default.rt_genmask, &any, sizeof any);
  for (int i = 0; i < 16 && ::ioctl(s.get(), SIOCDELRT, &any_default) == 0; ++i) {
  }
  if (::ioctl(s.get(), SIOCADDRT, &route) != 0)
    return os_error(interface, "SIOCADDRT default via " + gateway.to_string());
  return ok();
}

Result<void> write_resolv_conf(const std::string& path, const std::vector<Ipv4Address>& servers) {
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return os_error(dir, "mkdir");
  }
  std::string text = "# written by vmcap (network bring-up)\n";
  for (size_t i = 0; i < servers.size() && i < 3; ++i) text += "nameserver " + servers[i].to_string() + "\n";
  const std::string tmp = path + ".tmp";
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return os_error(tmp, "open");
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) return os_error(tmp, "write");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return os_error(path, "rename from " + tmp);
  return ok();
}

}  // namespace vmcap::network
