// Reading the crashed kernel's virtual address space. The printk decoders and the
// page filter read through this; one implementation per architecture sits behind it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "elf/result.h"

namespace vmcap {

class VirtualMemory {
 public:
  virtual ~VirtualMemory() = default;
  // Reads exactly out.size() bytes of kernel virtual memory starting at vaddr, crossing
  // pages as needed. An unmapped address or a page the dump lacks gives an Error whose
  // offset is the failing virtual address.
  virtual Result<void> read(uint64_t vaddr, std::span<std::byte> out) const = 0;
};

}  // namespace vmcap
