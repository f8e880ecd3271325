// A set of page frame numbers, one bit each: what the page filter decides to keep and
// what the dump writers write. Knows nothing of kernels or formats.
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace vmcap {

// The largest pfn bitmap vmcap makes: 1 GiB, 2^33 pfns (32 TiB of RAM with 4 KiB pages).
// The kdump reader (elf/kdump) refuses larger bitmaps too; the writers and the page filter
// refuse memory that would need one.
inline constexpr uint64_t kMaxBitmapBytes = uint64_t{1} << 30;
inline constexpr uint64_t kMaxBitmapPfns = kMaxBitmapBytes * 8;

class PfnBitmap {
 public:
  PfnBitmap() = default;
  // Pfns [0, end_pfn), all clear.
  explicit PfnBitmap(uint64_t end_pfn) : end_(end_pfn), words_((end_pfn + 63) / 64, 0) {}

  uint64_t end_pfn() const { return end_; }
  bool test(uint64_t pfn) const { return pfn < end_ && (words_[pfn >> 6] >> (pfn & 63)) & 1; }
  // Out-of-range pfns are ignored: the caller checked them against the dump already.
  void set(uint64_t pfn) {
    if (pfn < end_) words_[pfn >> 6] |= uint64_t{1} << (pfn & 63);
  }
  void clear(uint64_t pfn) {
    if (pfn < end_) words_[pfn >> 6] &= ~(uint64_t{1} << (pfn & 63));
  }
  void set_range(uint64_t first, uint64_t end) {
    end = end < end_ ? end : end_;
    for (; first < end && (first & 63); ++first) set(first);
    for (; first + 64 <= end; first += 64) words_[first >> 6] = ~uint64_t{0};
    for (; first < end; ++first) set(first);
  }
  // this ∪ other, over this bitmap's pfns.
  void merge(const PfnBitmap& other) {
    for (uint64_t w = 0; w < words_.size() && w < other.words_.size(); ++w) words_[w] |= other.words_[w];
    if (!words_.empty() && end_ % 64) words_.back() &= (uint64_t{1} << (end_ % 64)) - 1;
  }
  uint64_t count() const {
    uint64_t n = 0;
    for (uint64_t w : words_) n += static_cast<uint64_t>(std::popcount(w));
    return n;
  }
  // Raw words, bit (pfn & 63) of word pfn >> 6: for writers that copy bitmaps out.
  const std::vector<uint64_t>& words() const { return words_; }

 private:
  uint64_t end_ = 0;
  std::vector<uint64_t> words_;
};

}  // namespace vmcap
