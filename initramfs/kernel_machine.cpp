#include "initramfs/kernel_machine.h"

#include <elf.h>

#include <fstream>

namespace vmcap::initramfs {

std::optional<uint16_t> kernel_config_machine(const std::string& config_file) {
  std::ifstream in(config_file);
  int lines = 0;
  for (std::string line; in && std::getline(in, line) && lines < 100000; ++lines) {
    if (line == "CONFIG_ARM64=y") return EM_AARCH64;
    if (line == "CONFIG_X86_64=y") return EM_X86_64;
  }
  return std::nullopt;
}

}  // namespace vmcap::initramfs
