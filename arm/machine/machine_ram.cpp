#include "arm/machine/machine_ram.h"

#include <charconv>
#include <filesystem>

#include "arm/machine/machine_files.h"
#include "capture/run/meminfo.h"

namespace fs = std::filesystem;

namespace vmcap::arm {
namespace {

std::optional<uint64_t> parse_hex_line(std::string_view s) {
  s = trim(s);
  if (!s.starts_with("0x")) return std::nullopt;
  s.remove_prefix(2);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The firmware map's RAM; nothing when the map is absent, unreadable or has no RAM.
std::optional<MachineRam> firmware_ram(const std::string& root) {
  std::error_code ec;
  MachineRam ram;
  size_t entries = 0;
  for (fs::directory_iterator it(under_root(root, "/sys/firmware/memmap"), ec), end; !ec && it != end; it.increment(ec)) {
    if (++entries > kMaxMemmapEntries) break;
    const std::string dir = "/sys/firmware/memmap/" + it->path().filename().string();
    auto type = read_machine_file(root, dir + "/type", 64);
    if (!type || trim(type->text) != "System RAM") continue;
    auto start = read_machine_file(root, dir + "/start", 64);
    auto last = read_machine_file(root, dir + "/end", 64);
    if (!start || !last) return std::nullopt;  // unreadable (not root): the whole map is
    const auto s = parse_hex_line(start->text), e = parse_hex_line(last->text);
    if (!s || !e || *s > *e || *e == UINT64_MAX) continue;
    const uint64_t bytes = *e - *s + 1;
    ram.total_bytes = ram.total_bytes > UINT64_MAX - bytes ? UINT64_MAX : ram.total_bytes + bytes;
    if (*e + 1 > ram.end_bytes) ram.end_bytes = *e + 1;
  }
  if (ram.total_bytes == 0) return std::nullopt;
  return ram;
}

std::optional<uint64_t> hex(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<MachineRam> parse_iomem_ram(std::string_view iomem) {
  MachineRam ram;
  size_t at = 0, lines = 0;
  while (at < iomem.size() && ++lines <= 100000) {
    size_t end = iomem.find('\n', at);
    if (end == std::string_view::npos) end = iomem.size();
    const std::string_view line = iomem.substr(at, end - at);
    at = end + 1;
    // "40000000-bfffffff : System RAM", not indented (a child range is part of its parent).
    const size_t dash = line.find('-'), colon = line.find(" : ");
    if (line.empty() || line[0] == ' ' || dash == std::string_view::npos || colon == std::string_view::npos ||
        dash > colon || line.substr(colon + 3) != "System RAM")
      continue;
    const auto s = hex(line.substr(0, dash)), e = hex(line.substr(dash + 1, colon - dash - 1));
    if (!s || !e || *s > *e || *e == UINT64_MAX) continue;
    const uint64_t bytes = *e - *s + 1;
    ram.total_bytes = ram.total_bytes > UINT64_MAX - bytes ? UINT64_MAX : ram.total_bytes + bytes;
    if (*e + 1 > ram.end_bytes) ram.end_bytes = *e + 1;
  }
  if (ram.end_bytes <= 1) return std::nullopt;  // none, or "00000000-00000000" for a reader without the right
  return ram;
}

std::optional<uint64_t> parse_mem_total(std::string_view meminfo) {
  return run::meminfo_bytes(meminfo, "MemTotal:");
}

Fact<MachineRam> read_machine_ram(const std::string& root) {
  if (auto ram = firmware_ram(root)) return Fact<MachineRam>::known(*ram, "/sys/firmware/memmap (System RAM)");
  if (auto iomem = read_machine_file(root, "/proc/iomem", 4u << 20))
    if (auto ram = parse_iomem_ram(iomem->text)) return Fact<MachineRam>::known(*ram, "/proc/iomem (System RAM)");
  auto f = read_machine_file(root, "/proc/meminfo", 64u << 10);
  if (!f)
    return Fact<MachineRam>::unknown_because(
        "/sys/firmware/memmap unreadable and " + f.error().message(), "/proc/meminfo");
  const auto total = parse_mem_total(f->text);
  if (!total) return Fact<MachineRam>::unknown_because("/proc/meminfo: no MemTotal line in kB", "/proc/meminfo");
  return Fact<MachineRam>::known(MachineRam{*total, *total}, "/proc/meminfo MemTotal (firmware map and /proc/iomem unreadable)");
}

}  // namespace vmcap::arm
