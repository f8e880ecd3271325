// The numbers arm/machine/memory_estimate.h's formula takes, read for a plan: the capture
// kernel's init_size, the image's size as loaded and unpacked (the zstd frame's content
// size, which vmcap's images carry), and the end of the machine's RAM.
#pragma once

#include <string>

#include "arm/load/arm_plan.h"
#include "arm/machine/memory_estimate.h"
#include "elf/result.h"

namespace vmcap::arm {

struct EstimateSources {
  EstimateInputs inputs;
  std::string ram_source;  // where the RAM size came from
};

// `initrd`: the image that will be loaded (it must exist).
Result<EstimateSources> estimate_inputs(const ArmPlan& plan, const std::string& initrd, const std::string& root);

}  // namespace vmcap::arm
