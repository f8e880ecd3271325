// vmcap's own peak memory, for the capture kernel's console: the smallest workable
// crashkernel= reservation depends on it.
#pragma once

#include <cstdint>
#include <optional>

namespace vmcap::run {

// VmHWM of /proc/self/status in KiB; nothing when /proc is not mounted or says no such line.
std::optional<uint64_t> peak_rss_kib();

}  // namespace vmcap::run
