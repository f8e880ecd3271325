#include "capture/writer/kdump_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "capture/writer/page_pipeline.h"
#include "capture/writer/page_reader.h"

namespace vmcap {

namespace {

constexpr size_t kUtsLen = 65;
constexpr uint64_t kHeaderBytes = 464;     // disk_dump_header, LP64
constexpr uint64_t kSubHeaderBytes = 104;  // kdump_sub_header v6, LP64
constexpr uint64_t kDescBytes = 24;
constexpr uint64_t kDescsPerWrite = 4096;
constexpr uint64_t kBitmapChunk = 64 << 10;
constexpr uint32_t kStatusIncomplete = 0x8;
// One bitmap of at most kMaxBitmapBytes (capture/pages/pfn_bitmap.h): the readers' limit.

void put_u32(std::byte* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = std::byte(v >> (8 * i));
}
void put_u64(std::byte* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = std::byte(v >> (8 * i));
}

struct Layout {
  uint64_t bs = 0, max_mapnr = 0, sub_hdr_blocks = 0, bitmap_bytes = 0;
  uint64_t bitmap1 = 0, bitmap2 = 0, descs = 0, zero_page = 0, data = 0, pages = 0;
};

Result<void> check_fields(const KdumpHeaderFields& f) {
  for (const std::string* s : {&f.sysname, &f.nodename, &f.release, &f.version, &f.machine,
                               &f.domainname})
    if (s->size() >= kUtsLen)
      return make_error(ErrorKind::Usage, "", {},
                        fmt::format("utsname field '{}' longer than {} bytes", *s, kUtsLen - 1));
  if (f.page_size < 512 || f.page_size > (1u << 20) || (f.page_size & (f.page_size - 1)))
    return make_error(ErrorKind::Usage, "", {}, fmt::format("page size {} is not a power of two in [512, 1 MiB]", f.page_size));
  if (f.notes.vmcoreinfo_size > 0 &&
      (f.notes.vmcoreinfo_offset > f.notes.bytes.size() ||
       f.notes.vmcoreinfo_size > f.notes.bytes.size() - f.notes.vmcoreinfo_offset))
    return make_error(ErrorKind::Usage, "", {}, "VMCOREINFO lies outside the note block");
  return ok();
}

std::vector<std::byte> main_header(const KdumpHeaderFields& f, const Layout& l, uint32_t status) {
  std::vector<std::byte> h(kHeaderBytes);
  std::memcpy(h.data(), "KDUMP   ", 8);
  put_u32(h.data() + 8, 6);
  const std::string* uts[] = {&f.sysname, &f.nodename, &f.release, &f.version, &f.machine, &f.domainname};
  for (int i = 0; i < 6; ++i) std::memcpy(h.data() + 12 + i * kUtsLen, uts[i]->data(), uts[i]->size());
  put_u64(h.data() + 408, f.timestamp_sec);
  put_u64(h.data() + 416, f.timestamp_usec);
  put_u32(h.data() + 424, status);
  put_u32(h.data() + 428, static_cast<uint32_t>(l.bs));
  put_u32(h.data() + 432, static_cast<uint32_t>(l.sub_hdr_blocks));
  put_u32(h.data() + 436, static_cast<uint32_t>(2 * l.bitmap_bytes / l.bs));
  put_u32(h.data() + 440, static_cast<uint32_t>(std::min<uint64_t>(l.max_mapnr, UINT32_MAX)));
  put_u32(h.data() + 460, f.nr_cpus);
  return h;
}

std::vector<std::byte> sub_header(const KdumpHeaderFields& f, const Layout& l) {
  std::vector<std::byte> s(kSubHeaderBytes);
  const uint64_t notes_at = l.bs + kSubHeaderBytes;
  put_u64(s.data() + 0, f.phys_base);
  put_u32(s.data() + 8, static_cast<uint32_t>(f.dump_level));
  // split, start_pfn, end_pfn (+12..+31) and their _64 twins (+80, +88) stay 0: makedumpfile
  // sets them only in the parts of a --split dump, and readers look at them only then.
  if (f.notes.vmcoreinfo_size > 0) {
    put_u64(s.data() + 32, notes_at + f.notes.vmcoreinfo_offset);
    put_u64(s.data() + 40, f.notes.vmcoreinfo_size);
  }
  if (!f.notes.bytes.empty()) {
    put_u64(s.data() + 48, notes_at);
    put_u64(s.data() + 56, f.notes.bytes.size());
  }
  put_u64(s.data() + 96, l.max_mapnr);
  s.insert(s.end(), f.notes.bytes.begin(), f.notes.bytes.end());
  return s;
}

// A bitmap as the file stores it: bit (pfn & 7) of byte pfn >> 3, in chunks.
Result<void> write_bitmap(ByteSink& sink, uint64_t offset, const PfnBitmap& bits, uint64_t bytes) {
  const auto& words = bits.words();
  std::vector<std::byte> chunk;
  for (uint64_t at = 0; at < bytes; at += kBitmapChunk) {
    const uint64_t n = std::min(kBitmapChunk, bytes - at);
    chunk.assign(n, std::byte{0});
    for (uint64_t i = 0; i < n; ++i) {
      const uint64_t byte = at + i, w = byte / 8;
      if (w < words.size()) chunk[i] = std::byte(words[w] >> (8 * (byte % 8)));
    }
    VMCAP_CHECK(sink.write_at(offset + at, chunk));
  }
  return ok();
}

}  // namespace

Result<WriteStats> write_kdump(const PhysicalMemory& memory, const PfnBitmap& keep,
                               const KdumpHeaderFields& fields, const WriteOptions& options,
                               ByteSink& sink) {
  VMCAP_CHECK(check_fields(fields));
  Layout l;
  l.bs = fields.page_size;
  l.max_mapnr = held_pfn_end(memory, fields.page_size);
  const uint64_t bitmap_blocks_each = (l.max_mapnr + 8 * l.bs - 1) / (8 * l.bs);
  l.bitmap_bytes = bitmap_blocks_each * l.bs;
  if (l.bitmap_bytes > kMaxBitmapBytes || 2 * bitmap_blocks_each > UINT32_MAX)
    return make_error(ErrorKind::Limit, "", {},
                      fmt::format("{:#x} pfns need {}-byte bitmaps, more than the readers accept",
                                  l.max_mapnr, l.bitmap_bytes));
  const PfnBitmap held = held_pfns(memory, fields.page_size, l.max_mapnr);
  const PfnBitmap dumped = intersect(held, keep);
  // The 1st bitmap as makedumpfile marks RAM, plus every page written (a partial page the
  // caller keeps stays readable: the 2nd bitmap must be a subset of the 1st).
  PfnBitmap ram = makedumpfile_ram_pfns(memory, fields.page_size, l.max_mapnr);
  ram.merge(dumped);
  l.pages = dumped.count();
  l.sub_hdr_blocks = (kSubHeaderBytes + fields.notes.bytes.size() + l.bs - 1) / l.bs;
  l.bitmap1 = (1 + l.sub_hdr_blocks) * l.bs;
  l.bitmap2 = l.bitmap1 + l.bitmap_bytes;
  l.descs = l.bitmap2 + l.bitmap_bytes;
  l.zero_page = l.descs + kDescBytes * l.pages;
  l.data = l.zero_page + l.bs;

  VMCAP_CHECK(sink.write_at(l.bs, sub_header(fields, l)));
  VMCAP_CHECK(write_bitmap(sink, l.bitmap1, ram, l.bitmap_bytes));
  VMCAP_CHECK(write_bitmap(sink, l.bitmap2, dumped, l.bitmap_bytes));
  // The one page every all-zero page's descriptor points at (makedumpfile's pd_zero).
  VMCAP_CHECK(sink.write_at(l.zero_page, std::vector<std::byte>(l.bs)));

  WriteStats stats;
  stats.pages = l.pages;
  uint64_t data_end = l.data;
  std::vector<std::byte> descs;
  uint64_t descs_first = 0;  // page index of descs[0]
  auto flush_descs = [&]() -> Result<void> {
    if (descs.empty()) return ok();
    VMCAP_CHECK(sink.write_at(l.descs + descs_first * kDescBytes, descs));
    descs_first += descs.size() / kDescBytes;
    descs.clear();
    return ok();
  };

  PipelineOptions po;
  po.method = options.compression;
  po.level = options.level;
  po.threads = effective_threads(options.threads);
  po.batch_pages = options.batch_pages;
  po.memory_budget = options.memory_budget;
  po.page_size = fields.page_size;
  VMCAP_CHECK(compress_pages(memory, dumped, po, [&](const PageBatch& b) -> Result<void> {
    VMCAP_CHECK(sink.write_at(data_end, std::span(b.data).first(b.data_size)));
    uint64_t at = data_end;
    for (const PageOutcome& p : b.pages) {
      std::byte d[kDescBytes] = {};
      switch (p.kind) {
        case PageOutcome::Kind::Zero:
          put_u64(d, l.zero_page);
          put_u32(d + 8, static_cast<uint32_t>(l.bs));
          ++stats.zero_pages;
          break;
        case PageOutcome::Kind::Lost:  // offset 0: lost (the header says incomplete)
          ++stats.lost_pages;
          break;
        case PageOutcome::Kind::Stored:
          put_u64(d, at);
          put_u32(d + 8, p.size);
          put_u32(d + 12, p.flags);
          at += p.size;
          ++(p.flags ? stats.compressed_pages : stats.raw_pages);
          break;
      }
      descs.insert(descs.end(), d, d + kDescBytes);
    }
    data_end = at;
    stats.bytes_in += b.pfns.size() * l.bs;
    if (descs.size() >= kDescsPerWrite * kDescBytes) VMCAP_CHECK(flush_descs());
    if (options.progress)
      options.progress({b.first_index + b.pfns.size(), l.pages, data_end});
    return ok();
  }));
  VMCAP_CHECK(flush_descs());

  uint32_t status = compression_flag(options.compression);
  if (stats.lost_pages > 0) status |= kStatusIncomplete;
  VMCAP_CHECK(sink.write_at(0, main_header(fields, l, status)));
  stats.file_bytes = data_end;
  VMCAP_CHECK(sink.commit());
  return stats;
}

}  // namespace vmcap
