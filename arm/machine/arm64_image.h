// An arm64 kernel Image as the capture kernel: its header, where _stext lies in it, and
// what kexec can load.
//
// Sources (Linux): Documentation/arch/arm64/booting.rst (the 64-byte header: text_offset at
// 0x08, image_size at 0x10 (the memory the kernel needs from its load address, BSS
// included; 0 before 3.17), flags at 0x18 (bit 0 big-endian; bits 1-2 the page size: 1 4K,
// 2 16K, 3 64K, 0 unspecified), magic "ARM\x64" at 0x38, the PE header's offset at 0x3c),
// arch/arm64/kernel/efi-header.S (the EFI stub's PE/COFF header: BaseOfCode is the end of
// the header, aligned to SEGMENT_ALIGN) and vmlinux.lds.S (the image starts at _text,
// .head.text, then .text at the next SEGMENT_ALIGN: _stext). Debian's 6.1.0-50-arm64 and
// 6.12.95 vmlinuz are uncompressed Images with BaseOfCode 0x10000 (the _stext - _text of
// their builds). kexec-tools' `kexec -p` also takes a gzip-compressed Image (Image.gz,
// other distributions' vmlinuz) and unpacks it; kexec_file_load takes an Image only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "elf/result.h"

namespace vmcap::arm {

inline constexpr size_t kArm64ImageHeaderBytes = 0x40;

struct Arm64ImageHeader {
  uint64_t text_offset = 0;  // 0x08: 0 since 5.8 (0x80000 before)
  uint64_t image_size = 0;   // 0x10
  uint64_t flags = 0;        // 0x18
  bool big_endian() const { return flags & 1; }
  uint32_t page_size() const;  // 4096, 16384, 65536; 0 unspecified
};

// The header of an Image whose first bytes (at least 64) are BYTES; FILE names it in errors.
Result<Arm64ImageHeader> parse_arm64_image_header(std::span<const uint8_t> bytes, const std::string& file = "");

// The offset of _stext in the Image (its PE header's BaseOfCode), when the Image has an
// EFI stub header and the value is plausible (4 KiB aligned, at most 2 MiB).
std::optional<uint64_t> arm64_stext_offset(std::span<const uint8_t> bytes);

enum class Arm64ImageFormat { Image, GzipImage };

struct Arm64Kernel {
  Arm64ImageFormat format = Arm64ImageFormat::Image;
  Arm64ImageHeader header;
  std::optional<uint64_t> stext_offset;
  uint64_t file_size = 0;
  std::string describe() const;  // "arm64 Image, 4K pages, image_size 32.1 MiB"
};

// Reads PATH's first 64 KiB (unpacking them when it is gzip) and checks what vmcap's
// captures need: an Image, little-endian, with an image_size. Errors name the file and
// what it is instead.
Result<Arm64Kernel> read_arm64_kernel(const std::string& path);

}  // namespace vmcap::arm
