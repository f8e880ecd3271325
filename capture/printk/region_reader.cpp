#include "capture/printk/region_reader.h"

#include <algorithm>

#include <fmt/format.h>

namespace vmcap {

RegionReader::RegionReader(const VirtualMemory& memory, uint64_t base, uint64_t length,
                           size_t window)
    : memory_(memory), base_(base), length_(length), window_size_(std::max<size_t>(window, 64)) {}

Result<std::span<const std::byte>> RegionReader::get(uint64_t offset, size_t len) {
  if (offset > length_ || len > length_ - offset)
    return make_error(ErrorKind::Limit, {}, base_ + offset,
                      fmt::format("read of {} bytes at offset {:#x} is outside the {}-byte "
                                  "region at {:#x}",
                                  len, offset, length_, base_));
  if (window_valid_ && offset >= window_start_ && offset + len <= window_start_ + window_.size())
    return std::span<const std::byte>(window_.data() + (offset - window_start_), len);

  const bool in_bad = offset >= bad_start_ && offset < bad_end_;
  if (len <= window_size_ && !in_bad) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(window_size_, length_ - offset));
    window_.resize(n);
    if (memory_.read(base_ + offset, window_)) {
      window_start_ = offset;
      window_valid_ = true;
      return std::span<const std::byte>(window_.data(), len);
    }
    window_valid_ = false;
    bad_start_ = offset;
    bad_end_ = offset + n;
  }
  const uint64_t va = base_ + offset;
  if (bad_page_error_ && len > 0 && va < bad_page_ + kPage && va + len > bad_page_)
    return *bad_page_error_;
  spill_.resize(len);
  if (auto r = memory_.read(va, spill_); !r) {
    bad_page_ = r.error().offset.value_or(va) & ~(kPage - 1);
    bad_page_error_ = r.error();
    return std::move(r).error();
  }
  return std::span<const std::byte>(spill_.data(), len);
}

std::optional<uint64_t> RegionReader::unreadable_until(uint64_t offset) const {
  if (!bad_page_error_ || offset >= length_) return std::nullopt;
  const uint64_t va = base_ + offset;
  if (va < bad_page_ || va - bad_page_ >= kPage) return std::nullopt;
  return std::min(length_, offset + (kPage - (va - bad_page_)));
}

}  // namespace vmcap
