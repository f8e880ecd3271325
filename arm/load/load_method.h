// Which way this machine's capture kernel is loaded, and why, said before loading (`vmcap
// arm`'s plan, `vmcap status`): kexec_file_load where the running kernel has it, else
// kexec-tools' `kexec -p` (kexec_load). The running kernel's config (ROOT/boot/config-KREL)
// says which: Debian's amd64 kernels have CONFIG_KEXEC_FILE=y, its arm64 ones do not (5.10,
// 6.1, 6.12). The load itself still tries kexec_file_load first and falls back on ENOSYS
// (kexec_load.h), so a config that is missing or wrong costs nothing.
#pragma once

#include <optional>
#include <string>

namespace vmcap::arm {

struct LoadMethodChoice {
  std::optional<bool> kexec_file;  // CONFIG_KEXEC_FILE of the running kernel; nullopt: no config
  std::string config_file;         // where that was read ("" when there is none)
  std::string tool;                // the kexec program found on PATH, "" when there is none
  std::string kexec_tool;          // what was looked for ("kexec"; "" when no fallback is wanted)

  // kexec -p is the only way, and there is no kexec program.
  bool cannot_load() const { return kexec_file == false && tool.empty(); }
  // "kexec -p: this kernel is built without kexec_file_load (...)", for the plan and status.
  std::string text() const;
};

// The running kernel's (uname -r) config under ROOT, and KEXEC_TOOL on PATH.
LoadMethodChoice choose_load_method(const std::string& root, const std::string& kexec_tool);

}  // namespace vmcap::arm
