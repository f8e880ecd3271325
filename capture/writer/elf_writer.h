// Writes a filtered ELF64 little-endian core: a PT_NOTE with the original notes and one
// PT_LOAD per run of kept pages the source holds (clipped to the source's ranges, split
// where the source's virtual mappings begin or end). p_vaddr is the source's stated
// virtual address when the run lies in one of its mappings, else 0. More than 65534
// segments use PN_XNUM (the count in section header 0). Pages are stored uncompressed;
// pages that cannot be read are written as zeros and counted lost.
#pragma once

#include <cstdint>
#include <vector>

#include "capture/pages/pfn_bitmap.h"
#include "capture/writer/byte_sink.h"
#include "capture/writer/note_block.h"
#include "capture/writer/write_options.h"
#include "elf/dump.h"
#include "elf/physical_memory.h"

namespace vmcap {

struct ElfHeaderFields {
  uint16_t machine = 62;  // e_machine (EM_X86_64)
  uint32_t page_size = 4096;
  NoteBlock notes;
  std::vector<VirtualMapping> mappings;  // the source's, for p_vaddr
};

// Commits the sink on success. options.compression and threads are ignored.
Result<WriteStats> write_elf(const PhysicalMemory& memory, const PfnBitmap& keep,
                             const ElfHeaderFields& fields, const WriteOptions& options,
                             ByteSink& sink);

}  // namespace vmcap
