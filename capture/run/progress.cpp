#include "capture/run/progress.h"

#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "capture/core/human_size.h"

namespace vmcap::run {
namespace {
constexpr auto kLineInterval = std::chrono::seconds(2);
constexpr auto kBarInterval = std::chrono::milliseconds(200);
constexpr int kBarWidth = 30;

// A bar only on an interactive terminal: a serial or system console (the capture kernel's
// /dev/console, ttyS0) is a tty too, but it is read as a log, where redrawn lines are noise.
bool interactive_terminal(std::FILE* out) {
  int fd = ::fileno(out);
  if (::isatty(fd) != 1) return false;
  const char* name = ::ttyname(fd);
  if (!name) return false;
  std::string_view n(name);
  for (std::string_view console : {"/dev/console", "/dev/ttyS", "/dev/hvc", "/dev/ttyAMA", "/dev/ttysclp"})
    if (n.substr(0, console.size()) == console) return false;
  return true;
}

// "512 bytes", "1843200 bytes (1.8 MiB)": the exact count, and a readable one when it differs.
std::string bytes_with_size(uint64_t bytes) {
  const std::string human = human_size(bytes);
  return bytes < 1024 ? human : std::to_string(bytes) + " bytes (" + human + ")";
}

}  // namespace

Progress::Progress(std::FILE* out)
    : out_(out), tty_(interactive_terminal(out)), start_(std::chrono::steady_clock::now()) {}

double Progress::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::end_bar() {
  if (!bar_shown_) return;
  std::fputc('\n', out_);
  bar_shown_ = false;
}

void Progress::line(const std::string& step, const std::string& text) {
  std::lock_guard lock(mu_);
  end_bar();
  std::fprintf(out_, "vmcap [%8.3fs] %s: %s\n", elapsed(), step.c_str(), text.c_str());
  std::fflush(out_);
}

std::string Progress::rate(uint64_t bytes, std::chrono::steady_clock::time_point since) const {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
  double mb = double(bytes) / 1e6;
  char buf[96];
  std::snprintf(buf, sizeof buf, " in %.2f s, %.1f MB/s", secs, secs > 0 ? mb / secs : 0.0);
  return bytes_with_size(bytes) + buf;
}

void Progress::meter(const std::string& step, uint64_t done, uint64_t total, uint64_t bytes,
                     std::chrono::steady_clock::time_point since) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  if (now - last_meter_ < (tty_ ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(kBarInterval)
                                : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kLineInterval)))
    return;
  last_meter_ = now;
  double secs = std::chrono::duration<double>(now - since).count();
  double frac = total ? std::min(1.0, double(done) / double(total)) : 0.0;
  double eta = frac > 0 ? secs * (1 - frac) / frac : 0.0;
  double mbs = secs > 0 ? double(bytes) / 1e6 / secs : 0.0;
  if (tty_) {
    std::string bar(static_cast<size_t>(frac * kBarWidth), '#');
    bar.resize(kBarWidth, '.');
    std::fprintf(out_, "\rvmcap [%8.3fs] %s [%s] %5.1f%% %s %.1f MB/s ETA %.0f s\033[K", elapsed(),
                 step.c_str(), bar.c_str(), frac * 100, human_size(bytes).c_str(), mbs, eta);
    bar_shown_ = true;
  } else {
    std::fprintf(out_, "vmcap [%8.3fs] %s: %s in %.2f s, %.1f MB/s, %.0f%% of pages, ETA %.0f s\n",
                 elapsed(), step.c_str(), bytes_with_size(bytes).c_str(), secs, mbs, frac * 100, eta);
  }
  std::fflush(out_);
}

void Progress::raw(const std::string& text) {
  std::lock_guard lock(mu_);
  end_bar();
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace vmcap::run
