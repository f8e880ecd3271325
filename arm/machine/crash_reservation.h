// The crash kernel reservation of the running machine: how much memory crashkernel= set
// aside, where, whether a capture kernel is loaded in it, and whether the kernel keeps the
// loaded image current across CPU and memory hotplug itself.
//
// Sources (Linux): Documentation/ABI/testing/sysfs-kernel-kexec-kdump,
// kernel/kexec_core.c (crash_get_memory_size: kexec_crash_size is crashk_res only, so the
// low part of crashkernel=X,high is not in it), kernel/crash_reserve.c (crashk_res and
// crashk_low_res, both named "Crash kernel"), kernel/resource.c (r_show: /proc/iomem lines
// are "%*s%0*llx-%0*llx : %s", two spaces of indent per nesting level, and readers without
// CAP_SYS_ADMIN see every address as 0), drivers/base/cpu.c and memory.c (crash_hotplug,
// Linux 6.5+ with CONFIG_CRASH_HOTPLUG).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arm/machine/fact.h"

namespace vmcap::arm {

struct CrashRange {
  uint64_t start = 0;
  uint64_t end = 0;  // inclusive, as /proc/iomem prints it
  int depth = 0;     // nesting level (indent / 2): "Crash kernel" sits in a "System RAM" range
  std::string name;  // "Crash kernel" (another kernel may add a suffix: "Crash kernel (low)")
  uint64_t bytes() const { return end - start + 1; }
};

struct IomemCrashRanges {
  std::vector<CrashRange> ranges;  // in file order, at most kMaxCrashRanges
  // Every "Crash kernel" range read as 0-0: the reader lacks CAP_SYS_ADMIN and the kernel
  // hid the addresses. Sizes are then unknown too.
  bool addresses_hidden = false;
  std::vector<std::string> warnings;  // malformed lines, limits reached (at most kMaxWarnings + 1)
  uint64_t total_bytes() const;       // sum of the ranges' sizes (saturating); 0 when hidden
};

inline constexpr size_t kMaxCrashRanges = 64;       // the kernel makes two at most
inline constexpr size_t kMaxIomemLineBytes = 512;   // a real line is under 100
inline constexpr size_t kMaxIomemBytes = 4u << 20;  // a large server's /proc/iomem is ~100 KiB
inline constexpr size_t kMaxWarnings = 10;

// The "Crash kernel" lines of /proc/iomem text. Never fails: lines that do not parse are
// counted in warnings and skipped; a NUL ends the text.
IomemCrashRanges parse_iomem_crash_ranges(std::string_view iomem);

struct CrashReservation {
  Fact<uint64_t> size;           // /sys/kernel/kexec_crash_size, bytes (0: no crashkernel=)
  Fact<bool> loaded;             // /sys/kernel/kexec_crash_loaded
  Fact<IomemCrashRanges> iomem;  // /proc/iomem
  // /sys/devices/system/{cpu,memory}/crash_hotplug: true when the kernel updates the
  // loaded crash image's headers on hotplug itself (then no udev re-arm is needed).
  Fact<bool> cpu_hotplug_updates;
  Fact<bool> memory_hotplug_updates;
};

// Reads ROOT/sys/kernel/kexec_crash_{size,loaded}, ROOT/proc/iomem and the crash_hotplug
// files. Each is unknown, with why, when absent or unreadable.
CrashReservation read_crash_reservation(const std::string& root = "/");

}  // namespace vmcap::arm
