// How much RAM the machine has and where it ends, for the crashkernel= estimate: a capture
// of this machine walks pfn bitmaps that span its memory up to the highest RAM address.
//
// Sources (Linux): Documentation/ABI/testing/sysfs-firmware-memmap (/sys/firmware/memmap/N/
// {start,end,type}: the firmware's map as booted, "System RAM" for usable RAM, end
// inclusive; root-only files; x86 only: arm64 has no firmware map), /proc/iomem (its
// top-level "System RAM" lines, end inclusive; every address 0 for a reader without
// CAP_SYS_ADMIN; on arm64 QEMU virt's RAM starts at 1 GiB, so its end is not its size),
// Documentation/filesystems/proc.rst (MemTotal: usable RAM less the kernel's reservations,
// the crashkernel= one included).
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

// The top-level "System RAM" ranges of /proc/iomem text; nothing when there are none or
// their addresses are hidden (all 0).
std::optional<MachineRam> parse_iomem_ram(std::string_view iomem);

// From ROOT/sys/firmware/memmap when readable (root only), else ROOT/proc/iomem's System RAM
// (root only; arm64), else ROOT/proc/meminfo's MemTotal (then end_bytes = total_bytes: no
// holes known); source says which.
Fact<MachineRam> read_machine_ram(const std::string& root = "/");

}  // namespace vmcap::arm
