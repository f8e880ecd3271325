// What `kexec -p` needs on arm64 to write a good ELF core header (arm/machine/kallsyms_text.h):
// when the running kernel's /proc/kallsyms has no _text, a kallsyms of vmcap's with _text
// worked out from _stext and the running kernel's Image, written to RUN_DIR and bound over
// /proc/kallsyms for kexec alone (run_program.h: a mount namespace of its own).
#pragma once

#include <string>
#include <vector>

#include "arm/load/run_program.h"
#include "elf/result.h"

namespace vmcap::arm {

struct ToolKallsyms {
  std::vector<BindMount> binds;  // empty: the kernel's kallsyms will do
  std::string note;              // what was found and done, for the console
};

// Reads ROOT/proc/kallsyms and ROOT/boot/vmlinuz-$(uname -r). Fails when _text is missing and
// cannot be worked out (the reason says what is missing): kexec -p would then write headers
// the capture cannot read.
Result<ToolKallsyms> prepare_tool_kallsyms(const std::string& root, const std::string& run_dir);

}  // namespace vmcap::arm
