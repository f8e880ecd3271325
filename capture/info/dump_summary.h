// What `vmcap info` reports about a dump: what the file is, which kernel it holds, its
// CPUs and memory, and which vmcap features its VMCOREINFO supports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/feature_keys.h"
#include "capture/kernel/printk_generation.h"
#include "elf/dump.h"
#include "elf/machine.h"
#include "elf/prstatus.h"

namespace vmcap {

struct NoteSummary {
  std::string name;
  uint32_t type = 0;
  uint64_t size = 0;
};

struct DumpSummary {
  std::string path;
  std::string format;          // "elf", "kdump-compressed", "flattened"
  int word_size = 64;          // ELF class / the crashed machine's word size
  bool little_endian = true;
  uint16_t machine = 0;        // ELF e_machine
  std::string machine_name;    // "x86_64", "aarch64", ... or "unknown (N)"
  // Where the machine came from: "ELF e_machine", a kdump header's utsname.machine, or its
  // CPU notes when QEMU wrote "Unknown" there; "" when nothing named it.
  std::string machine_basis;

  bool has_vmcoreinfo = false;
  std::optional<std::string> kernel_release;  // OSRELEASE
  std::optional<std::string> build_id;        // BUILD-ID
  std::optional<uint64_t> page_size;          // PAGESIZE
  std::optional<int64_t> crash_time;          // CRASHTIME, seconds since the epoch
  std::optional<uint64_t> kaslr_offset;       // KERNELOFFSET
  PrintkGeneration printk = PrintkGeneration::Unknown;
  std::vector<FeatureKeys> features;          // missing keys per feature
  size_t vmcoreinfo_keys = 0;

  std::vector<CpuState> cpus;
  // Per CPU (same order): the registers that say where it was (elf/prstatus.h key_registers).
  std::vector<std::vector<std::pair<std::string, uint64_t>>> key_registers;
  // Index into cpus of the CPU that crashed, and how it was chosen.
  std::optional<size_t> crashing_cpu;
  std::string crashing_cpu_basis;

  // What the file holds: for a filtered core only the pages it kept.
  std::vector<PhysRange> memory;
  uint64_t memory_total = 0;
  // The crashed machine's RAM: a kdump-compressed file's 1st bitmap (every page that
  // existed, kept or not); for ELF the PT_LOADs themselves, i.e. memory_total (a filtered
  // ELF core lists only what it kept, and says nothing of the rest).
  std::optional<uint64_t> machine_memory;  // bytes
  std::string machine_memory_basis;        // "kdump 1st bitmap" | "ELF PT_LOADs"
  // kdump-compressed and flattened files only.
  // The header's block size, the unit of max_mapnr and of the pages held: the kernel's
  // page size from makedumpfile, 64 KiB from QEMU's aarch64 kdump whatever the page size.
  std::optional<uint32_t> block_size;
  std::optional<uint64_t> max_mapnr;       // pfns the header's bitmaps cover
  std::optional<int> dump_level;           // the -d the file was written with
  std::optional<uint64_t> pages_held;      // pages the file holds (2nd bitmap)
  std::optional<uint64_t> pages_excluded;  // pages of the RAM the file leaves out

  std::vector<NoteSummary> notes;
  std::vector<std::string> warnings;  // problems met while reading, one line each
  // The first memory the headers promise but the file does not hold (a dump cut short).
  std::optional<Error> truncated;
};

// Builds the summary. Fails only when VMCOREINFO is present but unreadable.
Result<DumpSummary> summarize_dump(const Dump& dump);

}  // namespace vmcap
