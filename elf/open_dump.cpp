#include "elf/open_dump.h"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "elf/elf_dump.h"
#include "elf/file_reader.h"
#include "elf/kdump/kdump.h"

namespace vmcap {
namespace {

// What the first bytes look like, for the error message on an unknown file.
std::string describe(std::span<const std::byte> head) {
  bool text = true;
  for (auto b : head) {
    auto c = static_cast<unsigned char>(b);
    if (!std::isprint(c) && !std::isspace(c)) text = false;
  }
  if (text) return "it looks like text";
  std::string hex;
  for (size_t i = 0; i < head.size() && i < 8; ++i)
    hex += fmt::format("{:02x}", static_cast<unsigned>(head[i]));
  return "it starts with bytes " + hex;
}

}  // namespace

Result<std::unique_ptr<Dump>> open_dump(const std::string& path, const OpenDumpOptions& options) {
  auto file = VMCAP_TRY(FileReader::open(path));
  if (file->size() == 0)
    return make_error(ErrorKind::Format, path, std::nullopt, "empty file, not a dump");
  std::array<std::byte, 16> head{};
  auto n = std::min<uint64_t>(head.size(), file->size());
  VMCAP_CHECK(file->read_at(0, std::span(head.data(), n)));
  std::span<const std::byte> h(head.data(), n);

  static constexpr unsigned char kElfMagic[4] = {0x7f, 'E', 'L', 'F'};
  if (n >= 4 && std::equal(kElfMagic, kElfMagic + 4, h.begin(),
                           [](unsigned char a, std::byte b) { return a == static_cast<unsigned char>(b); }))
    return open_elf_dump(path, ElfOpenOptions{.use_mmap = options.use_mmap});
  if (is_kdump_compressed_signature(h)) return open_kdump_compressed(path);
  if (is_flattened_signature(h)) return open_flattened(path);
  if (is_zstd_frame_signature(h)) return open_flat_zstd(path);
  return make_error(ErrorKind::Format, path, 0,
                    "not a dump: neither an ELF core, kdump-compressed, flattened nor flat-zstd file (" +
                        describe(h) + ")");
}

std::vector<std::string> open_warnings(const Dump& dump) {
  if (auto* elf = dynamic_cast<const ElfDump*>(&dump)) return elf->warnings();
  if (auto* kdump = kdump_info(dump)) return kdump->warnings;
  return {};
}

}  // namespace vmcap
