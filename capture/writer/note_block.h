// The crashed kernel's note segment as bytes (ELF note layout, 4-byte alignment as Linux
// writes it), and where the VMCOREINFO text sits inside it: what the kdump sub-header
// and the filtered ELF's PT_NOTE carry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "elf/dump.h"

namespace vmcap {

struct NoteBlock {
  std::vector<std::byte> bytes;
  // The VMCOREINFO note's desc (its text) inside bytes; size 0 when there is none.
  uint64_t vmcoreinfo_offset = 0;
  uint64_t vmcoreinfo_size = 0;
};

// Encodes notes (as a Dump reads them) in little- or big-endian ELF note layout.
NoteBlock encode_note_block(const std::vector<Note>& notes, bool little_endian = true);

}  // namespace vmcap
