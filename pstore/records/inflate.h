// The payload of a ".enc.z" record: what the kernel compressed and could not inflate when it
// read the record back. pstore compresses with deflate without a zlib header (crypto's
// "deflate" before 6.6, zlib_deflateInit2 with -MAX_WBITS since); 4.x kernels wrote zlib
// streams with a header. Other compressors of 4.19-6.5 (lzo, lz4, 842, zstd) are not read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::pstore {

// A record is at most a few hundred KiB inflated (ramoops zones, kmsg_bytes); 4 MiB leaves
// room and keeps a crafted stream from filling memory.
inline constexpr size_t kMaxInflatedBytes = 4u << 20;

enum class DeflateFormat { Raw, Zlib };

struct Inflated {
  std::string bytes;
  DeflateFormat format = DeflateFormat::Raw;
  size_t unused_bytes = 0;  // input left after the end of the stream (ramoops' ECC notice)
};

// Raw deflate first, then zlib with a header. The stream must end (a cut stream is an error);
// inflating past max_bytes is an error of kind Limit that says the cap. Other failures are
// Format errors that give both attempts' reasons.
Result<Inflated> inflate_record(std::string_view payload, size_t max_bytes = kMaxInflatedBytes);

}  // namespace vmcap::pstore
