#include "capture/writer/elf_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "capture/writer/page_pipeline.h"
#include "capture/writer/page_reader.h"

namespace vmcap {

namespace {

constexpr uint64_t kEhdrBytes = 64, kPhdrBytes = 56, kShdrBytes = 64;
constexpr uint64_t kPnXnum = 0xffff;
constexpr uint64_t kChunkBytes = 1 << 20;
constexpr uint64_t kMaxSegments = 1u << 20;  // the ELF reader's limit

void put_u16(std::byte* p, uint16_t v) { p[0] = std::byte(v); p[1] = std::byte(v >> 8); }
void put_u32(std::byte* p, uint32_t v) { for (int i = 0; i < 4; ++i) p[i] = std::byte(v >> (8 * i)); }
void put_u64(std::byte* p, uint64_t v) { for (int i = 0; i < 8; ++i) p[i] = std::byte(v >> (8 * i)); }

struct Segment {
  uint64_t paddr = 0, size = 0, vaddr = 0, offset = 0;
};

// Runs of kept, held pages clipped to the held ranges, split at mapping edges.
std::vector<Segment> segments_of(const PhysicalMemory& memory, const PfnBitmap& dumped,
                                 uint64_t bs, const std::vector<VirtualMapping>& mappings) {
  std::set<uint64_t> cuts;  // addresses where a segment must end
  for (const VirtualMapping& m : mappings) {
    cuts.insert(m.paddr);
    cuts.insert(m.paddr + m.size);
  }
  std::vector<Segment> out;
  auto emit = [&](uint64_t start, uint64_t end) {
    while (start < end) {
      auto c = cuts.upper_bound(start);
      const uint64_t stop = (c != cuts.end() && *c < end) ? *c : end;
      Segment s{start, stop - start, 0, 0};
      for (const VirtualMapping& m : mappings)
        if (start >= m.paddr && stop <= m.paddr + m.size) {
          s.vaddr = m.vaddr + (start - m.paddr);
          break;
        }
      out.push_back(s);
      start = stop;
    }
  };
  const auto& ranges = memory.ranges();
  const auto& words = dumped.words();
  uint64_t run_start = 0, run_end = 0;  // current run of pfns [start, end)
  auto flush_run = [&] {
    if (run_end == run_start) return;
    const uint64_t lo = run_start * bs, hi = run_end * bs;
    auto it = std::upper_bound(ranges.begin(), ranges.end(), lo,
                               [](uint64_t v, const PhysRange& r) { return v < r.end(); });
    for (; it != ranges.end() && it->start < hi; ++it)
      emit(std::max(lo, it->start), std::min(hi, it->end()));
  };
  for (uint64_t w = 0; w < words.size(); ++w)
    for (uint64_t bits = words[w]; bits != 0; bits &= bits - 1) {
      const uint64_t pfn = w * 64 + static_cast<uint64_t>(std::countr_zero(bits));
      if (pfn != run_end) {
        flush_run();
        run_start = pfn;
      }
      run_end = pfn + 1;
    }
  flush_run();
  return out;
}

}  // namespace

Result<WriteStats> write_elf(const PhysicalMemory& memory, const PfnBitmap& keep,
                             const ElfHeaderFields& fields, const WriteOptions& options,
                             ByteSink& sink) {
  const uint64_t bs = fields.page_size;
  if (bs < 512 || (bs & (bs - 1)))
    return make_error(ErrorKind::Usage, "", {}, fmt::format("page size {} is not a power of two", bs));
  const uint64_t end_pfn = held_pfn_end(memory, fields.page_size);
  const PfnBitmap dumped = intersect(held_pfns(memory, fields.page_size, end_pfn), keep);
  std::vector<Segment> segs = segments_of(memory, dumped, bs, fields.mappings);
  const uint64_t phnum = segs.size() + 1;
  if (phnum > kMaxSegments)
    return make_error(ErrorKind::Limit, "", {},
                      fmt::format("{} segments, more than the {} ELF readers accept", phnum, kMaxSegments));
  const bool xnum = phnum >= kPnXnum;
  const uint64_t phoff = kEhdrBytes;
  const uint64_t shoff = xnum ? phoff + phnum * kPhdrBytes : 0;
  const uint64_t notes_off = phoff + phnum * kPhdrBytes + (xnum ? kShdrBytes : 0);
  uint64_t at = (notes_off + fields.notes.bytes.size() + bs - 1) / bs * bs;
  for (Segment& s : segs) {
    s.offset = at;
    at += s.size;
  }
  const uint64_t file_end = at;

  // Headers, in pieces of at most kChunkBytes.
  std::vector<std::byte> buf(kEhdrBytes);
  std::byte* e = buf.data();
  std::memcpy(e, "\x7f" "ELF", 4);
  e[4] = std::byte{2};  // ELFCLASS64
  e[5] = std::byte{1};  // ELFDATA2LSB
  e[6] = std::byte{1};  // EV_CURRENT
  put_u16(e + 16, 4);   // ET_CORE
  put_u16(e + 18, fields.machine);
  put_u32(e + 20, 1);
  put_u64(e + 32, phoff);
  put_u64(e + 40, shoff);
  put_u16(e + 52, kEhdrBytes);
  put_u16(e + 54, kPhdrBytes);
  put_u16(e + 56, static_cast<uint16_t>(xnum ? kPnXnum : phnum));
  put_u16(e + 58, xnum ? kShdrBytes : 0);
  put_u16(e + 60, xnum ? 1 : 0);
  VMCAP_CHECK(sink.write_at(0, buf));

  auto phdr = [](std::byte* p, uint32_t type, uint64_t off, uint64_t vaddr, uint64_t paddr, uint64_t size) {
    put_u32(p, type);
    put_u32(p + 4, type == 1 ? 7 : 0);  // RWX, as the kernel writes its PT_LOADs
    put_u64(p + 8, off);
    put_u64(p + 16, vaddr);
    put_u64(p + 24, paddr);
    put_u64(p + 32, size);
    put_u64(p + 40, size);
    put_u64(p + 48, 0);
  };
  buf.assign(kPhdrBytes, std::byte{0});
  phdr(buf.data(), 4, notes_off, 0, 0, fields.notes.bytes.size());  // PT_NOTE
  uint64_t ph_at = phoff;
  VMCAP_CHECK(sink.write_at(ph_at, buf));
  ph_at += kPhdrBytes;
  buf.clear();
  for (const Segment& s : segs) {
    buf.resize(buf.size() + kPhdrBytes);
    phdr(buf.data() + buf.size() - kPhdrBytes, 1, s.offset, s.vaddr, s.paddr, s.size);
    if (buf.size() >= kChunkBytes) {
      VMCAP_CHECK(sink.write_at(ph_at, buf));
      ph_at += buf.size();
      buf.clear();
    }
  }
  VMCAP_CHECK(sink.write_at(ph_at, buf));
  if (xnum) {  // section header 0 holds the real count (PN_XNUM)
    buf.assign(kShdrBytes, std::byte{0});
    put_u32(buf.data() + 44, static_cast<uint32_t>(phnum));  // sh_info
    VMCAP_CHECK(sink.write_at(shoff, buf));
  }
  VMCAP_CHECK(sink.write_at(notes_off, fields.notes.bytes));

  WriteStats stats;
  stats.pages = dumped.count();
  uint64_t done = 0;
  buf.resize(kChunkBytes);
  for (const Segment& s : segs) {
    for (uint64_t off = 0; off < s.size; off += kChunkBytes) {
      const uint64_t n = std::min(kChunkBytes, s.size - off);
      std::span<std::byte> chunk(buf.data(), n);
      if (!memory.read(s.paddr + off, chunk)) {
        // Piece by piece: what cannot be read is zeros, counted lost by page.
        for (uint64_t p = 0; p < n;) {
          const uint64_t a = s.paddr + off + p;
          const uint64_t piece = std::min(n - p, bs - a % bs);
          if (!memory.read(a, chunk.subspan(p, piece))) {
            std::memset(chunk.data() + p, 0, piece);
            ++stats.lost_pages;
          }
          p += piece;
        }
      }
      VMCAP_CHECK(sink.write_at(s.offset + off, chunk));
      stats.bytes_in += n;
      done += n;
      if (options.progress) options.progress({done / bs, stats.pages, s.offset + off + n});
    }
  }
  stats.raw_pages = stats.pages - std::min(stats.pages, stats.lost_pages);
  stats.file_bytes = std::max(file_end, notes_off + fields.notes.bytes.size());
  VMCAP_CHECK(sink.commit());
  return stats;
}

}  // namespace vmcap
