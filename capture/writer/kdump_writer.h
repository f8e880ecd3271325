// Writes makedumpfile's kdump-compressed format ("KDUMP   ", header version 6, LP64
// little-endian layout: x86_64, aarch64, ...) from pages of a PhysicalMemory. Bytes, not
// kernels: utsname, phys_base, dump_level and the notes come from the caller.
//
// Layout (what makedumpfile writes): block 0 disk_dump_header; block 1.. kdump_sub_header
// with the whole note segment after it; the 1st bitmap (pfns the source holds, a page a
// range ends inside only when written, as makedumpfile marks them) and the 2nd (pfns
// written = keep ∩ held); page_desc[pages written] in pfn order; then the
// data: first one zeroed page every all-zero page's descriptor points at, then each
// other page compressed alone (stored raw when that does not shrink it).
//
// Single pass, so it also streams through a FlattenedSink: the descriptor table's place
// is known from the page count; each batch's data is appended as it comes, descriptors
// are written in blocks behind it, the main header last (it says whether pages were lost).
#pragma once

#include <cstdint>
#include <string>

#include "capture/pages/pfn_bitmap.h"
#include "capture/writer/byte_sink.h"
#include "capture/writer/note_block.h"
#include "capture/writer/write_options.h"
#include "elf/physical_memory.h"

namespace vmcap {

struct KdumpHeaderFields {
  // new_utsname of the crashed kernel; each at most 64 bytes.
  std::string sysname = "Linux", nodename, release, version, machine, domainname;
  uint64_t timestamp_sec = 0, timestamp_usec = 0;
  uint32_t page_size = 4096;  // block_size
  uint32_t nr_cpus = 1;
  uint64_t phys_base = 0;
  int32_t dump_level = 0;
  NoteBlock notes;            // the whole PT_NOTE data, VMCOREINFO located in it
};

// Writes the pages of `keep` that `memory` holds. Pfns of keep beyond the memory are ignored.
Result<WriteStats> write_kdump(const PhysicalMemory& memory, const PfnBitmap& keep,
                               const KdumpHeaderFields& fields, const WriteOptions& options,
                               ByteSink& sink);

}  // namespace vmcap
