#include "capture/run/progress.h"

namespace vmcap::run {

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::line(const std::string& step, const std::string& text) {
  std::lock_guard lock(mu_);
  std::fprintf(out_, "vmcap [%8.3fs] %s: %s\n", elapsed(), step.c_str(), text.c_str());
  std::fflush(out_);
}

std::string Progress::rate(uint64_t bytes, std::chrono::steady_clock::time_point since) const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  double mb = double(bytes) / 1e6;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%llu bytes (%.1f MiB) in %.2f s, %.1f MB/s", (unsigned long long)bytes,
                double(bytes) / (1 << 20), secs, secs > 0 ? mb / secs : 0.0);
  return buf;
}

void Progress::raw(const std::string& text) {
  std::lock_guard lock(mu_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace vmcap::run
