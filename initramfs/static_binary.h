// The capture kernel's initramfs has no libc or dynamic loader: /init must be a static
// executable. Here: read a binary and refuse one that asks for an interpreter.
#pragma once

#include <string>

#include "elf/result.h"

namespace vmcap::initramfs {

// The file's bytes when it is an x86-64 ELF executable without PT_INTERP (static or
// static-pie); an error naming the file and what is wrong otherwise.
Result<std::string> read_static_executable(const std::string& path);

}  // namespace vmcap::initramfs
