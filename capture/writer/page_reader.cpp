#include "capture/writer/page_reader.h"

#include <algorithm>
#include <cstring>

namespace vmcap {

void PageReader::read(uint64_t first_pfn, uint64_t count, std::span<std::byte> out,
                      std::span<uint8_t> lost) const {
  std::fill(lost.begin(), lost.begin() + count, uint8_t{0});
  if (memory_.read(first_pfn * page_size_, out.first(count * page_size_))) return;
  // Something in the run is missing: page by page, to lose as little as possible.
  for (uint64_t i = 0; i < count; ++i)
    lost[i] = read_page(first_pfn + i, out.subspan(i * page_size_, page_size_)) ? 0 : 1;
}

bool PageReader::read_page(uint64_t pfn, std::span<std::byte> out) const {
  const uint64_t start = pfn * page_size_, end = start + page_size_;
  if (memory_.read(start, out)) return true;
  std::memset(out.data(), 0, out.size());
  const auto& ranges = memory_.ranges();
  auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                             [](uint64_t v, const PhysRange& r) { return v < r.end(); });
  bool any = false;
  for (; it != ranges.end() && it->start < end; ++it) {
    const uint64_t lo = std::max(start, it->start), hi = std::min(end, it->end());
    if (!memory_.read(lo, out.subspan(lo - start, hi - lo))) {
      std::memset(out.data(), 0, out.size());
      return false;
    }
    any = true;
  }
  return any;
}

bool PageReader::page_exists(const std::vector<PhysRange>& ranges, uint64_t pfn,
                             uint32_t page_size) {
  const uint64_t start = pfn * page_size;
  auto it = std::upper_bound(ranges.begin(), ranges.end(), start,
                             [](uint64_t v, const PhysRange& r) { return v < r.end(); });
  return it != ranges.end() && it->start < start + page_size;
}

}  // namespace vmcap

namespace vmcap {

uint64_t held_pfn_end(const PhysicalMemory& memory, uint32_t page_size) {
  const auto& r = memory.ranges();
  if (r.empty()) return 0;
  return r.back().end() / page_size + (r.back().end() % page_size ? 1 : 0);
}

PfnBitmap held_pfns(const PhysicalMemory& memory, uint32_t page_size, uint64_t end_pfn) {
  PfnBitmap held(end_pfn);
  for (const PhysRange& r : memory.ranges()) {
    if (r.size == 0) continue;
    held.set_range(r.start / page_size, (r.end() - 1) / page_size + 1);
  }
  return held;
}

PfnBitmap makedumpfile_ram_pfns(const PhysicalMemory& memory, uint32_t page_size,
                                uint64_t end_pfn) {
  PfnBitmap ram(end_pfn);
  for (const PhysRange& r : memory.ranges()) ram.set_range(r.start / page_size, r.end() / page_size);
  return ram;
}

PfnBitmap intersect(const PfnBitmap& held, const PfnBitmap& keep) {
  PfnBitmap out(held.end_pfn());
  const auto& a = held.words();
  const auto& b = keep.words();
  for (uint64_t w = 0; w < a.size() && w < b.size(); ++w)
    for (uint64_t bits = a[w] & b[w]; bits != 0; bits &= bits - 1)
      out.set(w * 64 + static_cast<uint64_t>(std::countr_zero(bits)));
  return out;
}

}  // namespace vmcap
