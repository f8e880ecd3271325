// Random numbers that never wait. Early in a capture kernel the kernel's pool is often not
// ready (no RDRAND under QEMU's default CPU), and std::random_device then blocks in
// getrandom(): that cost a second before every capture. Capture ids and retry jitter only
// need to differ between machines and attempts, not to be secret.
#pragma once

#include <cstdint>

namespace vmcap::upload {

// getrandom(GRND_NONBLOCK) when the pool is ready; otherwise the clocks, the pid and a
// counter mixed together (splitmix64).
uint64_t early_random();
// The fallback alone (tests use it: the host's pool is always ready).
uint64_t clock_random();

}  // namespace vmcap::upload
