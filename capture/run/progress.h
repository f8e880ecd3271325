// Timestamped progress lines on the console (stderr): "vmcap [  1.234s] STEP: text".
// Times count from the start of the capture. Thread-safe; secrets are never handed here.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>

namespace vmcap::run {

class Progress {
 public:
  explicit Progress(std::FILE* out = stderr) : out_(out), start_(std::chrono::steady_clock::now()) {}

  void line(const std::string& step, const std::string& text);
  // "N bytes (X MiB) in T s, R MB/s" for a transfer that started at `since`.
  std::string rate(uint64_t bytes, std::chrono::steady_clock::time_point since) const;
  // Seconds since the capture started.
  double elapsed() const;
  // Writes raw text (the log as the last resort), under the same lock as the lines.
  void raw(const std::string& text);

 private:
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
};

}  // namespace vmcap::run
