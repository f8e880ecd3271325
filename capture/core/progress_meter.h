// Progress of a long step on stderr: percent, MB/s and ETA. A redrawn bar when the
// stream is a terminal, else a timestamped line every few seconds (console logs of a
// capture kernel are read afterwards, so each line must stand alone).
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace vmcap {

class ProgressMeter {
 public:
  ProgressMeter(std::string step, uint64_t total, std::FILE* out = stderr);
  // done and total are in the same unit (pages, bytes); bytes is what MB/s counts.
  void update(uint64_t done, uint64_t bytes);
  void finish(uint64_t bytes);

 private:
  void print(uint64_t done, uint64_t bytes, bool final);

  std::string step_;
  uint64_t total_;
  std::FILE* out_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace vmcap
