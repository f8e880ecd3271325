// How much RAM the machine has and where it ends, for the crashkernel= estimate: a capture
// of this machine walks pfn bitmaps that span its memory up to the highest RAM address.
//
// Sources (Linux): Documentation/ABI/testing/sysfs-firmware-memmap (/sys/firmware/memmap/N/
// {start,end,type}: the firmware's map as booted, "System RAM" for usable RAM, end
// inclusive; root-only files), Documentation/filesystems/proc.rst (MemTotal: usable RAM
// less the kernel's reservations, the crashkernel= one included).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arm/machine/fact.h"

namespace vmcap::arm {

struct MachineRam {
  uint64_t total_bytes = 0;  // all "System RAM" (or MemTotal)
  uint64_t end_bytes = 0;    // end of the highest RAM range (MemTotal when the map is unknown)
};

inline constexpr size_t kMaxMemmapEntries = 4096;

// MemTotal of /proc/meminfo text, in bytes.
std::optional<uint64_t> parse_mem_total(std::string_view meminfo);

// From ROOT/sys/firmware/memmap when readable (root only), else ROOT/proc/meminfo's
// MemTotal (then end_bytes = total_bytes: no holes known); source says which.
Fact<MachineRam> read_machine_ram(const std::string& root = "/");

}  // namespace vmcap::arm
