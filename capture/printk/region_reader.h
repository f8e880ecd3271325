// Reads a large contiguous region of kernel virtual memory (a descriptor array, the text
// data ring) through a fixed-size window, so a decoder that walks it mostly in order reads
// it in big pieces yet never holds more than one window. Where the window cannot be read
// (a hole in the dump), requests inside it fall back to exact-size reads, so a hole costs
// only the records that really lie in it, and one failed read per missing page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

class RegionReader {
 public:
  RegionReader(const VirtualMemory& memory, uint64_t base, uint64_t length, size_t window);

  // Bytes [offset, offset + len) of the region; offset + len must not exceed length()
  // (a Limit error otherwise). The span stays valid until the next call.
  Result<std::span<const std::byte>> get(uint64_t offset, size_t len);

  // When the last failed read showed `offset` to lie in an unreadable page: the region
  // offset where that page ends. A walker over a huge array of holes skips a page at a
  // time instead of failing once per element.
  std::optional<uint64_t> unreadable_until(uint64_t offset) const;

  uint64_t base() const { return base_; }
  uint64_t length() const { return length_; }

 private:
  const VirtualMemory& memory_;
  uint64_t base_, length_;
  size_t window_size_;
  std::vector<std::byte> window_;
  uint64_t window_start_ = 0;
  bool window_valid_ = false;
  // [bad_start_, bad_end_): a window that failed to read; served by exact reads.
  uint64_t bad_start_ = 0, bad_end_ = 0;
  std::vector<std::byte> spill_;
  // The last page that failed to read and why: requests touching it fail at once, so a
  // large hole costs one read per page, not one per record.
  static constexpr uint64_t kPage = 4096;
  uint64_t bad_page_ = 0;
  std::optional<Error> bad_page_error_;
};

}  // namespace vmcap
