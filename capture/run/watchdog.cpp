#include "capture/run/watchdog.h"

namespace vmcap::run {

Watchdog::Watchdog(upload::Deadline deadline, std::function<void()> on_expiry) {
  thread_ = std::thread([this, deadline, fn = std::move(on_expiry)] {
    std::unique_lock lock(mu_);
    if (cv_.wait_until(lock, deadline.end(), [this] { return disarmed_; })) return;
    lock.unlock();
    fn();
  });
}

void Watchdog::disarm() {
  std::lock_guard lock(mu_);
  disarmed_ = true;
  cv_.notify_all();
}

Watchdog::~Watchdog() {
  disarm();
  if (thread_.joinable()) thread_.join();
}

}  // namespace vmcap::run
