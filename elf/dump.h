// A dump file of any format, opened: what the file says about itself (format, machine,
// notes) and its physical memory. Knows formats, not kernels.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

// One ELF note as found in the file (ELF PT_NOTE, or the note block a kdump-compressed
// file carries in its sub-header).
struct Note {
  std::string name;          // "CORE", "VMCOREINFO", "QEMU", ...
  uint32_t type = 0;         // NT_PRSTATUS = 1, VMCOREINFO = 0, ...
  std::vector<std::byte> desc;
  uint64_t file_offset = 0;  // where the note header starts in the file
};

// A PT_LOAD that names a real virtual address (p_vaddr != p_paddr): the kernel's own
// statement of where a range of physical memory is mapped.
struct VirtualMapping {
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t size = 0;
};

class Dump {
 public:
  virtual ~Dump() = default;

  virtual const std::string& path() const = 0;
  // "elf", "kdump-compressed", "flattened".
  virtual std::string format() const = 0;
  // ELF e_machine (EM_X86_64 = 62, EM_AARCH64 = 183, ...) or the equivalent from the header.
  virtual uint16_t machine() const = 0;
  // 32 or 64.
  virtual int word_size() const = 0;
  virtual bool little_endian() const = 0;

  virtual const std::vector<Note>& notes() const = 0;
  virtual const PhysicalMemory& memory() const = 0;
  // Virtual mappings the file states; empty for formats (or QEMU dumps) that have none.
  virtual const std::vector<VirtualMapping>& virtual_mappings() const {
    static const std::vector<VirtualMapping> none;
    return none;
  }

  // The VMCOREINFO note's text, if the dump has one.
  std::optional<std::string> vmcoreinfo_text() const {
    for (const auto& n : notes())
      if (n.name == "VMCOREINFO")
        return std::string(reinterpret_cast<const char*>(n.desc.data()), n.desc.size());
    return std::nullopt;
  }
};

}  // namespace vmcap
