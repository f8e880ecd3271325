// Fuzz target: the input is VMCOREINFO text. Parses it and asks every question the
// decoders ask (generation, ringbuffer and printk_log layouts, translation keys).
#include <cstdint>
#include <string_view>

#include "capture/kernel/printk_generation.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/char_ring_decoder.h"
#include "capture/printk/printk_log_decoder.h"
#include "capture/printk/ringbuffer_layout.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto info = vmcap::VmcoreInfo::parse(text, "fuzz");
  if (!info) return 0;
  // Every entry found must be retrievable again by its key.
  for (const auto& [key, value] : info->entries())
    if (!info->has(key)) __builtin_trap();
  (void)info->page_size();
  (void)info->crash_time();
  (void)info->kernel_offset();
  (void)info->require_symbol("prb");
  (void)info->require_number("phys_base");
  (void)info->number("pgtable_l5_enabled");
  (void)vmcap::printk_generation(*info);
  (void)vmcap::RingbufferLayout::from_vmcoreinfo(*info);
  (void)vmcap::printk_log_layout(*info);
  (void)vmcap::char_ring_log_end_width(*info);
  return 0;
}
