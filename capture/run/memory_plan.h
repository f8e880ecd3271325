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
  // core_format = flat-zstd: its zstd frames (ZstdSeekableSink), none for flat.
  uint32_t frame_bytes = 0;
  unsigned frame_threads = 0;
  std::optional<uint64_t> available;    // MemAvailable the plan came from
  uint64_t frames_memory() const;       // what the frames hold at most (below)
  std::string describe() const;
};

inline constexpr uint64_t kMinCoreQueueBytes = 256u << 10;
inline constexpr uint64_t kMinPipelineBytes = 512u << 10;
// flat-zstd frames: 4 MiB is what docs/filter.md's sizes were measured with; smaller frames
// when memory is short, down to 256 KiB.
inline constexpr uint32_t kFullFrameBytes = 4u << 20;
inline constexpr uint32_t kMinFrameBytes = 256u << 10;
// A zstd compression context per frame thread: 760 KiB measured at the frames' default
// level 2 (ZSTD_sizeof_CCtx, 256 KiB to 4 MiB frames); levels above 3 take more.
inline constexpr uint64_t kZstdContextBytes = 1u << 20;

// What ZstdSeekableSink holds with `threads` workers: threads + 1 frames alive, each its
// bytes in and its compressed bound out, and a context per worker.
uint64_t frames_memory(uint32_t frame_bytes, unsigned threads);

// MemAvailable of a /proc/meminfo text, in bytes; nothing when the line is absent or bad.
std::optional<uint64_t> parse_mem_available(std::string_view meminfo);
// Reads /proc/meminfo (at most 64 KiB).
std::optional<uint64_t> mem_available_bytes();

// The full sizes when nothing is known; otherwise a quarter of `available`, a quarter of that
// for the queue and the rest for the batches, each between its floor and its full size.
CoreMemoryPlan plan_core_memory(std::optional<uint64_t> available);

// core_format = flat-zstd: the same quarter of `available`, an eighth of it for the queue
// (its bytes are compressed), the largest frames that fit with as many of `threads` (at
// least 1) as fit beside the batches' floor, the rest for the batches. Nothing known: the
// full queue and batches, 4 MiB frames on every thread. Nothing fits: the floors, one thread.
CoreMemoryPlan plan_flat_zstd_memory(std::optional<uint64_t> available, unsigned threads);

}  // namespace vmcap::run
