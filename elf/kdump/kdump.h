// Readers for makedumpfile's kdump-compressed files ("KDUMP   ", the diskdump layout)
// and for the flattened stream format (makedumpfile -F, QEMU dump-guest-memory kdump-*)
// that carries one. Formats only: nothing here knows about kernels.
//
// What memory().ranges() reports: the pages the file holds, i.e. the pfns whose bit is
// set in the 2nd ("dumped") bitmap, inside this file's [start_pfn, end_pfn) for split
// dumps, merged into runs. Pages that existed in the crashed machine (1st bitmap) but
// were filtered out are not in ranges(); reading them gives ErrorKind::Hole, whose reason
// says whether the page was excluded or did not exist. A dumped page whose descriptor has
// offset 0 (lost by an incomplete dump) is also a Hole when read.
//
// Notes: v4+ files carry the crashed kernel's whole PT_NOTE (offset_note/size_note); its
// notes are returned with file_offset = the note header's offset in the (logical) file.
// v3 files carry only VMCOREINFO's text: it is returned as one note named "VMCOREINFO"
// (type 0) whose file_offset is the text's offset. For flattened files every offset is
// one of the logical, rearranged file (what `makedumpfile -R` would write).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf/dump.h"
#include "elf/kdump/byte_source.h"
#include "elf/machine.h"  // machine_from_utsname, for callers of this header
#include "elf/result.h"

namespace vmcap {

// What the headers say, decoded (for `vmcap info` and tests).
struct KdumpInfo {
  int header_version = 0;
  int word_size = 64;          // of the crashed machine: the header layout used
  bool little_endian = true;
  bool packed_sub_header = false;  // 32-bit only: 64-bit fields 4-aligned (i386)
  std::string sysname, nodename, release, version, machine, domainname;
  // How Dump::machine() was decided: "utsname.machine", or the notes when the header's
  // machine is unknown (QEMU writes "Unknown" for aarch64); "" when neither told.
  std::string machine_basis;
  uint64_t timestamp_sec = 0, timestamp_usec = 0;
  uint32_t status = 0;         // DUMP_DH_COMPRESSED_* bits; 0x8 = incomplete dump
  // The unit of the bitmaps and page descriptors: pfn = physical address / block_size.
  // makedumpfile writes the kernel's page size; QEMU's aarch64 kdump 64 KiB whatever it is.
  uint32_t block_size = 0;
  uint32_t sub_hdr_size = 0;   // blocks
  uint32_t bitmap_blocks = 0;  // blocks of both bitmaps together
  uint64_t max_mapnr = 0;      // max_mapnr_64 from v6, else the 32-bit header field
  uint32_t nr_cpus = 0;
  // Sub-header (version >= 1).
  uint64_t phys_base = 0;
  int32_t dump_level = 0;
  int32_t split = 0;
  uint64_t start_pfn = 0, end_pfn = 0;  // this file's pfn range (whole map if not split)
  uint64_t offset_vmcoreinfo = 0, size_vmcoreinfo = 0;
  uint64_t offset_note = 0, size_note = 0;
  uint64_t offset_eraseinfo = 0, size_eraseinfo = 0;
  // Layout derived from the header.
  uint64_t bitmap1_offset = 0, bitmap2_offset = 0, bitmap_bytes = 0;  // each bitmap
  uint64_t desc_offset = 0;
  uint64_t dumped_pages = 0;  // set bits of the 2nd bitmap in [start_pfn, end_pfn)
  uint64_t ram_pages = 0;     // set bits of the 1st bitmap (the machine's RAM) in [0, max_mapnr)
  uint64_t excluded_pages = 0;  // RAM pages in [start_pfn, end_pfn) the 2nd bitmap leaves out
  // Flattened files: records scanned.
  uint64_t flattened_records = 0;
  // Problems that did not stop the file from opening (a garbled note block), one line each.
  std::vector<std::string> warnings;
};

// Opens a kdump-compressed file.
Result<std::unique_ptr<Dump>> open_kdump_compressed(const std::string& path);
// Opens a flattened file whose content is a kdump-compressed file (format() "flattened").
// A flattened ELF (makedumpfile -F -E) is refused with ErrorKind::Format.
Result<std::unique_ptr<Dump>> open_flattened(const std::string& path);
// The same over the stream's bytes from any source (a zstd seekable file's content).
Result<std::unique_ptr<Dump>> open_flattened(std::shared_ptr<const ByteSource> stream,
                                             std::string format);
// Opens a flat-zstd file (format() "flat-zstd"): a flattened file in independent zstd
// frames with a seek table at the end (elf/kdump/zstd_seekable_source.h), read in place.
Result<std::unique_ptr<Dump>> open_flat_zstd(const std::string& path);
// The parser itself, over any byte source; format is what Dump::format() returns.
Result<std::unique_ptr<Dump>> open_kdump_compressed(std::shared_ptr<const ByteSource> source,
                                                    std::string format);

// Whether a file starting with these bytes is kdump-compressed / flattened.
bool is_kdump_compressed_signature(std::span<const std::byte> head);
bool is_flattened_signature(std::span<const std::byte> head);
bool is_zstd_frame_signature(std::span<const std::byte> head);

// The decoded headers of a dump opened by the functions above; nullptr for other dumps.
const KdumpInfo* kdump_info(const Dump& dump);

}  // namespace vmcap
