// The capture kernel's initramfs has no libc or dynamic loader: /init must be a static
// executable, and one of the capture kernel's machine (an x86-64 vmcap cannot be /init of
// an arm64 kernel). Here: read a binary and refuse one that asks for an interpreter or is
// built for another machine.
#pragma once

#include <cstdint>
#include <string>

#include "elf/result.h"

namespace vmcap::initramfs {

// The ELF e_machine this vmcap was built for (EM_X86_64, EM_AARCH64).
uint16_t this_elf_machine();
// "x86-64", "aarch64", or "e_machine N".
std::string elf_machine_name(uint16_t machine);

// The file's bytes when it is a little-endian ELF64 executable for `machine` without
// PT_INTERP (static or static-pie); an error naming the file and what is wrong otherwise.
Result<std::string> read_static_executable(const std::string& path, uint16_t machine = this_elf_machine());

}  // namespace vmcap::initramfs
