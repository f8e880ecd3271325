#include "arm/machine/memory_estimate.h"

#include <fmt/format.h>

#include "capture/run/memory_plan.h"

namespace vmcap::arm {
namespace {

constexpr uint64_t MiB = 1u << 20;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kKexecSegments = 1 * MiB;
constexpr uint64_t kKernelRuntime = 8 * MiB;
constexpr uint64_t kVmcapOwn = 6 * MiB;
constexpr uint64_t kBitmapBitsPerPage = 4;
constexpr uint64_t kStructPageBytes = 64;
constexpr uint64_t kMinMargin = 8 * MiB;

// Saturating, so that absurd inputs give an absurd estimate instead of a wrapped one.
uint64_t add(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

// x * 4096 / 4032: room for the reservation's own struct pages.
uint64_t with_struct_pages(uint64_t x) {
  const unsigned __int128 v = static_cast<unsigned __int128>(x) * kPage / (kPage - kStructPageBytes);
  return v > UINT64_MAX ? UINT64_MAX : static_cast<uint64_t>(v);
}

uint64_t round_up(uint64_t x, uint64_t step) {
  const uint64_t r = x % step;
  if (r == 0) return x;
  return x > UINT64_MAX - (step - r) ? UINT64_MAX - (UINT64_MAX % step) : x + (step - r);
}

}  // namespace

std::string mib_string(uint64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / MiB); }

std::string MemoryEstimate::crashkernel_parameter() const {
  return fmt::format("crashkernel={}M", (recommended_bytes + MiB - 1) / MiB);
}

MemoryEstimate estimate_crashkernel(const EstimateInputs& in) {
  MemoryEstimate e;
  const uint64_t kernel = round_up(in.kernel_init_size, kPage);
  e.terms.push_back({"kernel", kernel, fmt::format("{}: {}", in.kernel_source, mib_string(kernel))});

  const bool unpacked_known = in.initramfs_unpacked_bytes.has_value();
  const uint64_t unpacked = unpacked_known ? *in.initramfs_unpacked_bytes : add(in.initramfs_bytes, in.initramfs_bytes);
  const uint64_t initramfs = add(in.initramfs_bytes, unpacked);
  e.terms.push_back({"initramfs", initramfs,
                     fmt::format("the image ({}) and its files unpacked ({}{})", mib_string(in.initramfs_bytes),
                                 mib_string(unpacked), unpacked_known ? "" : ": unknown, taken as 2 x the image")});

  e.terms.push_back({"kexec", kKexecSegments, "purgatory, boot parameters, command line, ELF core headers"});
  e.terms.push_back({"kernel runtime", kKernelRuntime,
                     "the capture kernel's allocations after boot (slab, page tables, NIC rings; nr_cpus=1)"});

  const run::CoreMemoryPlan full_plan;
  const uint64_t plan_full = full_plan.queue_bytes + full_plan.pipeline_bytes;
  const uint64_t plan_floor = run::kMinCoreQueueBytes + run::kMinPipelineBytes;
  e.terms.push_back({"vmcap", kVmcapOwn + plan_full,
                     fmt::format("{} of its own + its full core plan {} (the minimum counts the plan's floor, {})",
                                 mib_string(kVmcapOwn), mib_string(plan_full), mib_string(plan_floor))});

  const uint64_t pages = in.ram_end_bytes / kPage + (in.ram_end_bytes % kPage != 0);
  const uint64_t bitmaps = (pages * kBitmapBitsPerPage + 7) / 8;  // pages < 2^52: no overflow
  e.terms.push_back({"pfn bitmaps", bitmaps,
                     fmt::format("{} bits per 4 KiB page up to the highest RAM address ({})", kBitmapBitsPerPage,
                                 mib_string(in.ram_end_bytes))});

  uint64_t common = 0;
  for (const EstimateTerm& t : e.terms) common = add(common, t.bytes);
  common -= std::min(common, plan_full);  // the vmcap term above holds the full plan
  const uint64_t minimum = with_struct_pages(add(common, plan_floor));
  const uint64_t full = with_struct_pages(add(common, plan_full));
  e.terms.push_back({"struct pages", full - std::min(full, add(common, plan_full)),
                     "the capture kernel's own memmap: 64 bytes per 4 KiB page of the reservation"});
  const uint64_t margin = std::max(kMinMargin, full / 10);
  e.terms.push_back({"margin", margin, fmt::format("10 % of {}, at least {}", mib_string(full), mib_string(kMinMargin))});

  e.minimum_bytes = minimum;
  e.recommended_bytes = round_up(add(full, margin), kEstimateStep);
  return e;
}

}  // namespace vmcap::arm
