// Physical memory of an ELF core: its PT_LOAD segments as a table sorted by physical
// address, translated to file offsets by binary search.
//
// Rules (ELF's, plus the ones ELF leaves open):
// - Bytes between p_filesz and p_memsz read as zeros (ELF says so) and count as present.
// - Addresses in no segment are holes (ErrorKind::Hole, offset = the physical address).
// - Zero-size segments (p_memsz == 0) are ignored.
// - Overlapping segments (x86_64 vmcores map the kernel text twice: once in its own
//   PT_LOAD, once inside a RAM PT_LOAD): an address belongs to the containing segment with
//   the lowest p_paddr, ties going to the earlier program header. The overlapping parts
//   hold the same bytes in a sound dump; the rule only makes the choice deterministic.
// - Segment data past the end of the file gives ErrorKind::Truncated naming the file offset.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "elf/file_reader.h"
#include "elf/physical_memory.h"

namespace vmcap {

// One PT_LOAD as validated by the ELF reader: offset + filesz and paddr + memsz do not
// overflow, filesz <= memsz. The file data may still end early (truncated file).
struct ElfLoadSegment {
  uint64_t paddr = 0;
  uint64_t vaddr = 0;
  uint64_t file_offset = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  size_t phdr_index = 0;
};

class ElfPhysicalMemory final : public PhysicalMemory {
 public:
  // A run of physical addresses served by one segment after overlaps are resolved.
  struct Piece {
    uint64_t start = 0;        // physical, inclusive
    uint64_t end = 0;          // physical, exclusive
    uint64_t file_offset = 0;  // file offset of start
    uint64_t data_end = 0;     // physical address where file data stops; zeros from there
    size_t phdr_index = 0;
  };

  ElfPhysicalMemory(std::shared_ptr<const FileReader> file, std::vector<ElfLoadSegment> segments);

  const std::vector<PhysRange>& ranges() const override { return ranges_; }
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override;

  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  const Piece* piece_at(uint64_t paddr) const;

  std::shared_ptr<const FileReader> file_;
  std::vector<Piece> pieces_;  // sorted by start, not overlapping
  std::vector<PhysRange> ranges_;
};

}  // namespace vmcap
