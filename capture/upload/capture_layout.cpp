#include "capture/upload/capture_layout.h"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "capture/upload/early_random.h"

namespace vmcap::upload {

std::string capture_directory(const std::string& host, std::chrono::system_clock::time_point time, uint32_t id) {
  std::string safe = host.empty() ? "unknown" : host;
  for (char& c : safe)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", id);
  return safe + "-" + stamp + "-" + hex;
}

uint32_t random_capture_id() { return static_cast<uint32_t>(early_random() >> 32); }

std::string join_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

}  // namespace vmcap::upload
