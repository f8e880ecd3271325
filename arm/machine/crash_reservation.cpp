#include "arm/machine/crash_reservation.h"

#include <charconv>

#include "arm/machine/machine_files.h"

namespace vmcap::arm {
namespace {

constexpr std::string_view kCrashName = "Crash kernel";

bool parse_hex(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 16) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc{} && p == s.data() + s.size();
}

void warn(IomemCrashRanges& r, size_t& count, std::string message) {
  ++count;
  if (r.warnings.size() < kMaxWarnings) r.warnings.push_back(std::move(message));
}

}  // namespace

uint64_t IomemCrashRanges::total_bytes() const {
  if (addresses_hidden) return 0;
  uint64_t sum = 0;
  for (const CrashRange& r : ranges) {
    const uint64_t b = r.bytes();
    sum = (b == 0 || sum > UINT64_MAX - b) ? UINT64_MAX : sum + b;  // 0: the whole 2^64 range
  }
  return sum;
}

IomemCrashRanges parse_iomem_crash_ranges(std::string_view iomem) {
  IomemCrashRanges out;
  if (size_t nul = iomem.find('\0'); nul != std::string_view::npos) iomem = iomem.substr(0, nul);
  size_t problems = 0, line_no = 0, extra_ranges = 0;
  size_t at = 0;
  while (at < iomem.size()) {
    size_t end = iomem.find('\n', at);
    if (end == std::string_view::npos) end = iomem.size();
    std::string_view line = iomem.substr(at, end - at);
    at = end + 1;
    ++line_no;
    if (line.empty()) continue;
    auto where = [&] { return "/proc/iomem line " + std::to_string(line_no) + ": "; };
    if (line.size() > kMaxIomemLineBytes) {
      warn(out, problems, where() + "longer than " + std::to_string(kMaxIomemLineBytes) + " bytes, skipped");
      continue;
    }
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    std::string_view rest = line.substr(indent);
    const size_t dash = rest.find('-');
    const size_t colon = rest.find(" : ");
    uint64_t start = 0, last = 0;
    if (dash == std::string_view::npos || colon == std::string_view::npos || dash > colon ||
        !parse_hex(rest.substr(0, dash), start) || !parse_hex(rest.substr(dash + 1, colon - dash - 1), last)) {
      warn(out, problems, where() + "not 'START-END : NAME', skipped");
      continue;
    }
    const std::string_view name = rest.substr(colon + 3);
    // Only the crash ranges matter; their names may gain a suffix ("Crash kernel (low)").
    if (!name.starts_with(kCrashName) || (name.size() > kCrashName.size() && name[kCrashName.size()] != ' '))
      continue;
    if (start > last) {
      warn(out, problems, where() + "range ends before it starts, skipped");
      continue;
    }
    if (out.ranges.size() >= kMaxCrashRanges) {
      ++extra_ranges;
      continue;
    }
    out.ranges.push_back(CrashRange{start, last, static_cast<int>(indent / 2), std::string(name)});
  }
  if (extra_ranges > 0)
    warn(out, problems, "/proc/iomem: " + std::to_string(extra_ranges) + " more \"Crash kernel\" ranges past " +
                            std::to_string(kMaxCrashRanges) + ", ignored");
  if (problems > out.warnings.size())
    out.warnings.push_back(std::to_string(problems - out.warnings.size()) + " more /proc/iomem problems");
  bool all_zero = !out.ranges.empty();
  for (const CrashRange& r : out.ranges) all_zero = all_zero && r.start == 0 && r.end == 0;
  out.addresses_hidden = all_zero;
  return out;
}

CrashReservation read_crash_reservation(const std::string& root) {
  CrashReservation c;
  constexpr std::string_view no_kexec = "kernel without CONFIG_CRASH_DUMP, or sysfs not mounted";

  constexpr std::string_view size_path = "/sys/kernel/kexec_crash_size";
  if (auto f = read_machine_file(root, size_path, 64); !f) {
    c.size = Fact<uint64_t>::unknown_because(
        f.error().kind == ErrorKind::Missing ? std::string(size_path) + " absent: " + std::string(no_kexec)
                                             : f.error().message(),
        std::string(size_path));
  } else if (auto v = parse_decimal(f->text)) {
    c.size = Fact<uint64_t>::known(*v, std::string(size_path));
  } else {
    c.size = Fact<uint64_t>::unknown_because(
        std::string(size_path) + ": not a number: '" + std::string(trim(f->text)) + "'", std::string(size_path));
  }

  c.loaded = read_flag_file(root, "/sys/kernel/kexec_crash_loaded", no_kexec);

  constexpr std::string_view iomem_path = "/proc/iomem";
  if (auto f = read_machine_file(root, iomem_path, kMaxIomemBytes); !f) {
    c.iomem = Fact<IomemCrashRanges>::unknown_because(
        f.error().kind == ErrorKind::Missing ? "/proc/iomem absent: /proc not mounted" : f.error().message(),
        std::string(iomem_path));
  } else {
    IomemCrashRanges r = parse_iomem_crash_ranges(f->text);
    if (f->cut)
      r.warnings.push_back("/proc/iomem: only its first " + std::to_string(kMaxIomemBytes >> 20) + " MiB read");
    c.iomem = Fact<IomemCrashRanges>::known(std::move(r), std::string(iomem_path));
  }

  constexpr std::string_view no_hotplug = "kernel before 6.5 or without CONFIG_CRASH_HOTPLUG";
  c.cpu_hotplug_updates = read_flag_file(root, "/sys/devices/system/cpu/crash_hotplug", no_hotplug);
  c.memory_hotplug_updates = read_flag_file(root, "/sys/devices/system/memory/crash_hotplug", no_hotplug);
  return c;
}

}  // namespace vmcap::arm
