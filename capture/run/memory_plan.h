// How much memory the streamed core may hold at once, from what the capture kernel has.
// A kdump reservation is small (96M leaves ~10 MiB free once the kernel and the initramfs
// are in): fixed 8 MiB queues got vmcap OOM-killed there. The plan takes a quarter of
// MemAvailable for the core's buffers, between a floor that still streams and the sizes
// that are fast on a big machine.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmcap::run {

struct CoreMemoryPlan {
  uint64_t queue_bytes = 8u << 20;      // flattened bytes waiting for the upload
  uint64_t pipeline_bytes = 24u << 20;  // page batches being read and compressed
  std::optional<uint64_t> available;    // MemAvailable the plan came from
  std::string describe() const;
};

inline constexpr uint64_t kMinCoreQueueBytes = 256u << 10;
inline constexpr uint64_t kMinPipelineBytes = 512u << 10;

// MemAvailable of a /proc/meminfo text, in bytes; nothing when the line is absent or bad.
std::optional<uint64_t> parse_mem_available(std::string_view meminfo);
// Reads /proc/meminfo (at most 64 KiB).
std::optional<uint64_t> mem_available_bytes();

// The full sizes when nothing is known; otherwise a quarter of `available`, a quarter of that
// for the queue and the rest for the batches, each between its floor and its full size.
CoreMemoryPlan plan_core_memory(std::optional<uint64_t> available);

}  // namespace vmcap::run
