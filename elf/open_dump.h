// Opens a dump of any supported format, told from its first bytes: ELF core
// (/proc/vmcore, QEMU/libvirt memory dumps), kdump-compressed, flattened or flat-zstd.
#pragma once

#include <memory>
#include <string>

#include "elf/dump.h"
#include "elf/result.h"

namespace vmcap {

struct OpenDumpOptions {
  bool use_mmap = false;  // ELF: mmap windows instead of pread
};

Result<std::unique_ptr<Dump>> open_dump(const std::string& path, const OpenDumpOptions& options = {});

// Warnings a dump collected while opening (garbled notes, truncated segments), whatever
// its format.
std::vector<std::string> open_warnings(const Dump& dump);

}  // namespace vmcap
