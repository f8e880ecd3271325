// Fuzz target: /proc/iomem text. parse_iomem_crash_ranges never fails: every range it keeps
// is a well-formed "Crash kernel" range, the counts and warnings stay within their limits,
// and the hidden flag means every kept range is 0-0. parse_iomem_ram (the estimate's RAM on
// arm64) gives RAM that ends after it starts, or nothing.
#include <cstdint>
#include <string_view>

#include "arm/machine/crash_reservation.h"
#include "arm/machine/machine_ram.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::arm;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const IomemCrashRanges r = parse_iomem_crash_ranges(text);
  if (r.ranges.size() > kMaxCrashRanges) __builtin_trap();
  if (r.warnings.size() > kMaxWarnings + 1) __builtin_trap();
  for (const CrashRange& c : r.ranges) {
    if (c.start > c.end) __builtin_trap();
    if (!std::string_view(c.name).starts_with("Crash kernel")) __builtin_trap();
    if (c.depth < 0 || static_cast<size_t>(c.depth) > kMaxIomemLineBytes / 2) __builtin_trap();
    if (r.addresses_hidden && (c.start != 0 || c.end != 0)) __builtin_trap();
  }
  if (r.addresses_hidden && r.total_bytes() != 0) __builtin_trap();
  if (r.ranges.empty() && r.total_bytes() != 0) __builtin_trap();
  if (auto ram = parse_iomem_ram(text)) {
    if (ram->end_bytes < 2 || ram->total_bytes == 0) __builtin_trap();
  }
  return 0;
}
