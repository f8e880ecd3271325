#include "capture/run/peak_memory.h"

#include <fstream>
#include <string>

namespace vmcap::run {

std::optional<uint64_t> peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  for (int i = 0; i < 200 && std::getline(in, line); ++i) {  // the file has ~60 lines
    if (line.rfind("VmHWM:", 0) != 0) continue;
    try {
      return std::stoull(line.substr(6));
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace vmcap::run
