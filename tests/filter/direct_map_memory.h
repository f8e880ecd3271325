// Test kernel memory: the x86_64 direct map alone (vaddr = base + paddr) over a
// PhysicalMemory. A real VirtualMemory backed by the bytes, for the filter's unit tests.
#pragma once

#include "capture/translate/virtual_memory.h"
#include "elf/physical_memory.h"

namespace vmcap::testing {

class DirectMapMemory final : public VirtualMemory {
 public:
  DirectMapMemory(const PhysicalMemory& memory, uint64_t base) : memory_(memory), base_(base) {}
  Result<void> read(uint64_t vaddr, std::span<std::byte> out) const override {
    if (vaddr < base_)
      return make_error(ErrorKind::Hole, {}, vaddr, "not in the direct map");
    auto r = memory_.read(vaddr - base_, out);
    if (!r) return make_error(ErrorKind::Hole, {}, vaddr, r.error().reason);
    return ok();
  }

 private:
  const PhysicalMemory& memory_;
  uint64_t base_;
};

}  // namespace vmcap::testing
