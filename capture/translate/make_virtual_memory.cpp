#include "capture/translate/make_virtual_memory.h"

#include <fmt/format.h>

#include "capture/translate/arm64_virtual_memory.h"
#include "capture/translate/x86_64_virtual_memory.h"

namespace vmcap {

Result<std::unique_ptr<VirtualMemory>> make_virtual_memory(uint16_t machine,
                                                           const PhysicalMemory& memory,
                                                           const VmcoreInfo& info,
                                                           std::vector<VirtualMapping> mappings) {
  switch (machine) {
    case kEmX86_64: {
      auto params = X86_64Params::from_vmcoreinfo(info);
      if (!params)
        return make_error(params.error().kind, {}, std::nullopt,
                          "x86_64 address translation: " + params.error().reason);
      return std::unique_ptr<VirtualMemory>(
          std::make_unique<X86_64VirtualMemory>(memory, *params, std::move(mappings)));
    }
    case kEmAarch64: {
      // Stated mappings are not used on arm64: see arm64_virtual_memory.h.
      auto layout = Arm64Layout::from_vmcoreinfo(info);
      if (!layout)
        return make_error(layout.error().kind, {}, std::nullopt,
                          "arm64 address translation: " + layout.error().reason);
      return std::unique_ptr<VirtualMemory>(
          std::make_unique<Arm64VirtualMemory>(memory, std::move(*layout)));
    }
    default:
      return make_error(ErrorKind::Usage, {}, std::nullopt,
                        fmt::format("no address translation for ELF machine {}", machine));
  }
}

}  // namespace vmcap
