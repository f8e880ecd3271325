#include "tests/signature/real_vmcores.h"

#include "elf/open_dump.h"

namespace vmcap::test {

std::optional<OpenedVmcore> open_vmcore(const std::string& path, std::string& error) {
  auto dump = open_dump(path);
  if (!dump) {
    error = dump.error().message();
    return std::nullopt;
  }
  auto view = open_kernel_view(**dump);
  if (!view) {
    error = view.error().message();
    return std::nullopt;
  }
  return OpenedVmcore{std::move(*dump), std::move(*view)};
}

}  // namespace vmcap::test
