// Records made in the tests the way the kernel makes them (fs/pstore/platform.c pstore_dump,
// kmsg_dump_get_buffer, the backends' ids; facts: ../shared/reference/pstore.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pstore/records/dump_assembly.h"

namespace vmcap::pstore::testing {

// n log lines as kmsg_dump_get_buffer writes them: "<6>[    1.000123] message i ...\n",
// each about `width` bytes long.
std::vector<std::string> make_log_lines(size_t n, size_t width = 80, size_t first = 0);
std::string join(const std::vector<std::string>& lines);

// The parts pstore_dump writes for `lines` (oldest first): "Reason#counter PartN\n" and the
// newest whole lines that fit in `capacity` bytes with the header, Part1 the newest, until
// kmsg_bytes of records are written or the lines run out. parts[0] is Part1.
std::vector<std::string> kernel_parts(const std::vector<std::string>& lines, std::string_view reason, int counter,
                                      size_t capacity, size_t kmsg_bytes = 10240);

// deflate: raw (what pstore writes) or with a zlib header (4.x kernels).
std::string deflate_raw(std::string_view bytes);
std::string deflate_zlib(std::string_view bytes);

// File names of the backends: EFI ids are (seconds * 100 + part) * 1000 + count.
std::string efi_name(std::string_view backend, uint64_t seconds, uint32_t part, uint32_t count, bool compressed = false);
std::string erst_name(uint64_t id, bool compressed = false);
std::string ramoops_name(uint64_t slot, bool compressed = false);

std::chrono::system_clock::time_point at_seconds(int64_t seconds);
RecordFile record(std::string name, std::string bytes, int64_t mtime_seconds = 1700000000);

}  // namespace vmcap::pstore::testing
