// The first bytes of a kernel image file and its size: what the image header readers
// (bzimage_header, arm64_image) parse. Only regular files; short files give what they have.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "elf/result.h"

namespace vmcap::arm {

struct FileHead {
  std::vector<uint8_t> bytes;  // at most the limit asked for
  uint64_t file_size = 0;
};

Result<FileHead> read_file_head(const std::string& path, size_t limit);

// A little-endian integer of `width` bytes at `at` (the caller checked the bounds).
inline uint64_t le(std::span<const uint8_t> b, size_t at, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) v |= uint64_t{b[at + i]} << (8 * i);
  return v;
}

}  // namespace vmcap::arm
