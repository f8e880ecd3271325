#include "capture/core/human_size.h"

#include <fmt/format.h>

namespace vmcap {

std::string human_size(uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024;
  size_t u = 0;
  // 1023.96 KiB would print as "1024.0 KiB": move up once the rounded value reaches 1024.
  while (v >= 1023.95 && u + 1 < std::size(kUnits)) v /= 1024, ++u;
  return fmt::format("{:.1f} {}", v, kUnits[u]);
}

}  // namespace vmcap
