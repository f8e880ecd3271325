// Fuzz target: the first bytes of a kernel image. The bzImage parser either refuses with an
// error or gives a header whose defaults follow its protocol version; the kexec_file_load
// check never passes an image its own rules refuse. The arm64 parsers get the same bytes:
// the header, and _stext's offset from the EFI header (4 KiB aligned, at most 2 MiB).
#include <cstdint>
#include <span>

#include "arm/machine/arm64_image.h"
#include "arm/machine/bzimage_header.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::arm;
  const std::span<const uint8_t> bytes(data, size);
  if (auto h = parse_bzimage_header(bytes, "fuzz")) {
    if (size < 0x206) __builtin_trap();
    if (h->version < 0x0206 && h->cmdline_size != 255) __builtin_trap();
    if (h->version < 0x020a && h->init_size != 0) __builtin_trap();
    if (h->file_size != size) __builtin_trap();
    const bool loadable = check_kexec_file_loadable(*h, "fuzz").has_value();
    if (loadable && (h->version < kMinKexecFileProtocol || !(h->xloadflags & kXlfKernel64) ||
                     !(h->xloadflags & kXlfCanBeLoadedAbove4G) || size < 1024 || size < h->setup_bytes()))
      __builtin_trap();
    if (check_kexec_file_loadable(*h, "fuzz", true).has_value() && !loadable) __builtin_trap();
    (void)h->version_string();
  } else if (h.error().reason.empty()) {
    __builtin_trap();
  }
  if (auto a = parse_arm64_image_header(bytes, "fuzz")) {
    if (size < kArm64ImageHeaderBytes) __builtin_trap();
    const uint32_t page = a->page_size();
    if (page != 0 && page != 4096 && page != 16384 && page != 65536) __builtin_trap();
  }
  if (auto offset = arm64_stext_offset(bytes)) {
    if (*offset == 0 || *offset % 4096 != 0 || *offset > (2u << 20)) __builtin_trap();
  }
  return 0;
}
