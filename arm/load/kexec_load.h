// Loading and unloading the crash kernel (docs/arming.md). kexec_file_load(2) with
// KEXEC_FILE_ON_CRASH first: the kernel reads the files itself and checks the image's
// signature, which is what lockdown and Secure Boot demand and the old kexec_load(2)
// cannot satisfy. Where the kernel has no kexec_file_load (ENOSYS: Debian's arm64 kernels
// are built without CONFIG_KEXEC_FILE), the system's `kexec -p` when installed, said so.
// Sources: kernel/kexec_file.c, include/uapi/linux/kexec.h, kexec-tools kexec/kexec.c.
#pragma once

#include <string>
#include <vector>

#include "arm/load/run_program.h"
#include "elf/result.h"

namespace vmcap::arm {

struct CrashImage {
  std::string kernel;   // a bzImage (x86) / Image (arm64) path
  std::string initrd;   // the capture initramfs
  std::string cmdline;  // without the elfcorehdr= the kernel adds itself
};

enum class LoadMethod { KexecFileLoad, KexecTool };
const char* to_string(LoadMethod m);

// What the machine's security state says of a refusal (security_state.h, read by the caller).
struct LoadContext {
  bool lockdown = false;     // integrity or confidentiality
  bool secure_boot = false;  // on and enforcing
  // Files bound over others for `kexec -p` alone (arm64: a /proc/kallsyms with _text,
  // tool_kallsyms.h).
  std::vector<BindMount> tool_binds;
};

// What the kernel's refusal means for the operator, and what to do next: one message per
// errno of kexec_file_load (EPERM lockdown or signature, EKEYREJECTED/ENOKEY/EBADMSG
// signature, ENOEXEC image format, EINVAL command line, EBUSY, ENOMEM reservation...).
std::string kexec_file_load_failure(int err, const CrashImage& image, const LoadContext& context = {});

// Loads `image` as the crash kernel. `kexec_tool`: the fallback program ("kexec" on PATH
// by default; empty: no fallback). The method used, or why neither worked: a refusal under
// lockdown is ErrorKind::Usage (the machine as it is cannot be armed), others ErrorKind::Io.
Result<LoadMethod> load_crash_image(const CrashImage& image, const std::string& kexec_tool = "kexec",
                                    const LoadContext& context = {});

// Unloads the crash kernel (nothing loaded is not an error).
Result<LoadMethod> unload_crash_image(const std::string& kexec_tool = "kexec");

}  // namespace vmcap::arm
