#include "arm/machine/arm64_image.h"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "arm/machine/file_head.h"

namespace vmcap::arm {
namespace {

constexpr size_t kHeadBytes = 64 << 10;  // the header and the PE header, with room
constexpr uint64_t kMaxStextOffset = 2 << 20;

// The first kHeadBytes of the gzip stream in PATH, unpacked.
Result<std::vector<uint8_t>> gunzip_head(const std::string& path) {
  gzFile gz = ::gzopen(path.c_str(), "rb");
  if (!gz) return make_error(ErrorKind::Io, path, std::nullopt, "cannot open it as gzip");
  std::vector<uint8_t> out(kHeadBytes);
  const int n = ::gzread(gz, out.data(), static_cast<unsigned>(out.size()));
  ::gzclose(gz);
  if (n < 0) return make_error(ErrorKind::Format, path, std::nullopt, "a gzip file that does not unpack");
  out.resize(static_cast<size_t>(n));
  return out;
}

}  // namespace

uint32_t Arm64ImageHeader::page_size() const {
  switch ((flags >> 1) & 3) {
    case 1: return 4096;
    case 2: return 16384;
    case 3: return 65536;
    default: return 0;
  }
}

Result<Arm64ImageHeader> parse_arm64_image_header(std::span<const uint8_t> b, const std::string& file) {
  if (b.size() < kArm64ImageHeaderBytes)
    return make_error(ErrorKind::Truncated, file, std::nullopt,
                      fmt::format("{} bytes: too short for an arm64 Image header", b.size()));
  if (std::memcmp(b.data() + 0x38, "ARM\x64", 4) != 0)
    return make_error(ErrorKind::Format, file, 0x38, "no \"ARM\\x64\" magic: not an arm64 Image");
  return Arm64ImageHeader{le(b, 0x08, 8), le(b, 0x10, 8), le(b, 0x18, 8)};
}

std::optional<uint64_t> arm64_stext_offset(std::span<const uint8_t> b) {
  if (b.size() < kArm64ImageHeaderBytes || b[0] != 'M' || b[1] != 'Z') return std::nullopt;
  const uint64_t pe = le(b, 0x3c, 4);
  // "PE\0\0", the 20-byte COFF header, then the optional header: BaseOfCode at +20 of it.
  if (pe > b.size() || b.size() - pe < 24 + 24) return std::nullopt;
  if (std::memcmp(b.data() + pe, "PE\0\0", 4) != 0) return std::nullopt;
  const size_t optional = pe + 24;
  if (le(b, optional, 2) != 0x20b) return std::nullopt;  // PE32+
  const uint64_t base_of_code = le(b, optional + 20, 4);
  if (base_of_code == 0 || base_of_code % 4096 != 0 || base_of_code > kMaxStextOffset) return std::nullopt;
  return base_of_code;
}

std::string Arm64Kernel::describe() const {
  const uint32_t page = header.page_size();
  return fmt::format("arm64 Image{}, {}, image_size {:.1f} MiB", format == Arm64ImageFormat::GzipImage ? " (gzip)" : "",
                     page ? fmt::format("{}K pages", page / 1024) : std::string("page size unspecified"),
                     static_cast<double>(header.image_size) / (1 << 20));
}

Result<Arm64Kernel> read_arm64_kernel(const std::string& path) {
  Arm64Kernel k;
  FileHead file = VMCAP_TRY(read_file_head(path, kHeadBytes));
  k.file_size = file.file_size;
  std::vector<uint8_t> head = std::move(file.bytes);
  if (head.size() >= 2 && head[0] == 0x1f && head[1] == 0x8b) {
    k.format = Arm64ImageFormat::GzipImage;
    head = VMCAP_TRY(gunzip_head(path));
  } else if (head.size() >= 8 && head[0] == 'M' && head[1] == 'Z' && std::memcmp(head.data() + 4, "zimg", 4) == 0) {
    return make_error(ErrorKind::Format, path, 4,
                      "an EFI zboot image (a compressed kernel with its own EFI loader): kexec-tools 2.0.25 cannot "
                      "load it; give the kernel's plain Image with --kernel");
  }
  auto header = parse_arm64_image_header(head, path);
  if (!header) {
    Error e = header.error();
    if (head.size() >= 0x206 && std::memcmp(head.data() + 0x202, "HdrS", 4) == 0)
      e.reason = "an x86 bzImage, not an arm64 Image: give this machine's arm64 kernel with --kernel";
    return e;
  }
  k.header = *header;
  if (k.header.big_endian())
    return make_error(ErrorKind::Format, path, 0x18, "a big-endian kernel: vmcap captures little-endian arm64 only");
  if (k.header.image_size == 0)
    return make_error(ErrorKind::Format, path, 0x10,
                      "image_size is 0: a kernel older than 3.17, whose memory needs the header does not say");
  k.stext_offset = arm64_stext_offset(head);
  return k;
}

}  // namespace vmcap::arm
