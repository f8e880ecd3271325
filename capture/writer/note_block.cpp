#include "capture/writer/note_block.h"

#include <cstring>

namespace vmcap {

namespace {

void put_u32(std::vector<std::byte>& out, uint32_t v, bool le) {
  for (int i = 0; i < 4; ++i) out.push_back(std::byte(v >> (8 * (le ? i : 3 - i))));
}

void pad4(std::vector<std::byte>& out) {
  while (out.size() % 4) out.push_back(std::byte{0});
}

}  // namespace

NoteBlock encode_note_block(const std::vector<Note>& notes, bool little_endian) {
  NoteBlock block;
  for (const Note& n : notes) {
    put_u32(block.bytes, static_cast<uint32_t>(n.name.size() + 1), little_endian);
    put_u32(block.bytes, static_cast<uint32_t>(n.desc.size()), little_endian);
    put_u32(block.bytes, n.type, little_endian);
    for (char c : n.name) block.bytes.push_back(std::byte(c));
    block.bytes.push_back(std::byte{0});
    pad4(block.bytes);
    if (n.name == "VMCOREINFO" && block.vmcoreinfo_size == 0) {
      block.vmcoreinfo_offset = block.bytes.size();
      block.vmcoreinfo_size = n.desc.size();
    }
    block.bytes.insert(block.bytes.end(), n.desc.begin(), n.desc.end());
    pad4(block.bytes);
  }
  return block;
}

}  // namespace vmcap
