#include "capture/config/network_section.h"

#include "capture/config/spelling.h"

#include <cctype>
#include <set>

#include "capture/config/value_parsers.h"

namespace vmcap::config {
namespace {

using namespace std::chrono_literals;

// What the kernel accepts as an interface name (dev_valid_name): 1..15 bytes, no '/',
// ':' or blanks, not "." or "..".
bool valid_interface_name(const std::string& s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  for (char c : s)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || static_cast<unsigned char>(c) < 0x21) return false;
  return true;
}

bool valid_module_name(const std::string& s) {
  if (s.empty() || s.size() > 55) return false;  // MODULE_NAME_LEN - 1
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

bool same_subnet(const Ipv4Address& a, const Ipv4Address& b, int prefix_length) {
  for (int bit = 0; bit < prefix_length; ++bit) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (bit % 8));
    if ((a.octets[bit / 8] & mask) != (b.octets[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace

Network parse_network_section(int section_line, const std::vector<NetworkEntry>& entries,
                              const std::string& hostname, std::vector<Problem>& problems) {
  Network n;
  n.line = section_line;
  n.hostname = hostname;
  auto bad = [&](int line, const std::string& message) { problems.push_back({line, "", "[network] " + message}); };
  std::set<std::string> seen;
  const NetworkEntry* gateway = nullptr;
  bool address_static = false;
  for (const NetworkEntry& e : entries) {
    if (!seen.insert(e.key).second) {
      bad(e.line, "'" + e.key + "' given twice");
      continue;
    }
    if (e.key == "interface") {
      if (e.value == "auto") n.interface.clear();
      else if (valid_interface_name(e.value)) n.interface = e.value;
      else bad(e.line, "interface: '" + e.value + "' is not an interface name (auto, or 1..15 characters without / : or blanks)");
    } else if (e.key == "address") {
      if (e.value == "dhcp") {
        n.dhcp = true;
        continue;
      }
      auto slash = e.value.find('/');
      auto address = parse_ipv4_address(std::string_view(e.value).substr(0, slash));
      auto prefix = slash == std::string::npos ? Parsed<long long>::fail("")
                                               : parse_integer(std::string_view(e.value).substr(slash + 1), 1, 32);
      if (!address.value || !prefix.value) {
        bad(e.line, "address: expected dhcp or A.B.C.D/PREFIX (PREFIX 1..32), got '" + e.value + "'");
        continue;
      }
      n.dhcp = false;
      n.address = *address.value;
      n.prefix_length = static_cast<int>(*prefix.value);
      address_static = true;
    } else if (e.key == "gateway") {
      gateway = &e;  // checked against the address below, wherever that line is
    } else if (e.key == "dns") {
      std::vector<Ipv4Address> servers;
      bool good = true;
      for (const std::string& word : parse_name_list(e.value)) {
        auto a = parse_ipv4_address(word);
        if (!a.value) {
          bad(e.line, "dns: " + a.error);
          good = false;
          break;
        }
        servers.push_back(*a.value);
      }
      if (good && servers.size() > 3) {
        bad(e.line, "dns: at most 3 servers (resolv.conf reads no more)");
        good = false;
      }
      if (good) n.dns = std::move(servers);
    } else if (e.key == "modules") {
      std::vector<std::string> names = parse_name_list(e.value);
      bool good = true;
      for (const std::string& name : names)
        if (!valid_module_name(name)) {
          bad(e.line, "modules: '" + name + "' is not a kernel module name (letters, digits, _ and -)");
          good = false;
        }
      if (good) n.modules = std::move(names);
    } else if (e.key == "timeout") {
      auto v = parse_duration(e.value);
      if (!v.value) bad(e.line, "timeout: " + v.error);
      else if (*v.value < 1s || *v.value > 10min) bad(e.line, "timeout: " + e.value + " is out of range 1s..10m");
      else n.timeout = *v.value;
    } else {
      static const std::vector<std::string> keys = {"interface", "address", "gateway", "dns", "modules", "timeout"};
      std::string hint = did_you_mean(e.key, keys);
      bad(e.line, "unknown key '" + e.key + "'" + (hint.empty() ? " (interface, address, gateway, dns, modules, timeout)" : hint));
    }
  }
  if (gateway) {
    auto g = parse_ipv4_address(gateway->value);
    if (!g.value) bad(gateway->line, "gateway: " + g.error);
    else if (!address_static) bad(gateway->line, "gateway: only with a static address (DHCP gives the router)");
    else if (!same_subnet(*g.value, n.address, n.prefix_length))
      bad(gateway->line, "gateway: " + gateway->value + " is outside " + n.address.to_string() + "/" +
                             std::to_string(n.prefix_length));
    else n.gateway = *g.value;
  }
  return n;
}

}  // namespace vmcap::config
