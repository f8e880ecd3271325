#include "initramfs/network/link.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

namespace vmcap::network {
namespace {

using namespace std::chrono_literals;

// A socket for interface ioctls, closed on every path.
class IoctlSocket {
 public:
  IoctlSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
  ~IoctlSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  IoctlSocket(const IoctlSocket&) = delete;
  IoctlSocket& operator=(const IoctlSocket&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

Error os_error(const std::string& name, const std::string& what) {
  return make_error(ErrorKind::Io, name, std::nullopt, what + ": " + std::strerror(errno));
}

Result<ifreq> request_for(const std::string& name) {
  ifreq r{};
  if (name.empty() || name.size() >= IFNAMSIZ)
    return make_error(ErrorKind::Usage, name, std::nullopt, "interface name must be 1..15 characters");
  std::memcpy(r.ifr_name, name.c_str(), name.size());
  return r;
}

Result<short> interface_flags(int fd, const std::string& name) {
  ifreq r = VMCAP_TRY(request_for(name));
  if (::ioctl(fd, SIOCGIFFLAGS, &r) != 0) return os_error(name, "SIOCGIFFLAGS");
  return r.ifr_flags;
}

bool is_ethernet(int fd, const char* name) {
  ifreq r{};
  std::strncpy(r.ifr_name, name, IFNAMSIZ - 1);
  return ::ioctl(fd, SIOCGIFHWADDR, &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_ETHER;
}

// Every Ethernet interface (loopback and tunnels such as sit0 are not), by index.
std::vector<std::pair<int, std::string>> ethernet_interfaces(int fd) {
  std::vector<std::pair<int, std::string>> out;
  struct if_nameindex* list = ::if_nameindex();
  if (!list) return out;
  for (struct if_nameindex* i = list; i->if_index != 0 && i->if_name; ++i) {
    auto flags = interface_flags(fd, i->if_name);
    if (flags && !(*flags & IFF_LOOPBACK) && is_ethernet(fd, i->if_name)) out.emplace_back(static_cast<int>(i->if_index), i->if_name);
  }
  ::if_freenameindex(list);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<InterfaceInfo> find_interface(const std::string& configured, Deadline deadline) {
  IoctlSocket s;
  if (s.fd() < 0) return os_error("socket(AF_INET)", "for interface ioctls");
  const bool automatic = configured.empty() || configured == "auto";
  InterfaceInfo info;
  for (;;) {
    if (automatic) {
      auto found = ethernet_interfaces(s.fd());
      if (!found.empty()) {
        info.index = found.front().first;
        info.name = found.front().second;
        break;
      }
    } else if (unsigned index = ::if_nametoindex(configured.c_str()); index != 0) {
      info.index = static_cast<int>(index);
      info.name = configured;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(ErrorKind::Missing, automatic ? std::string("network") : configured, std::nullopt,
                        automatic ? "no Ethernet interface appeared (is the NIC's module loaded?)"
                                  : "no such network interface (is the NIC's module loaded?)");
    std::this_thread::sleep_for(50ms);
  }
  ifreq r = VMCAP_TRY(request_for(info.name));
  if (::ioctl(s.fd(), SIOCGIFHWADDR, &r) != 0) return os_error(info.name, "SIOCGIFHWADDR");
  if (r.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    return make_error(ErrorKind::Format, info.name, std::nullopt,
                      "hardware type " + std::to_string(r.ifr_hwaddr.sa_family) + " is not Ethernet");
  std::memcpy(info.mac.data(), r.ifr_hwaddr.sa_data, info.mac.size());
  return info;
}

Result<void> set_link_up(const std::string& name) {
  IoctlSocket s;
  if (s.fd() < 0) return os_error("socket(AF_INET)", "for interface ioctls");
  ifreq r = VMCAP_TRY(request_for(name));
  if (::ioctl(s.fd(), SIOCGIFFLAGS, &r) != 0) return os_error(name, "SIOCGIFFLAGS");
  if (r.ifr_flags & IFF_UP) return ok();
  r.ifr_flags = static_cast<short>(r.ifr_flags | IFF_UP);
  if (::ioctl(s.fd(), SIOCSIFFLAGS, &r) != 0) return os_error(name, "SIOCSIFFLAGS (up)");
  return ok();
}

Result<void> wait_for_carrier(const std::string& name, Deadline deadline) {
  IoctlSocket s;
  if (s.fd() < 0) return os_error("socket(AF_INET)", "for interface ioctls");
  const std::string carrier_file = "/sys/class/net/" + name + "/carrier";
  for (;;) {
    std::ifstream in(carrier_file);
    int carrier = -1;
    if (in >> carrier) {
      if (carrier == 1) return ok();
    } else {
      auto flags = VMCAP_TRY(interface_flags(s.fd(), name));
      if (flags & IFF_RUNNING) return ok();
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return make_error(ErrorKind::Missing, name, std::nullopt, "no carrier (cable or virtual link down) before the timeout");
    std::this_thread::sleep_for(50ms);
  }
}

}  // namespace vmcap::network
