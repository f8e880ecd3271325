// The setup header of an x86 bzImage: whether kexec_file_load can load the capture kernel,
// the longest command line it takes (cmdline_size) and the memory it needs to boot
// (init_size, for the crashkernel= estimate). The arm64 Image: arm64_image.h.
//
// Sources (Linux): Documentation/arch/x86/boot.rst (the field offsets and the protocol
// version each appeared in: kernel_alignment 2.05, cmdline_size 2.06 and 255 before it,
// init_size and pref_address 2.10, xloadflags 2.12), arch/x86/kernel/kexec-bzimage64.c
// (bzImage64_probe: at least 1024 bytes, "HdrS", boot_flag 0xAA55, protocol >= 2.12,
// LOADED_HIGH, XLF_KERNEL_64, XLF_CAN_BE_LOADED_ABOVE_4G, and XLF_5LEVEL when the running
// kernel uses 5-level paging; bzImage64_load: the file holds (setup_sects + 1) * 512 bytes
// of setup at least, the kernel takes PAGE_ALIGN(init_size) of the reservation aligned to
// kernel_alignment).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "elf/result.h"

namespace vmcap::arm {

inline constexpr uint16_t kXlfKernel64 = 1u << 0;
inline constexpr uint16_t kXlfCanBeLoadedAbove4G = 1u << 1;
inline constexpr uint16_t kXlf5Level = 1u << 5;
inline constexpr uint8_t kLoadedHigh = 1u << 0;
inline constexpr uint16_t kMinKexecFileProtocol = 0x020c;  // 2.12
// What the header must hold for the fields above (up to init_size, 0x260..0x263).
inline constexpr size_t kBzImageHeaderBytes = 0x264;

struct BzImageHeader {
  uint8_t setup_sects = 0;         // 0x1f1; 0 means 4
  uint16_t boot_flag = 0;          // 0x1fe, 0xAA55
  uint16_t version = 0;            // 0x206: 0x020f is 2.15
  uint8_t loadflags = 0;           // 0x211
  uint32_t kernel_alignment = 0;   // 0x230 (2.05+; 0 before)
  bool relocatable = false;        // 0x234 (2.05+)
  uint16_t xloadflags = 0;         // 0x236 (2.12+; 0 before)
  uint32_t cmdline_size = 255;     // 0x238 (2.06+): the longest line, without its NUL
  uint64_t pref_address = 0;       // 0x258 (2.10+)
  uint32_t init_size = 0;          // 0x260 (2.10+; 0 before): memory the kernel needs to boot
  uint64_t file_size = 0;          // the whole file's size (the bytes given when parsed alone)

  std::string version_string() const;  // "2.15"
  // Bytes of the file that are setup code, (setup_sects or 4, plus 1) * 512.
  uint64_t setup_bytes() const;
};

// The header of a bzImage whose first bytes (at least kBzImageHeaderBytes of them, or all
// of the file) are BYTES. FILE names the image in errors. Fails (ErrorKind::Format or
// Truncated) when there is no "HdrS" magic or the header is cut.
Result<BzImageHeader> parse_bzimage_header(std::span<const uint8_t> bytes, const std::string& file = "");
// Reads the first 4 KiB of PATH and its size.
Result<BzImageHeader> read_bzimage_header(const std::string& path);

// Ok when kexec_file_load(2) takes the image on x86_64; otherwise the reason, as the
// kernel's probe would log it (ErrorKind::Format, the file named). five_level_paging: the
// running kernel uses 5-level page tables (then the image must say it can handle them).
Result<void> check_kexec_file_loadable(const BzImageHeader& h, const std::string& file,
                                       bool five_level_paging = false);

}  // namespace vmcap::arm
