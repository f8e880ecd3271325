#include "capture/upload/early_random.h"

#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <ctime>

namespace vmcap::upload {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t nanoseconds(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

uint64_t early_random() {
  uint64_t v = 0;
  if (::getrandom(&v, sizeof v, GRND_NONBLOCK) == static_cast<ssize_t>(sizeof v)) return v;
  return clock_random();
}

uint64_t clock_random() {
  static std::atomic<uint64_t> counter{0};
  uint64_t x = splitmix64(nanoseconds(CLOCK_REALTIME));
  x = splitmix64(x ^ nanoseconds(CLOCK_MONOTONIC));
  x = splitmix64(x ^ static_cast<uint64_t>(::getpid()));
  return splitmix64(x ^ counter.fetch_add(1, std::memory_order_relaxed));
}

}  // namespace vmcap::upload
