// ELF note parsing (the body of a PT_NOTE segment, or the note block a kdump-compressed
// file copies from one): Elf32_Nhdr/Elf64_Nhdr are the same 12 bytes, name and desc
// each padded to 4 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "elf/dump.h"
#include "elf/result.h"

namespace vmcap {

// Most notes vmcap keeps from one dump: 2 per CPU for 8192 CPUs plus slack.
inline constexpr size_t kMaxNotes = 1u << 16;

// Appends the notes in data (which starts at file offset base_offset of file path) to out.
// Stops without error at the end of the data or at an all-zero note header (the kernel
// terminates its per-CPU note buffers that way). A note whose sizes run past the data, or
// going over kMaxNotes, stops parsing with an error naming its file offset; the notes
// before it stay in out.
Result<void> parse_elf_notes(std::span<const std::byte> data, uint64_t base_offset,
                             bool little_endian, const std::string& path, std::vector<Note>& out);

}  // namespace vmcap
