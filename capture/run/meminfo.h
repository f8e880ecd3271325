// One value of /proc/meminfo text ("MemAvailable:    123456 kB") in bytes. Header-only: the
// capture's memory plan and the arming estimate both read it, and arming links no curl.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace vmcap::run {

// KEY with its colon ("MemTotal:"). Nothing when the line is absent, not "N kB", or over
// 16 PiB (not a real machine; and * 1024 cannot overflow).
inline std::optional<uint64_t> meminfo_bytes(std::string_view meminfo, std::string_view key) {
  size_t at = 0;
  while (at < meminfo.size()) {
    size_t end = meminfo.find('\n', at);
    if (end == std::string_view::npos) end = meminfo.size();
    std::string_view line = meminfo.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    line.remove_prefix(key.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    uint64_t kib = 0;
    auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), kib);
    if (ec != std::errc{} || p == line.data()) return std::nullopt;
    std::string_view unit(p, static_cast<size_t>(line.data() + line.size() - p));
    while (!unit.empty() && (unit.back() == ' ' || unit.back() == '\t' || unit.back() == '\r')) unit.remove_suffix(1);
    if (unit != " kB") return std::nullopt;
    if (kib > (uint64_t{1} << 44)) return std::nullopt;
    return kib * 1024;
  }
  return std::nullopt;
}

}  // namespace vmcap::run
