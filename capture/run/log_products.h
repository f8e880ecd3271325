// The kernel log decoded once into the two artifacts a capture uploads first: dmesg.txt
// (as `vmcap dmesg` / vmcore-dmesg print it) and dmesg.json (docs/dmesg-json.md). Held
// in memory: logs are small, and each text is bounded (kMaxLogBytes) so a corrupt ring
// cannot exhaust a capture kernel's memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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
Result<LogProducts> decode_log_products(const KernelView& kernel);

}  // namespace vmcap::run
