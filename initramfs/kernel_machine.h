// The machine a kernel runs on, from its build config (boot/config-KREL), so that the
// capture image gets an /init of that machine: an image for an arm64 kernel tree built on
// an x86_64 host must carry the aarch64 vmcap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vmcap::initramfs {

// EM_AARCH64 for CONFIG_ARM64=y, EM_X86_64 for CONFIG_X86_64=y; nullopt when the file is
// missing or says neither.
std::optional<uint16_t> kernel_config_machine(const std::string& config_file);

}  // namespace vmcap::initramfs
