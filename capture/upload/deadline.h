// The one global deadline of a capture (steady clock): every retry loop and transfer
// asks it how much time is left, so nothing outlives it.
#pragma once

#include <algorithm>
#include <chrono>

namespace vmcap::upload {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Deadline(Clock::time_point end) : end_(end) {}
  static Deadline after(std::chrono::milliseconds d) { return Deadline(Clock::now() + d); }
  // A century: far enough, and safe to add to (time_point::max() overflows in waits).
  static Deadline never() { return Deadline(Clock::now() + std::chrono::hours(24 * 365 * 100)); }

  std::chrono::milliseconds remaining() const {
    auto now = Clock::now();
    if (now >= end_) return std::chrono::milliseconds(0);
    return std::chrono::duration_cast<std::chrono::milliseconds>(end_ - now);
  }
  bool expired() const { return Clock::now() >= end_; }
  Clock::time_point end() const { return end_; }

  // The sooner of this deadline and `d` from now (for a per-request cap).
  Deadline capped(std::chrono::milliseconds d) const {
    return Deadline(std::min(end_, Clock::now() + d));
  }

 private:
  Clock::time_point end_;
};

}  // namespace vmcap::upload
