#include "capture/translate/kernel_view.h"

#include "capture/translate/make_virtual_memory.h"

namespace vmcap {

Result<KernelView> open_kernel_view(const Dump& dump) {
  auto text = dump.vmcoreinfo_text();
  if (!text)
    return make_error(ErrorKind::Missing, dump.path(), std::nullopt,
                      "no VMCOREINFO note: the crashed kernel's structures cannot be found");
  KernelView view{VMCAP_TRY(VmcoreInfo::parse(*text, dump.path())), nullptr};
  view.memory = VMCAP_TRY(
      make_virtual_memory(dump.machine(), dump.memory(), view.info, dump.virtual_mappings()));
  return view;
}

}  // namespace vmcap
