#include "elf/elf_notes.h"

#include <algorithm>

#include <fmt/format.h>

#include "elf/byte_order.h"

namespace vmcap {

namespace {
constexpr size_t kHeader = 12;
uint64_t pad4(uint64_t v) { return (v + 3) & ~uint64_t{3}; }
}  // namespace

Result<void> parse_elf_notes(std::span<const std::byte> data, uint64_t base_offset,
                             bool little_endian, const std::string& path, std::vector<Note>& out) {
  size_t pos = 0;
  // Each step consumes at least the 12-byte header, so this ends within data.size()/12 steps.
  while (pos < data.size()) {
    const uint64_t at = base_offset + pos;
    const size_t left = data.size() - pos;
    if (left < kHeader) {
      bool zeros = std::all_of(data.begin() + pos, data.end(), [](std::byte b) { return b == std::byte{0}; });
      if (zeros) return ok();
      return make_error(ErrorKind::Format, path, at,
                        fmt::format("note header cut short: {} bytes left in the note segment", left));
    }
    uint32_t namesz = load_u32(data, pos, little_endian);
    uint32_t descsz = load_u32(data, pos + 4, little_endian);
    uint32_t type = load_u32(data, pos + 8, little_endian);
    if (namesz == 0 && descsz == 0 && type == 0) return ok();  // terminator / padding
    const uint64_t body = left - kHeader;
    if (pad4(namesz) > body || descsz > body - pad4(namesz))
      return make_error(ErrorKind::Format, path, at,
                        fmt::format("garbled note: namesz {} + descsz {} exceed the {} bytes left "
                                    "in the note segment",
                                    namesz, descsz, body));
    if (out.size() >= kMaxNotes)
      return make_error(ErrorKind::Limit, path, at,
                        fmt::format("more than {} notes; the rest are ignored", kMaxNotes));
    Note note;
    const char* name = reinterpret_cast<const char*>(data.data() + pos + kHeader);
    size_t name_len = namesz;
    while (name_len > 0 && name[name_len - 1] == '\0') --name_len;  // namesz counts the NUL
    note.name.assign(name, name_len);
    note.type = type;
    const size_t desc_at = pos + kHeader + pad4(namesz);
    note.desc.assign(data.begin() + desc_at, data.begin() + desc_at + descsz);
    note.file_offset = at;
    out.push_back(std::move(note));
    // The last note's desc padding may be missing at the very end of the segment.
    pos = desc_at + std::min<uint64_t>(pad4(descsz), data.size() - desc_at);
  }
  return ok();
}

}  // namespace vmcap
