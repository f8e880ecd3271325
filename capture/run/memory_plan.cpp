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

std::string CoreMemoryPlan::describe() const {
  auto mib = [](uint64_t b) { return std::to_string((b + (512u << 10)) >> 20) + " MiB"; };
  auto kib = [](uint64_t b) { return std::to_string(b >> 10) + " KiB"; };
  std::string s = available ? mib(*available) + " available: " : std::string("MemAvailable unknown: ");
  return s + "core queue " + kib(queue_bytes) + ", page batches " + kib(pipeline_bytes);
}

}  // namespace vmcap::run
