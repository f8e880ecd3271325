#include "capture/run/memory_plan.h"

#include "capture/run/meminfo.h"

#include <algorithm>
#include <charconv>
#include <fstream>

namespace vmcap::run {

std::optional<uint64_t> parse_mem_available(std::string_view meminfo) {
  return meminfo_bytes(meminfo, "MemAvailable:");
}

std::optional<uint64_t> mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  if (!in) return std::nullopt;
  std::string text(64u << 10, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return parse_mem_available(text);
}

CoreMemoryPlan plan_core_memory(std::optional<uint64_t> available) {
  CoreMemoryPlan full;
  if (!available) return full;
  CoreMemoryPlan p;
  p.available = available;
  const uint64_t share = *available / 4;
  p.queue_bytes = std::clamp(share / 4, kMinCoreQueueBytes, full.queue_bytes);
  p.pipeline_bytes = std::clamp(share - std::min(share, p.queue_bytes), kMinPipelineBytes, full.pipeline_bytes);
  return p;
}

uint64_t frames_memory(uint32_t frame_bytes, unsigned threads) {
  // ZSTD_compressBound: the frame plus 1/256 and a little.
  const uint64_t bound = frame_bytes + (frame_bytes >> 8) + 4096;
  return (threads + 1ull) * (frame_bytes + bound) + threads * kZstdContextBytes;
}

uint64_t CoreMemoryPlan::frames_memory() const {
  return frame_threads ? run::frames_memory(frame_bytes, frame_threads) : 0;
}

CoreMemoryPlan plan_flat_zstd_memory(std::optional<uint64_t> available, unsigned threads) {
  threads = std::max(1u, threads);
  CoreMemoryPlan full;
  full.frame_bytes = kFullFrameBytes;
  full.frame_threads = threads;
  if (!available) return full;
  CoreMemoryPlan p;
  p.available = available;
  const uint64_t share = *available / 4;
  p.queue_bytes = std::clamp(share / 8, kMinCoreQueueBytes, full.queue_bytes);
  const uint64_t for_frames = share - std::min(share, p.queue_bytes + kMinPipelineBytes);
  p.frame_bytes = kMinFrameBytes;
  p.frame_threads = 1;
  for (uint32_t frame = kFullFrameBytes; frame >= kMinFrameBytes; frame /= 2) {
    unsigned fit = threads;
    while (fit > 0 && run::frames_memory(frame, fit) > for_frames) --fit;
    if (fit == 0) continue;
    p.frame_bytes = frame;
    p.frame_threads = fit;
    break;
  }
  const uint64_t used = p.queue_bytes + p.frames_memory();
  p.pipeline_bytes = std::clamp(share - std::min(share, used), kMinPipelineBytes, full.pipeline_bytes);
  return p;
}

std::string CoreMemoryPlan::describe() const {
  auto mib = [](uint64_t b) { return std::to_string((b + (512u << 10)) >> 20) + " MiB"; };
  auto kib = [](uint64_t b) { return std::to_string(b >> 10) + " KiB"; };
  std::string s = available ? mib(*available) + " available: " : std::string("MemAvailable unknown: ");
  s += "core queue " + kib(queue_bytes) + ", page batches " + kib(pipeline_bytes);
  if (frame_threads)
    s += ", zstd frames of " + kib(frame_bytes) + " on " + std::to_string(frame_threads) + " thread" +
         (frame_threads == 1 ? "" : "s") + " (" + kib(frames_memory()) + ")";
  return s;
}

}  // namespace vmcap::run
