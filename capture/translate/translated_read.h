// The read loop every VirtualMemory shares: translate, read as far as the translation is
// contiguous, repeat. A hole names the virtual address of the missing byte's page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "capture/translate/translation.h"
#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

using TranslateFn = std::function<Result<Translation>(uint64_t vaddr)>;

Result<void> read_translated(const PhysicalMemory& memory, uint64_t vaddr,
                             std::span<std::byte> out, const TranslateFn& translate);

}  // namespace vmcap
