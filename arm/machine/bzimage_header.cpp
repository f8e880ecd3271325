#include "arm/machine/bzimage_header.h"

#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "arm/machine/file_head.h"

namespace vmcap::arm {

std::string BzImageHeader::version_string() const {
  return fmt::format("{}.{:02}", version >> 8, version & 0xff);
}

uint64_t BzImageHeader::setup_bytes() const {
  return (uint64_t{setup_sects == 0 ? 4u : setup_sects} + 1) * 512;
}

Result<BzImageHeader> parse_bzimage_header(std::span<const uint8_t> b, const std::string& file) {
  if (b.size() < 0x206)
    return make_error(ErrorKind::Truncated, file, std::nullopt,
                      fmt::format("{} bytes: too short for a bzImage setup header", b.size()));
  if (std::memcmp(b.data() + 0x202, "HdrS", 4) != 0)
    return make_error(ErrorKind::Format, file, 0x202, "no \"HdrS\": not a bzImage (an x86 Linux kernel)");
  BzImageHeader h;
  h.file_size = b.size();
  h.setup_sects = b[0x1f1];
  h.boot_flag = static_cast<uint16_t>(le(b, 0x1fe, 2));
  if (b.size() < 0x212)
    return make_error(ErrorKind::Truncated, file, std::nullopt, "the setup header is cut before loadflags");
  h.version = static_cast<uint16_t>(le(b, 0x206, 2));
  h.loadflags = b[0x211];
  // Fields newer than the image's protocol are not there: keep their defaults.
  const size_t need = h.version >= 0x020a ? 0x264 : h.version >= 0x0206 ? 0x23c : h.version >= 0x0205 ? 0x235 : 0x212;
  if (b.size() < need)
    return make_error(ErrorKind::Truncated, file, std::nullopt,
                      fmt::format("{} bytes: protocol {} has a setup header to {:#x}", b.size(), h.version_string(), need));
  if (h.version >= 0x0205) {
    h.kernel_alignment = static_cast<uint32_t>(le(b, 0x230, 4));
    h.relocatable = b[0x234] != 0;
  }
  if (h.version >= 0x0206) h.cmdline_size = static_cast<uint32_t>(le(b, 0x238, 4));
  if (h.version >= 0x020a) {
    h.pref_address = le(b, 0x258, 8);
    h.init_size = static_cast<uint32_t>(le(b, 0x260, 4));
  }
  if (h.version >= 0x020c) h.xloadflags = static_cast<uint16_t>(le(b, 0x236, 2));
  return h;
}

Result<BzImageHeader> read_bzimage_header(const std::string& path) {
  FileHead file = VMCAP_TRY(read_file_head(path, 4096));
  auto h = parse_bzimage_header(file.bytes, path);
  if (h) h->file_size = file.file_size;
  return h;
}

Result<void> check_kexec_file_loadable(const BzImageHeader& h, const std::string& file, bool five_level_paging) {
  auto refuse = [&](std::string why) { return make_error(ErrorKind::Format, file, std::nullopt, std::move(why)); };
  if (h.file_size < 1024) return refuse(fmt::format("{} bytes: a bzImage is at least two 512-byte sectors", h.file_size));
  if (h.boot_flag != 0xaa55) return refuse(fmt::format("boot_flag is {:#06x}, not 0xaa55: no x86 boot sector", h.boot_flag));
  if (h.version < kMinKexecFileProtocol)
    return refuse(fmt::format("boot protocol {}: kexec_file_load needs 2.12 or later", h.version_string()));
  if (!(h.loadflags & kLoadedHigh)) return refuse("LOADED_HIGH is not set: a zImage, not a bzImage");
  if (!(h.xloadflags & kXlfKernel64)) return refuse("XLF_KERNEL_64 is not set: not a 64-bit kernel with a 64-bit entry point");
  if (!(h.xloadflags & kXlfCanBeLoadedAbove4G))
    return refuse("XLF_CAN_BE_LOADED_ABOVE_4G is not set: kexec_file_load may place the kernel above 4 GiB");
  if (five_level_paging && !(h.xloadflags & kXlf5Level))
    return refuse("XLF_5LEVEL is not set and the running kernel uses 5-level paging");
  if (h.file_size < h.setup_bytes())
    return refuse(fmt::format("{} bytes: truncated, its setup code alone is {} bytes", h.file_size, h.setup_bytes()));
  return ok();
}

}  // namespace vmcap::arm
