#include "arm/machine/capture_kernel.h"

#include <fmt/format.h>

#include "arm/machine/capture_cmdline.h"

namespace vmcap::arm {

KernelMachine this_machine() {
#if defined(__aarch64__)
  return KernelMachine::Arm64;
#else
  return KernelMachine::X86_64;
#endif
}

const char* machine_name(KernelMachine m) { return m == KernelMachine::Arm64 ? "arm64" : "x86_64"; }

uint64_t CaptureKernel::boot_memory_bytes() const {
  if (bzimage) return bzimage->init_size;
  if (arm64) return arm64->header.text_offset + arm64->header.image_size + kArm64BootExtraBytes;
  return 0;
}

std::string CaptureKernel::boot_memory_source() const {
  if (arm64) return "image_size of the capture kernel's arm64 Image + 6 MiB it reserves at boot beside it";
  return "init_size of the capture kernel's bzImage";
}

std::string CaptureKernel::describe() const {
  if (bzimage)
    return fmt::format("(boot protocol {}, cmdline_size {})", bzimage->version_string(), bzimage->cmdline_size);
  if (arm64) return "(" + arm64->describe() + ")";
  return "";
}

Result<void> CaptureKernel::check_cmdline(size_t cmdline_len) const {
  if (bzimage) return check_cmdline_fits(cmdline_len, bzimage->cmdline_size);
  if (cmdline_len <= kArm64CommandLineSize) return ok();
  return make_error(ErrorKind::Limit, "", std::nullopt,
                    fmt::format("the capture command line is {} bytes with its NUL: more than the {} an arm64 kernel "
                                "takes (COMMAND_LINE_SIZE); drop words with the config's remove",
                                cmdline_len, kArm64CommandLineSize));
}

Result<CaptureKernel> read_capture_kernel(const std::string& path, KernelMachine machine) {
  CaptureKernel k;
  k.machine = machine;
  if (machine == KernelMachine::Arm64) {
    k.arm64 = VMCAP_TRY(read_arm64_kernel(path));
    return k;
  }
  k.bzimage = VMCAP_TRY(read_bzimage_header(path));
  VMCAP_CHECK(check_kexec_file_loadable(*k.bzimage, path));
  return k;
}

}  // namespace vmcap::arm
