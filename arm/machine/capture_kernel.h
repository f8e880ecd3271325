// The capture kernel file as arming needs it, for the machine that loads it: on x86_64 a
// bzImage (its setup header: kexec_file_load's checks, cmdline_size, init_size), on arm64
// an Image (its header: image_size; bzimage_header.h and arm64_image.h say where each
// field comes from). What the plan prints, what the estimate counts for the kernel, and
// the longest capture command line the kernel takes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "arm/machine/arm64_image.h"
#include "arm/machine/bzimage_header.h"
#include "elf/result.h"

namespace vmcap::arm {

enum class KernelMachine { X86_64, Arm64 };

// The machine vmcap was built for: the one it arms.
KernelMachine this_machine();
const char* machine_name(KernelMachine m);  // "x86_64", "arm64"

// arm64's COMMAND_LINE_SIZE (arch/arm64/include/uapi/asm/setup.h), its NUL included:
// kexec-tools puts the line in the device tree's /chosen/bootargs and passes elfcorehdr=
// as a device-tree property, adding nothing to the line.
inline constexpr size_t kArm64CommandLineSize = 2048;

// What an arm64 kernel reserves at boot beside its Image, page tables, the memmap and per-CPU
// areas among them. Measured: Debian's 6.1 arm64 capture kernel (image_size 32.1 MiB) reports
// 41.1 MiB "reserved" at crashkernel=64M, 80M and 96M, 3.4 MiB of it vmcap's initrd
// (counted in the estimate's initramfs term): 5.6 MiB more. x86's init_size covers its own.
inline constexpr uint64_t kArm64BootExtraBytes = 6u << 20;

struct CaptureKernel {
  KernelMachine machine = KernelMachine::X86_64;
  std::optional<BzImageHeader> bzimage;  // x86_64
  std::optional<Arm64Kernel> arm64;      // arm64

  // The memory the kernel takes in the reservation to boot: x86 init_size; arm64
  // text_offset + image_size + kArm64BootExtraBytes; and how it was found (the estimate's term).
  uint64_t boot_memory_bytes() const;
  std::string boot_memory_source() const;
  std::string describe() const;  // "(boot protocol 2.15, cmdline_size 2047)", "(arm64 Image, 4K pages, ...)"
  // Ok when a capture line of cmdline_len bytes (its NUL included) fits; else ErrorKind::Limit
  // with both numbers.
  Result<void> check_cmdline(size_t cmdline_len) const;
};

// Reads and checks PATH as the capture kernel of MACHINE: a bzImage kexec_file_load takes,
// or an arm64 Image (plain or gzip) kexec -p takes. Errors name the file and what is wrong.
Result<CaptureKernel> read_capture_kernel(const std::string& path, KernelMachine machine);

}  // namespace vmcap::arm
