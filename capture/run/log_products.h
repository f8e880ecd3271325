// The kernel log decoded once into the two artifacts a capture uploads first: dmesg.txt
// (as `vmcap dmesg` / vmcore-dmesg print it) and dmesg.json (docs/dmesg-json.md). Held
// in memory: logs are small, and each text is bounded (kMaxLogBytes) so a corrupt ring
// cannot exhaust a capture kernel's memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/printk/log_record.h"
#include "capture/translate/kernel_view.h"
#include "elf/result.h"

namespace vmcap::run {

inline constexpr size_t kMaxLogBytes = 64u << 20;

struct LogProducts {
  std::string text;
  std::string json;
  uint64_t records = 0;
  std::vector<std::string> problems;  // decoder warnings, truncation, a decode cut short
};

// Fails only when nothing at all could be decoded (no log buffer in VMCOREINFO).
// `also` (when given) gets every record and warning of the same pass: the crash
// signature's log tail, so the ring is walked once for everything a capture needs.
Result<LogProducts> decode_log_products(const KernelView& kernel, LogSink* also = nullptr);

}  // namespace vmcap::run
