#include "elf/result.h"

#include <fmt/format.h>

namespace vmcap {

std::string Error::message() const {
  std::string out;
  if (!file.empty()) out += file + ": ";
  if (offset) out += fmt::format("offset {:#x}: ", *offset);
  out += reason;
  return out;
}

}  // namespace vmcap
