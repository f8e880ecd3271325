#include "arm/load/kexec_load.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "arm/load/run_program.h"
#include "elf/unique_fd.h"

namespace vmcap::arm {
namespace {

// include/uapi/linux/kexec.h
constexpr unsigned long kKexecFileUnload = 0x1;
constexpr unsigned long kKexecFileOnCrash = 0x2;


long kexec_file_load(int kernel_fd, int initrd_fd, const std::string* cmdline, unsigned long flags) {
#ifdef SYS_kexec_file_load
  // cmdline_len counts the NUL the kernel insists on.
  return ::syscall(SYS_kexec_file_load, kernel_fd, initrd_fd, cmdline ? cmdline->size() + 1 : 0,
                   cmdline ? cmdline->c_str() : nullptr, flags);
#else
  (void)kernel_fd, (void)initrd_fd, (void)cmdline, (void)flags;
  errno = ENOSYS;
  return -1;
#endif
}


// The fallback: `argv` (kexec -p ...); its failure says why it was tried and what it said.
Result<LoadMethod> with_tool(const std::vector<std::string>& argv, const std::vector<BindMount>& binds = {}) {
  std::string output;
  int status = run_program(argv, output, binds);
  if (status == 0) return LoadMethod::KexecTool;
  std::string what = status < 0 ? "could not run " + argv[0] + ": " + std::strerror(errno)
                                : argv[0] + " exited with status " + std::to_string(status) +
                                      (output.empty() ? "" : ": " + output);
  return make_error(ErrorKind::Io, "", std::nullopt,
                    "this kernel has no kexec_file_load (ENOSYS), and the fallback failed: " + what);
}

}  // namespace

const char* to_string(LoadMethod m) { return m == LoadMethod::KexecFileLoad ? "kexec_file_load" : "kexec -p"; }

std::string kexec_file_load_failure(int err, const CrashImage& image, const LoadContext& context) {
  switch (err) {
    case EPERM:
      // Seen with Debian's signed 6.1 kernel and lockdown=integrity in QEMU without UEFI: the
      // kernel logs "kexec of unsigned images is restricted". Its built-in keyring holds only
      // its module signing key; Debian's Secure Boot key reaches the kernel only through
      // shim's MOK list (the machine keyring) on a Secure Boot machine.
      if (context.lockdown && context.secure_boot)
        return "the kernel refused the load (EPERM): it is locked down and could not verify the signature of " +
               image.kernel + " against the keys it trusts (UEFI db and MOK): use the distribution's signed kernel, "
               "booted through shim, or enrol its key with mokutil";
      if (context.lockdown)
        return "the kernel refused the load (EPERM): it is locked down (lockdown= or Secure Boot) and can verify "
               "no kernel's signature: without Secure Boot its keyrings hold no distribution key, so nothing can be "
               "loaded for a crash. Boot with Secure Boot through shim (Debian's key then comes from the MOK list), "
               "or without lockdown=";
      return "the kernel refused the load (EPERM): kernel.kexec_load_disabled = 1, a missing CAP_SYS_BOOT or a "
             "signature the kernel requires (CONFIG_KEXEC_SIG_FORCE) refuse it; vmcap status shows the first two";
    case ENODATA:  // under Secure Boot: the image carries no signature at all (seen in QEMU with OVMF)
    case EKEYREJECTED:
    case ENOKEY:
    case EBADMSG:
    case ELIBBAD:
    case ENOPKG:
    case EMSGSIZE:
      return "the kernel found no valid signature on " + image.kernel + " (" + std::strerror(err) +
             "; it verifies capture kernels under lockdown and Secure Boot): use the distribution's signed "
             "kernel, or enrol its key (mokutil)";
    case ENOEXEC:
#if defined(__aarch64__)
      return image.kernel + " is not a kernel image this kernel can load (ENOEXEC): an arm64 Image, not compressed";
#else
      return image.kernel + " is not a kernel image this kernel can load (ENOEXEC): an x86 bzImage with boot "
             "protocol 2.12 or later, 64-bit, loadable above 4 GiB";
#endif
    case EINVAL:
      return "the kernel refused the command line or the image (EINVAL): the line may be longer than the image's "
             "cmdline_size allows; vmcap arm --dry-run prints it";
    case EBUSY:
      return "another kexec load is running (EBUSY): try again when it ends";
    case ENOMEM:
      return "the crashkernel= reservation cannot hold " + image.kernel + " and " + image.initrd +
             " (ENOMEM): vmcap estimate says what to reserve";
    case EADDRNOTAVAIL:
      // The kernel found no hole for a segment: no reservation, or one too small for them.
      return "the crashkernel= reservation has no room for " + image.kernel + " and " + image.initrd +
             " (EADDRNOTAVAIL): it is too small for them, or there is none; vmcap estimate says what to reserve";
    case ENOENT:
      return "a file to load is gone (ENOENT): " + image.kernel + ", " + image.initrd;
    default:
      return std::string("kexec_file_load failed: ") + std::strerror(err);
  }
}

Result<LoadMethod> load_crash_image(const CrashImage& image, const std::string& kexec_tool, const LoadContext& context) {
  UniqueFd kernel(::open(image.kernel.c_str(), O_RDONLY | O_CLOEXEC));
  if (kernel.get() < 0) return make_error(ErrorKind::Io, image.kernel, std::nullopt, std::strerror(errno));
  UniqueFd initrd(::open(image.initrd.c_str(), O_RDONLY | O_CLOEXEC));
  if (initrd.get() < 0) return make_error(ErrorKind::Io, image.initrd, std::nullopt, std::strerror(errno));
  if (kexec_file_load(kernel.get(), initrd.get(), &image.cmdline, kKexecFileOnCrash) == 0)
    return LoadMethod::KexecFileLoad;
  const int err = errno;
  if (err != ENOSYS) {
    const ErrorKind kind = err == EPERM && context.lockdown ? ErrorKind::Usage : ErrorKind::Io;
    return make_error(kind, "", std::nullopt, kexec_file_load_failure(err, image, context));
  }
  if (kexec_tool.empty())
    return make_error(ErrorKind::Io, "", std::nullopt, "this kernel has no kexec_file_load (ENOSYS) and no kexec program was given");
  return with_tool({kexec_tool, "-p", image.kernel, "--initrd=" + image.initrd, "--append=" + image.cmdline},
                   context.tool_binds);
}

Result<LoadMethod> unload_crash_image(const std::string& kexec_tool) {
  if (kexec_file_load(-1, -1, nullptr, kKexecFileUnload | kKexecFileOnCrash) == 0) return LoadMethod::KexecFileLoad;
  const int err = errno;
  if (err != ENOSYS) {
    std::string why = err == EPERM ? "the kernel refused to unload (EPERM): needs CAP_SYS_BOOT"
                                   : std::string("unloading failed: ") + std::strerror(err);
    return make_error(ErrorKind::Io, "", std::nullopt, why);
  }
  if (kexec_tool.empty()) return make_error(ErrorKind::Io, "", std::nullopt, "this kernel has no kexec_file_load");
  return with_tool({kexec_tool, "-p", "-u"});
}

}  // namespace vmcap::arm
