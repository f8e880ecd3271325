#include "arm/machine/nic_drivers.h"

#include <algorithm>
#include <charconv>
#include <filesystem>

#include "arm/machine/machine_files.h"
#include "initramfs/sysfs_drivers.h"

namespace fs = std::filesystem;

namespace vmcap::arm {
namespace {

constexpr size_t kMaxRouteBytes = 1u << 20;  // one line a route: tens of thousands of routes
constexpr size_t kMaxInterfaces = 4096;      // listed in /sys/class/net

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> f;
  size_t at = 0;
  while (at < line.size() && f.size() < 16) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
    size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') ++end;
    if (end > at) f.push_back(line.substr(at, end - at));
    at = end;
  }
  return f;
}

std::optional<uint64_t> hex_field(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || s.size() > 16 || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

bool has_device(const std::string& root, const std::string& iface) {
  std::error_code ec;
  return fs::exists(under_root(root, "/sys/class/net/" + iface + "/device"), ec);
}

}  // namespace

std::vector<std::string> CaptureNic::modules() const { return initramfs::modules_outermost_first(drivers); }

std::optional<std::string> default_route_interface(std::string_view table) {
  std::optional<std::string> best;
  uint64_t best_metric = 0;
  size_t at = 0;
  bool header = true;
  while (at < table.size()) {
    size_t end = table.find('\n', at);
    if (end == std::string_view::npos) end = table.size();
    const std::string_view line = table.substr(at, end - at);
    at = end + 1;
    if (header) {  // "Iface\tDestination\tGateway ..."
      header = false;
      if (line.starts_with("Iface")) continue;
    }
    const auto f = fields_of(line);
    if (f.size() < 8) continue;
    const auto dest = hex_field(f[1]), flags = hex_field(f[3]), mask = hex_field(f[7]);
    const auto metric = parse_decimal(f[6]);  // "%d" in the kernel's table, the others hex
    if (!dest || !flags || !metric || !mask) continue;
    const uint64_t m = *metric;
    if (*dest != 0 || *mask != 0 || !(*flags & 0x1) || !valid_interface_name(f[0])) continue;
    if (!best || m < best_metric) {
      best = std::string(f[0]);
      best_metric = m;
    }
  }
  return best;
}

bool valid_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  return std::none_of(name.begin(), name.end(), [](char c) {
    return c == '/' || c == ':' || c == '\0' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  });
}

Result<CaptureNic> find_capture_nic(std::string_view configured, const std::string& root) {
  CaptureNic nic;
  if (!configured.empty() && configured != "auto") {
    if (!valid_interface_name(configured))
      return make_error(ErrorKind::Usage, "", std::nullopt,
                        "[network] interface '" + std::string(configured) + "' is not an interface name");
    nic.interface = std::string(configured);
    nic.how_chosen = "named in [network]";
    std::error_code ec;
    if (!fs::exists(under_root(root, "/sys/class/net/" + nic.interface), ec))
      return make_error(ErrorKind::Missing, "/sys/class/net/" + nic.interface, std::nullopt,
                        "no such interface (named in [network])");
  } else {
    auto route = read_machine_file(root, "/proc/net/route", kMaxRouteBytes);
    if (route) {
      if (auto i = default_route_interface(route->text); i && has_device(root, *i)) {
        nic.interface = *i;
        nic.how_chosen = "the default route's (/proc/net/route)";
      }
    }
    if (nic.interface.empty()) {
      std::vector<std::string> names;
      std::error_code ec;
      for (fs::directory_iterator it(under_root(root, "/sys/class/net"), ec), end; !ec && it != end; it.increment(ec)) {
        if (names.size() >= kMaxInterfaces) break;
        const std::string n = it->path().filename().string();
        if (valid_interface_name(n) && n != "lo") names.push_back(n);
      }
      std::sort(names.begin(), names.end());
      for (const std::string& n : names)
        if (has_device(root, n)) {
          nic.interface = n;
          nic.how_chosen = "the first interface with a device (no default route)";
          break;
        }
      if (nic.interface.empty())
        return make_error(ErrorKind::Missing, "/sys/class/net", std::nullopt,
                          "no network interface with a device, and no default route");
    }
  }

  const std::string dev_link = "/sys/class/net/" + nic.interface + "/device";
  std::error_code ec;
  fs::path dev = fs::canonical(under_root(root, dev_link), ec);
  if (ec)  // a named interface without a device: virtual, nothing to load for it
    return nic;
  auto chain = initramfs::drivers_up_from(dev, root, dev_link);
  nic.drivers = std::move(chain.drivers);
  nic.on_usb = std::find(chain.subsystems.begin(), chain.subsystems.end(), "usb") != chain.subsystems.end();
  return nic;
}

}  // namespace vmcap::arm
