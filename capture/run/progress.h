// Timestamped progress lines on the console (stderr): "vmcap [  1.234s] STEP: text".
// Times count from the start of the capture. A long step (the core) also reports bytes,
// MB/s, how far it got and an ETA: a line every 2 s, or, when the console is a terminal,
// a bar redrawn in place. Thread-safe; secrets are never handed here.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace vmcap::run {

class Progress {
 public:
  explicit Progress(std::FILE* out = stderr);

  void line(const std::string& step, const std::string& text);
  // "N bytes (X MiB) in T s, R MB/s" for a transfer that started at `since` (the unit fits
  // the size: KiB, GiB; under 1 KiB just "N bytes").
  std::string rate(uint64_t bytes, std::chrono::steady_clock::time_point since) const;
  // A long step at `done` of `total` (any unit; 0: unknown) with `bytes` out since
  // `since`. Throttled here: callers may call it as often as they like.
  void meter(const std::string& step, uint64_t done, uint64_t total, uint64_t bytes,
             std::chrono::steady_clock::time_point since);
  // Seconds since the capture started.
  double elapsed() const;
  // Writes raw text (the log as the last resort), under the same lock as the lines.
  void raw(const std::string& text);

 private:
  void end_bar();  // under mu_: a bar being drawn gets its own line before other output

  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_meter_{};
  bool bar_shown_ = false;
  std::mutex mu_;
};

}  // namespace vmcap::run
