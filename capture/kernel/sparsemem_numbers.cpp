#include "capture/kernel/sparsemem_numbers.h"

#include "capture/kernel/arm64_layout.h"
#include "elf/machine.h"

namespace vmcap {

SparsememNumbers sparsemem_numbers(const VmcoreInfo& info, uint16_t machine) {
  SparsememNumbers n;
  n.section_size_bits = info.number("SECTION_SIZE_BITS");
  n.max_physmem_bits = info.number("MAX_PHYSMEM_BITS");
  if ((n.section_size_bits && n.max_physmem_bits) || machine != kEmAarch64) return n;
  // The layout states what VMCOREINFO has and computes the rest from the version, the
  // page size and VA_BITS; without a layout (keys it cannot do without) nothing is guessed.
  auto layout = Arm64Layout::from_vmcoreinfo(info);
  if (!layout) return n;
  if (!n.section_size_bits) {
    n.section_size_bits = layout->section_size_bits;
    n.computed.push_back("NUMBER(SECTION_SIZE_BITS)");
  }
  if (!n.max_physmem_bits) {
    n.max_physmem_bits = layout->max_physmem_bits;
    n.computed.push_back("NUMBER(MAX_PHYSMEM_BITS)");
  }
  return n;
}

}  // namespace vmcap
