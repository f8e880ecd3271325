// The capture's global deadline made hard: a thread that, when the deadline passes while
// the work is still running, calls `on_expiry` (which records what it can and does the
// final action; it does not return to the abandoned work). disarm() when the work ends.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "capture/upload/deadline.h"

namespace vmcap::run {

class Watchdog {
 public:
  Watchdog(upload::Deadline deadline, std::function<void()> on_expiry);
  ~Watchdog();  // disarms and joins
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

  void disarm();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;
};

}  // namespace vmcap::run
