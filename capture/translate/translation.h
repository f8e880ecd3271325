// One translated address: where it is, and how many bytes from there are contiguous in
// physical memory (to the end of the page, leaf or mapping).
#pragma once

#include <cstdint>

namespace vmcap {

struct Translation {
  uint64_t paddr = 0;
  uint64_t contiguous = 0;
};

}  // namespace vmcap
