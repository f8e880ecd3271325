#include "capture/core/progress_meter.h"

#include <unistd.h>

#include <ctime>

namespace vmcap {
namespace {

constexpr auto kTtyInterval = std::chrono::milliseconds(200);
constexpr auto kLineInterval = std::chrono::seconds(3);

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
  return buf;
}

}  // namespace

ProgressMeter::ProgressMeter(std::string step, uint64_t total, std::FILE* out)
    : step_(std::move(step)), total_(total), out_(out), tty_(isatty(fileno(out)) == 1),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void ProgressMeter::update(uint64_t done, uint64_t bytes) {
  auto now = std::chrono::steady_clock::now();
  if (now - last_ < (tty_ ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(kTtyInterval)
                          : std::chrono::duration_cast<std::chrono::steady_clock::duration>(kLineInterval)))
    return;
  last_ = now;
  print(done, bytes, false);
}

void ProgressMeter::finish(uint64_t bytes) { print(total_, bytes, true); }

void ProgressMeter::print(uint64_t done, uint64_t bytes, bool final) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double pct = total_ ? 100.0 * double(done) / double(total_) : 100.0;
  double mbs = secs > 0 ? double(bytes) / 1e6 / secs : 0;
  double eta = (done && done < total_) ? secs * double(total_ - done) / double(done) : 0;
  if (tty_) {
    constexpr int kWidth = 30;
    int fill = static_cast<int>(pct * kWidth / 100);
    std::string bar(fill, '#');
    bar.resize(kWidth, '.');
    std::fprintf(out_, "\r%s [%s] %5.1f%% %7.1f MB/s ETA %4.0fs%s", step_.c_str(), bar.c_str(), pct, mbs,
                 eta, final ? "\n" : "");
  } else {
    std::fprintf(out_, "vmcap %s %s: %.1f%% %.1f MB/s ETA %.0fs%s\n", utc_now().c_str(), step_.c_str(), pct,
                 mbs, eta, final ? " (done)" : "");
  }
  std::fflush(out_);
}

}  // namespace vmcap
