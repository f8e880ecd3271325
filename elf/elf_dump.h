// ELF core dumps: /proc/vmcore as the kernel (and kexec-tools) write it, and QEMU/libvirt
// `dump-guest-memory` output. ELF32 and ELF64, either byte order, PN_XNUM.
//
// Limits and rules this reader enforces (collected into docs/limits.md):
// - The file must be a regular file, start with the ELF magic, have a valid EI_CLASS and
//   EI_DATA, and e_type ET_CORE. e_ehsize is not checked (QEMU writes a wrong one); the
//   program headers are read wherever e_phoff says.
// - At most kMaxElfSegments (1 << 20) program headers; zero is an error. With e_phnum ==
//   PN_XNUM the count comes from section header 0's sh_info.
// - The program header table must lie inside the file (else Truncated at e_phoff).
// - A damaged program header is skipped with a warning naming its file offset, and the
//   rest of the file is read: p_offset + p_filesz or p_paddr + p_memsz overflowing 64 bits,
//   a PT_LOAD with p_filesz > p_memsz or ending above kMaxPhysicalAddress (2^52, the widest
//   physical address space Linux has: x86_64 with 5 levels, arm64 with LPA/LPA2). A
//   crashing kernel or kexec-tools can write one bad header (Debian's arm64 6.1 without
//   `_text` in kallsyms: a kernel-image PT_LOAD of ~2^64 bytes); the log and the RAM are
//   in the others.
// - A PT_LOAD whose data runs past the end of the file is kept, with a warning; reads of
//   the missing part give Truncated naming the file offset.
// - PT_NOTE segments larger than kMaxNoteSegmentBytes (64 MiB) are skipped with a warning;
//   all segments together are read up to kMaxNoteBytes (64 MiB; later ones are skipped
//   with a warning); at most kMaxNotes (65536) notes are kept. A garbled note (sizes past the segment end)
//   stops parsing that segment with a warning naming its offset; earlier notes, other
//   segments and memory stay usable. A note segment past the end of the file is parsed as
//   far as the file goes, with a warning.
// - Zero-size PT_LOADs are ignored; overlapping PT_LOADs: see elf_physical_memory.h.
// - At most kMaxHeaderWarnings (100) warnings about program headers and notes, then one
//   saying how many more there were.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "elf/dump.h"
#include "elf/elf_physical_memory.h"
#include "elf/file_reader.h"

namespace vmcap {

inline constexpr uint64_t kMaxElfSegments = 1u << 20;
inline constexpr uint64_t kMaxNoteSegmentBytes = 64ull << 20;
inline constexpr uint64_t kMaxNoteBytes = 64ull << 20;  // all note segments together
inline constexpr uint64_t kMaxHeaderWarnings = 100;
inline constexpr uint64_t kMaxPhysicalAddress = 1ull << 52;

struct ElfOpenOptions {
  // Map the file (libelf ELF_C_READ_MMAP and mmap windows for memory reads) instead of pread.
  bool use_mmap = false;
};

class ElfDump final : public Dump {
 public:
  static Result<std::unique_ptr<ElfDump>> open(const std::string& path,
                                               const ElfOpenOptions& options = {});

  const std::string& path() const override { return file_->path(); }
  std::string format() const override { return "elf"; }
  uint16_t machine() const override { return machine_; }
  int word_size() const override { return word_size_; }
  bool little_endian() const override { return little_endian_; }
  const std::vector<Note>& notes() const override { return notes_; }
  const PhysicalMemory& memory() const override { return *memory_; }
  // PT_LOADs whose p_vaddr is nonzero and differs from p_paddr, in program header order.
  const std::vector<VirtualMapping>& virtual_mappings() const override { return mappings_; }

  // Problems that did not stop the dump from opening (garbled notes, truncated segments),
  // one line each, naming the file offset.
  const std::vector<std::string>& warnings() const { return warnings_; }
  // Every PT_LOAD with memsz > 0, in program header order.
  const std::vector<ElfLoadSegment>& load_segments() const { return loads_; }
  // Total program headers (after PN_XNUM resolution).
  uint64_t program_header_count() const { return phnum_; }
  const FileReader& file() const { return *file_; }

 private:
  ElfDump() = default;

  std::shared_ptr<FileReader> file_;
  uint16_t machine_ = 0;
  int word_size_ = 64;
  bool little_endian_ = true;
  uint64_t phnum_ = 0;
  std::vector<Note> notes_;
  std::vector<ElfLoadSegment> loads_;
  std::vector<VirtualMapping> mappings_;
  std::vector<std::string> warnings_;
  std::unique_ptr<ElfPhysicalMemory> memory_;
};

// The same, as the format-independent interface.
Result<std::unique_ptr<Dump>> open_elf_dump(const std::string& path,
                                            const ElfOpenOptions& options = {});

}  // namespace vmcap
