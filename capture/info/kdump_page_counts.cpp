#include "capture/info/kdump_page_counts.h"

#include <algorithm>
#include <bit>
#include <memory>
#include <vector>

#include "elf/kdump/byte_source.h"

namespace vmcap {
namespace {

constexpr uint64_t kChunkBytes = 1 << 20;

// Bit i of the bitmap (pfn i) is bit i % 8 of byte i / 8; v's bit j is pfn first + j.
uint64_t word_at(const std::vector<std::byte>& bytes, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && at + i < bytes.size(); ++i)
    v |= uint64_t(static_cast<uint8_t>(bytes[at + i])) << (8 * i);
  return v;
}

// The bits of a word for pfns [first, first + 64) that lie in [lo, hi).
uint64_t mask_for(uint64_t first, uint64_t lo, uint64_t hi) {
  uint64_t m = ~uint64_t{0};
  if (lo > first) m = lo - first >= 64 ? 0 : m << (lo - first);
  if (hi < first + 64) m &= hi <= first ? 0 : (uint64_t{1} << (hi - first)) - 1;
  return m;
}

}  // namespace

Result<KdumpPageCounts> count_kdump_pages(const Dump& dump, const KdumpInfo& info) {
  std::shared_ptr<const ByteSource> src = VMCAP_TRY(FileByteSource::open(dump.path()));
  if (dump.format() == "flattened") src = VMCAP_TRY(FlattenedByteSource::open(src));

  KdumpPageCounts c;
  const uint64_t nbytes = (info.max_mapnr + 7) / 8;
  std::vector<std::byte> first, second;
  for (uint64_t off = 0; off < nbytes; off += kChunkBytes) {
    const uint64_t n = std::min(kChunkBytes, nbytes - off);
    first.resize(n);
    second.resize(n);
    VMCAP_CHECK(src->read_at(info.bitmap1_offset + off, first));
    VMCAP_CHECK(src->read_at(info.bitmap2_offset + off, second));
    for (uint64_t at = 0; at < n; at += 8) {
      const uint64_t pfn = (off + at) * 8;
      const uint64_t ram = word_at(first, at) & mask_for(pfn, 0, info.max_mapnr);
      c.ram_pages += std::popcount(ram);
      c.excluded_pages +=
          std::popcount(ram & ~word_at(second, at) & mask_for(pfn, info.start_pfn, info.end_pfn));
    }
  }
  return c;
}

}  // namespace vmcap
