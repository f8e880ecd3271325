#include "tests/kdump/kdump_writer.h"

#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace vmcap::testing {

namespace {

void put(std::vector<std::byte>& f, uint64_t off, uint64_t v, unsigned width, bool be) {
  if (off + width > f.size()) f.resize(off + width);
  for (unsigned i = 0; i < width; ++i) {
    const unsigned shift = 8 * (be ? width - 1 - i : i);
    f[off + i] = static_cast<std::byte>((v >> shift) & 0xff);
  }
}

void put_bytes(std::vector<std::byte>& f, uint64_t off, const void* p, size_t n) {
  if (off + n > f.size()) f.resize(off + n);
  std::memcpy(f.data() + off, p, n);
}

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

void put_u32(std::vector<std::byte>& f, uint64_t off, uint32_t v, bool be) { put(f, off, v, 4, be); }
void put_u64(std::vector<std::byte>& f, uint64_t off, uint64_t v, bool be) { put(f, off, v, 8, be); }

KdumpWriter& KdumpWriter::exists(uint64_t first, uint64_t count) {
  exists_[first] = std::max(exists_[first], count);
  return *this;
}

KdumpWriter& KdumpWriter::page(uint64_t pfn, std::vector<std::byte> data, uint32_t method,
                               bool force_method) {
  pages_[pfn] = Page{std::move(data), method, force_method};
  return *this;
}

std::optional<std::vector<std::byte>> compress_page(uint32_t method,
                                                    const std::vector<std::byte>& in) {
  std::vector<std::byte> out;
  switch (method) {
    case kZlib: {
      uLongf len = compressBound(in.size());
      out.resize(len);
      if (compress2(reinterpret_cast<Bytef*>(out.data()), &len,
                    reinterpret_cast<const Bytef*>(in.data()), in.size(), 1) != Z_OK)
        return std::nullopt;
      out.resize(len);
      return out;
    }
    case kLzo: {
      static const bool ready = lzo_init() == LZO_E_OK;
      if (!ready) return std::nullopt;
      std::vector<unsigned char> wrk(LZO1X_1_MEM_COMPRESS);
      out.resize(in.size() + in.size() / 16 + 64 + 3);
      lzo_uint len = out.size();
      if (lzo1x_1_compress(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                           reinterpret_cast<unsigned char*>(out.data()), &len, wrk.data()) !=
          LZO_E_OK)
        return std::nullopt;
      out.resize(len);
      return out;
    }
    case kSnappy: {
      size_t len = snappy_max_compressed_length(in.size());
      out.resize(len);
      if (snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                          reinterpret_cast<char*>(out.data()), &len) != SNAPPY_OK)
        return std::nullopt;
      out.resize(len);
      return out;
    }
    case kZstd: {
      out.resize(ZSTD_compressBound(in.size()));
      const size_t rc = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 1);
      if (ZSTD_isError(rc)) return std::nullopt;
      out.resize(rc);
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::vector<std::byte> KdumpWriter::build(KdumpLayout* layout_out) const {
  KdumpLayout L;
  const bool be = be_;
  const uint64_t bs = bs_;
  const bool w64 = ws_ == 64;
  const bool pack = !w64 && (machine_ == "i386" || machine_ == "i686");
  std::vector<std::byte> f(bs, std::byte{0});

  // max_mapnr: given, or one past the highest pfn mentioned.
  uint64_t mapnr = max_mapnr_;
  if (mapnr == 0) {
    for (auto& [first, count] : exists_) mapnr = std::max(mapnr, first + count);
    if (!pages_.empty()) mapnr = std::max(mapnr, pages_.rbegin()->first + 1);
    mapnr = std::max<uint64_t>(mapnr, 1);
  }

  // --- sub-header area: kdump_sub_header, then notes / vmcoreinfo, then eraseinfo.
  struct Sub {
    uint64_t size, phys_base, dump_level, split, start_pfn, end_pfn, off_vmci, size_vmci,
        off_note, size_note, off_erase, size_erase, start64, end64, mapnr64;
  };
  // diskdump_mod.h's struct kdump_sub_header under LP64, ILP32 with 4-aligned 64-bit
  // fields (i386), and ILP32 with 8-aligned ones (arm).
  static constexpr Sub k64{104, 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96};
  static constexpr Sub k32pack{80, 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72};
  static constexpr Sub k32pad{96, 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88};
  const Sub& S = w64 ? k64 : pack ? k32pack : k32pad;
  const unsigned lw = w64 ? 8 : 4;

  std::vector<std::byte> notes;  // the note block (v4+)
  uint64_t vmci_in_notes = 0;
  auto add_note = [&](const std::string& name, uint32_t type, const void* desc, size_t n) {
    const uint64_t base = notes.size();
    put(notes, base, name.size() + 1, 4, be);
    put(notes, base + 4, n, 4, be);
    put(notes, base + 8, type, 4, be);
    std::vector<std::byte> nm(round_up(name.size() + 1, 4), std::byte{0});
    std::memcpy(nm.data(), name.data(), name.size());
    put_bytes(notes, base + 12, nm.data(), nm.size());
    const uint64_t d = base + 12 + nm.size();
    std::vector<std::byte> ds(round_up(n, 4), std::byte{0});
    if (n) std::memcpy(ds.data(), desc, n);
    put_bytes(notes, d, ds.data(), ds.size());
    return d;
  };
  if (version_ >= 4) {
    for (const auto& n : notes_) add_note(n.name, n.type, n.desc.data(), n.desc.size());
    if (vmcoreinfo_)
      vmci_in_notes = add_note("VMCOREINFO", 0, vmcoreinfo_->data(), vmcoreinfo_->size());
  }
  uint64_t sub_end = bs + S.size;
  if (version_ >= 1) {
    L.sub_header = bs;
    if (version_ >= 4 && !notes.empty()) {
      L.notes = sub_end;
      put_bytes(f, L.notes, notes.data(), notes.size());
      sub_end += notes.size();
      if (vmcoreinfo_) L.vmcoreinfo = L.notes + vmci_in_notes;
    } else if (version_ == 3 && vmcoreinfo_) {
      L.vmcoreinfo = sub_end;
      put_bytes(f, L.vmcoreinfo, vmcoreinfo_->data(), vmcoreinfo_->size());
      sub_end += vmcoreinfo_->size();
    }
    if (version_ >= 5 && eraseinfo_) {
      L.eraseinfo = sub_end;
      put_bytes(f, L.eraseinfo, eraseinfo_->data(), eraseinfo_->size());
      sub_end += eraseinfo_->size();
    }
  }
  const uint64_t sub_blocks = version_ >= 1 ? round_up(sub_end - bs, bs) / bs : 0;
  f.resize(bs * (1 + sub_blocks), std::byte{0});

  if (version_ >= 1) {
    const uint64_t s = bs;
    put(f, s + S.phys_base, phys_base_, lw, be);
    put(f, s + S.dump_level, static_cast<uint32_t>(dump_level_), 4, be);
    const uint64_t start = split_ ? split_->first : 0, end = split_ ? split_->second : mapnr;
    if (version_ >= 2) {
      put(f, s + S.split, split_ ? 1 : 0, 4, be);
      put(f, s + S.start_pfn, w64 ? start : static_cast<uint32_t>(start), lw, be);
      put(f, s + S.end_pfn, w64 ? end : static_cast<uint32_t>(end), lw, be);
    }
    if (version_ >= 3 && vmcoreinfo_) {
      put(f, s + S.off_vmci, L.vmcoreinfo, 8, be);
      put(f, s + S.size_vmci, vmcoreinfo_->size(), lw, be);
    }
    if (version_ >= 4 && !notes.empty()) {
      put(f, s + S.off_note, L.notes, 8, be);
      put(f, s + S.size_note, notes.size(), lw, be);
    }
    if (version_ >= 5 && eraseinfo_) {
      put(f, s + S.off_erase, L.eraseinfo, 8, be);
      put(f, s + S.size_erase, eraseinfo_->size(), lw, be);
    }
    if (version_ >= 6) {
      put(f, s + S.start64, start, 8, be);
      put(f, s + S.end64, end, 8, be);
      put(f, s + S.mapnr64, mapnr, 8, be);
    }
  }

  // --- bitmaps.
  L.bitmap_bytes = std::max<uint64_t>(round_up((mapnr + 7) / 8, bs), bs);
  L.bitmap1 = f.size();
  L.bitmap2 = L.bitmap1 + L.bitmap_bytes;
  L.descs = L.bitmap2 + L.bitmap_bytes;
  f.resize(L.descs, std::byte{0});
  auto set_bit = [&](uint64_t base, uint64_t pfn) {
    f[base + pfn / 8] |= static_cast<std::byte>(1u << (pfn % 8));
  };
  for (auto& [first, count] : exists_)
    for (uint64_t p = first; p < first + count; ++p) set_bit(L.bitmap1, p);
  for (auto& [pfn, pg] : pages_) {
    set_bit(L.bitmap1, pfn);
    set_bit(L.bitmap2, pfn);
  }

  // --- descriptors and data.
  std::vector<uint64_t> in_file;
  for (auto& [pfn, pg] : pages_)
    if (!split_ || (pfn >= split_->first && pfn < split_->second)) in_file.push_back(pfn);
  L.data = L.descs + in_file.size() * 24;
  f.resize(L.data, std::byte{0});
  uint64_t zero_off = 0;
  if (share_zero_) {
    zero_off = f.size();
    f.resize(f.size() + bs, std::byte{0});
  }
  uint64_t idx = 0;
  for (uint64_t pfn : in_file) {
    const Page& pg = pages_.at(pfn);
    const uint64_t d = L.descs + 24 * idx++;
    L.desc_of_pfn[pfn] = d;
    const bool zero = std::all_of(pg.data.begin(), pg.data.end(),
                                  [](std::byte b) { return b == std::byte{0}; });
    uint64_t off;
    uint32_t size, flags;
    if (share_zero_ && zero && pg.data.size() == bs) {
      off = zero_off, size = bs, flags = 0;
    } else {
      std::vector<std::byte> stored = pg.data;
      flags = 0;
      if (pg.method != kRaw) {
        auto c = compress_page(pg.method, pg.data);
        if (!c) throw std::runtime_error("compression failed");
        if (pg.force || c->size() < pg.data.size()) {
          stored = std::move(*c);
          flags = pg.method;
        }
      }
      off = f.size();
      size = static_cast<uint32_t>(stored.size());
      put_bytes(f, off, stored.data(), stored.size());
    }
    L.data_of_pfn[pfn] = off;
    put(f, d, off, 8, be);
    put(f, d + 8, size, 4, be);
    put(f, d + 12, flags, 4, be);
    put(f, d + 16, 0, 8, be);
  }

  // --- disk_dump_header (block 0), last: it needs the block counts.
  put_bytes(f, 0, "KDUMP   ", 8);
  put(f, 8, static_cast<uint32_t>(version_), 4, be);
  const std::string uts[6] = {"Linux", "testhost", release_, "#1 SMP PREEMPT_DYNAMIC", machine_,
                              "(none)"};
  for (int i = 0; i < 6; ++i) put_bytes(f, 12 + 65 * i, uts[i].data(), std::min<size_t>(64, uts[i].size()));
  const uint64_t h = w64 ? 408 : 404;  // struct timeval after utsname, aligned to a long
  put(f, h, 1700000000, lw, be);
  put(f, h + lw, 123456, lw, be);
  const uint64_t r = h + 2 * lw;  // status and the ints after it
  put(f, r, status_, 4, be);
  put(f, r + 4, bs_, 4, be);
  put(f, r + 8, sub_blocks, 4, be);
  put(f, r + 12, 2 * L.bitmap_bytes / bs, 4, be);
  put(f, r + 16, static_cast<uint32_t>(std::min<uint64_t>(mapnr, UINT32_MAX)), 4, be);
  put(f, r + 20, pages_.size(), 4, be);  // total_ram_blocks
  put(f, r + 24, 0, 4, be);
  put(f, r + 28, pages_.size(), 4, be);  // written_blocks
  put(f, r + 32, 0, 4, be);              // current_cpu
  put(f, r + 36, 1, 4, be);              // nr_cpus
  L.size = f.size();
  if (layout_out) *layout_out = L;
  return f;
}

std::vector<FlatRecord> flat_records(const std::vector<std::byte>& file, size_t chunk) {
  std::vector<FlatRecord> out;
  for (size_t off = 0; off < file.size(); off += chunk) {
    const size_t n = std::min(chunk, file.size() - off);
    out.push_back({off, std::vector<std::byte>(file.begin() + off, file.begin() + off + n)});
  }
  return out;
}

std::vector<std::byte> flatten(const std::vector<FlatRecord>& records, bool end_marker,
                               const char* signature, int64_t type, int64_t version) {
  std::vector<std::byte> f(4096, std::byte{0});
  std::memcpy(f.data(), signature, std::min<size_t>(16, std::strlen(signature)));
  put(f, 16, static_cast<uint64_t>(type), 8, true);
  put(f, 24, static_cast<uint64_t>(version), 8, true);
  for (const auto& r : records) {
    const uint64_t at = f.size();
    put(f, at, r.offset, 8, true);
    put(f, at + 8, r.data.size(), 8, true);
    put_bytes(f, at + 16, r.data.data(), r.data.size());
  }
  if (end_marker) {
    const uint64_t at = f.size();
    put(f, at, ~uint64_t{0}, 8, true);
    put(f, at + 8, ~uint64_t{0}, 8, true);
  }
  return f;
}

std::vector<std::byte> pattern_page(uint32_t size, uint64_t seed) {
  std::vector<std::byte> p(size);
  std::string line;
  size_t pos = 0;
  for (uint64_t i = 0; pos < size; ++i) {
    line = "page " + std::to_string(seed) + " line " + std::to_string(i) + " kernel text\n";
    for (char c : line) {
      if (pos == size) break;
      p[pos++] = static_cast<std::byte>(c);
    }
  }
  return p;
}

std::vector<std::byte> random_page(uint32_t size, uint64_t seed) {
  std::vector<std::byte> p(size);
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& b : p) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<std::byte>(x >> 24);
  }
  return p;
}

void write_file(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<char> v((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(v.size());
  std::memcpy(out.data(), v.data(), v.size());
  return out;
}

std::string make_temp_dir(const std::string& tag) {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/vmcap-" + tag + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

}  // namespace vmcap::testing
