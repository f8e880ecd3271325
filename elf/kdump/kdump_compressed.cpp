// kdump-compressed reader. Layout facts: makedumpfile's diskdump_mod.h (disk_dump_header,
// kdump_sub_header, page_desc), cross-checked with crash's diskdump.c and libkdumpfile's
// diskdump.c (32-bit header layouts, packed vs padded 32-bit sub-headers).
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <list>
#include <mutex>
#include <vector>

#include "elf/elf_notes.h"
#include "elf/kdump/decompress.h"
#include "elf/kdump/kdump.h"

namespace vmcap {

namespace {

constexpr char kKdumpSignature[] = "KDUMP   ";
constexpr char kDiskdumpSignature[] = "DISKDUMP";
constexpr size_t kUtsFieldLen = 65;
constexpr uint64_t kUtsOffset = 12;
constexpr uint64_t kMachineOffset = kUtsOffset + 4 * kUtsFieldLen;  // 272
constexpr uint64_t kHeader64Size = 464;
constexpr uint64_t kHeader32Size = 452;
constexpr uint64_t kPageDescSize = 24;
constexpr int kMaxHeaderVersion = 6;
constexpr uint32_t kMinBlockSize = 512;
constexpr uint32_t kMaxBlockSize = 1u << 20;
// Limits on what one file may make us allocate (docs/limits.md).
constexpr uint64_t kMaxBitmapBytes = 1ull << 30;  // one bitmap: 8 Gi pfns
constexpr uint64_t kMaxNoteBytes = 64ull << 20;
constexpr size_t kPageCacheEntries = 16;
constexpr uint64_t kDescChunk = 256;  // descriptors read at once
constexpr size_t kDescCacheEntries = 4;

struct Endian {
  bool le = true;
  uint32_t u32(const std::byte* p) const {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
      v |= uint32_t(static_cast<uint8_t>(p[le ? i : 3 - i])) << (8 * i);
    return v;
  }
  uint64_t u64(const std::byte* p) const {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= uint64_t(static_cast<uint8_t>(p[le ? i : 7 - i])) << (8 * i);
    return v;
  }
  // An unsigned long of the crashed machine.
  uint64_t ulong(const std::byte* p, int word_size) const {
    return word_size == 64 ? u64(p) : u32(p);
  }
};

std::string c_string(const std::byte* p, size_t max) {
  const char* s = reinterpret_cast<const char*>(p);
  return std::string(s, strnlen(s, max));
}

bool plausible_block_size(uint32_t bs) {
  return bs >= kMinBlockSize && bs <= kMaxBlockSize && std::has_single_bit(bs);
}

// A bitmap over pfns [0, nbits) with O(1) rank (count of set bits below a pfn).
class Bitmap {
 public:
  Result<void> load(const ByteSource& src, uint64_t offset, uint64_t nbits) {
    nbits_ = nbits;
    const uint64_t nbytes = (nbits + 7) / 8;
    words_.assign((nbytes + 7) / 8, 0);
    // The file's bitmap is bytes, bit 0 of byte 0 first: on a little-endian host that is
    // exactly the words' memory, so it is read in place, not assembled byte by byte.
    static_assert(std::endian::native == std::endian::little, "Bitmap reads words in place");
    VMCAP_CHECK(src.read_at(offset, std::span(reinterpret_cast<std::byte*>(words_.data()), nbytes)));
    if (nbits % 64) words_.back() &= (uint64_t{1} << (nbits % 64)) - 1;  // bits past nbits
    rank_.assign(words_.size() / 8 + 1, 0);
    uint64_t total = 0;
    for (size_t w = 0; w < words_.size(); ++w) {
      if (w % 8 == 0) rank_[w / 8] = total;
      total += std::popcount(words_[w]);
    }
    if (words_.size() % 8 == 0) rank_[words_.size() / 8] = total;
    return ok();
  }
  uint64_t size() const { return nbits_; }
  bool test(uint64_t bit) const {
    return bit < nbits_ && (words_[bit / 64] >> (bit % 64)) & 1;
  }
  // Set bits in [0, bit); bit <= size().
  uint64_t rank(uint64_t bit) const {
    const uint64_t w = bit / 64;
    uint64_t r = rank_[w / 8];
    for (uint64_t i = w / 8 * 8; i < w; ++i) r += std::popcount(words_[i]);
    if (bit % 64) r += std::popcount(words_[w] & ((uint64_t{1} << (bit % 64)) - 1));
    return r;
  }
  // Bits set here and clear in `other` (of the same size) inside [lo, hi), hi <= size().
  uint64_t count_and_not(const Bitmap& other, uint64_t lo, uint64_t hi) const {
    uint64_t n = 0;
    for (uint64_t w = lo / 64; w * 64 < hi; ++w) {
      uint64_t bits = words_[w] & ~other.words_[w];
      if (w * 64 < lo) bits &= ~uint64_t{0} << (lo % 64);
      if ((w + 1) * 64 > hi) bits &= (uint64_t{1} << (hi % 64)) - 1;
      n += std::popcount(bits);
    }
    return n;
  }
  // Calls fn(first, count) for every run of set bits inside [lo, hi).
  template <class Fn>
  void for_each_run(uint64_t lo, uint64_t hi, Fn&& fn) const {
    hi = std::min(hi, nbits_);
    uint64_t run_start = 0;
    bool in_run = false;
    uint64_t bit = lo;
    while (bit < hi) {
      const uint64_t w = bit / 64;
      uint64_t word = words_[w] >> (bit % 64);
      const uint64_t avail = std::min<uint64_t>(64 - bit % 64, hi - bit);
      if (avail < 64) word &= (uint64_t{1} << avail) - 1;
      if (!in_run) {
        if (word == 0) { bit += avail; continue; }
        const int z = std::countr_zero(word);
        bit += z;
        run_start = bit;
        in_run = true;
        word >>= z;
        const int ones = std::countr_one(word);
        bit += ones;
        if (static_cast<uint64_t>(z + ones) < avail) { fn(run_start, bit - run_start); in_run = false; }
      } else {
        const int ones = avail == 64 && word == ~uint64_t{0} ? 64 : std::countr_one(word);
        bit += ones;
        if (static_cast<uint64_t>(ones) < avail) { fn(run_start, bit - run_start); in_run = false; }
      }
    }
    if (in_run) fn(run_start, bit - run_start);
  }

 private:
  uint64_t nbits_ = 0;
  std::vector<uint64_t> words_;
  std::vector<uint64_t> rank_;  // set bits before each group of 8 words
};

class KdumpMemory final : public PhysicalMemory {
 public:
  KdumpMemory(std::shared_ptr<const ByteSource> src, const KdumpInfo& info, Endian e,
              Bitmap exists, Bitmap dumped)
      : src_(std::move(src)), info_(info), e_(e), exists_(std::move(exists)),
        dumped_(std::move(dumped)) {
    base_rank_ = dumped_.rank(std::min(info_.start_pfn, dumped_.size()));
    const uint64_t bs = info_.block_size;
    dumped_.for_each_run(info_.start_pfn, info_.end_pfn, [&](uint64_t pfn, uint64_t n) {
      ranges_.push_back(PhysRange{pfn * bs, n * bs});
    });
  }

  const std::vector<PhysRange>& ranges() const override { return ranges_; }

  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    const uint64_t bs = info_.block_size;
    if (out.size() > UINT64_MAX - paddr)
      return make_error(ErrorKind::Hole, src_->path(), paddr,
                        "read past the end of the physical address space");
    std::lock_guard lock(mutex_);
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t cur = paddr + done;
      const uint64_t pfn = cur / bs;
      const uint64_t in_page = cur % bs;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(bs - in_page, out.size() - done));
      const std::byte* page = VMCAP_TRY(page_locked(pfn, cur));
      std::memcpy(out.data() + done, page + in_page, n);
      done += n;
    }
    return ok();
  }

 private:
  struct CachedPage {
    uint64_t pfn = UINT64_MAX;
    std::vector<std::byte> data;
  };
  struct CachedDescs {
    uint64_t chunk = UINT64_MAX;
    std::vector<std::byte> data;
  };

  Error hole(uint64_t paddr, uint64_t pfn, std::string why) const {
    return make_error(ErrorKind::Hole, src_->path(), paddr,
                      fmt::format("pfn {:#x} is not in the dump: {}", pfn, why));
  }

  // The 24-byte descriptor of the index-th dumped page, through a small chunk cache.
  Result<const std::byte*> desc_locked(uint64_t index) const {
    const uint64_t chunk = index / kDescChunk;
    auto it = std::find_if(descs_.begin(), descs_.end(),
                           [&](const CachedDescs& c) { return c.chunk == chunk; });
    if (it == descs_.end()) {
      const uint64_t first = chunk * kDescChunk;
      const uint64_t count = std::min(kDescChunk, info_.dumped_pages - first);
      CachedDescs c;
      c.chunk = chunk;
      c.data.resize(count * kPageDescSize);
      VMCAP_CHECK(src_->read_at(info_.desc_offset + first * kPageDescSize, c.data));
      if (descs_.size() >= kDescCacheEntries) descs_.pop_back();
      descs_.push_front(std::move(c));
      it = descs_.begin();
    } else if (it != descs_.begin()) {
      descs_.splice(descs_.begin(), descs_, it);
      it = descs_.begin();
    }
    return it->data.data() + (index % kDescChunk) * kPageDescSize;
  }

  Result<const std::byte*> page_locked(uint64_t pfn, uint64_t paddr) const {
    for (auto it = pages_.begin(); it != pages_.end(); ++it) {
      if (it->pfn == pfn) {
        if (it != pages_.begin()) pages_.splice(pages_.begin(), pages_, it);
        return pages_.front().data.data();
      }
    }
    if (pfn >= info_.max_mapnr)
      return hole(paddr, pfn, fmt::format("beyond the dump's max_mapnr {:#x}", info_.max_mapnr));
    if (pfn < info_.start_pfn || pfn >= info_.end_pfn)
      return hole(paddr, pfn,
                  fmt::format("outside this split file's pfn range [{:#x}, {:#x})",
                              info_.start_pfn, info_.end_pfn));
    if (!dumped_.test(pfn))
      return hole(paddr, pfn,
                  exists_.test(pfn) ? "excluded when the dump was made (2nd bitmap)"
                                    : "not in the crashed machine's memory map (1st bitmap)");
    const uint64_t index = dumped_.rank(pfn) - base_rank_;
    const uint64_t desc_off = info_.desc_offset + index * kPageDescSize;
    const std::byte* d = VMCAP_TRY(desc_locked(index));
    const uint64_t offset = e_.u64(d);
    const uint32_t size = e_.u32(d + 8);
    const uint32_t flags = e_.u32(d + 12);
    const uint64_t bs = info_.block_size;
    if (offset == 0)
      return hole(paddr, pfn,
                  fmt::format("its descriptor at offset {:#x} has data offset 0 (page lost "
                              "by an incomplete dump)",
                              desc_off));
    const uint32_t method = flags & kdump::kCompressionMask;
    auto bad = [&](std::string why) {
      return make_error(ErrorKind::Format, src_->path(), desc_off,
                        fmt::format("page descriptor of pfn {:#x}: {}", pfn, why));
    };
    if (std::popcount(method) > 1)
      return bad(fmt::format("several compression methods in flags {:#x}", flags));
    if (method == 0 && size != bs)
      return bad(fmt::format("uncompressed page of {} bytes, block size is {}", size, bs));
    if (method != 0 && (size == 0 || size > bs))
      return bad(fmt::format("{}-compressed page of {} bytes, block size is {}",
                             kdump::compression_name(method), size, bs));
    if (!src_->contains(offset, size))
      return make_error(ErrorKind::Truncated, src_->path(), offset,
                        fmt::format("data of pfn {:#x} ({} bytes, descriptor at {:#x}) runs "
                                    "past the end of the file ({} bytes)",
                                    pfn, size, desc_off, src_->size()));
    CachedPage slot;
    if (pages_.size() >= kPageCacheEntries) {
      slot = std::move(pages_.back());
      pages_.pop_back();
    }
    slot.pfn = UINT64_MAX;
    slot.data.resize(bs);
    if (method == 0) {
      VMCAP_CHECK(src_->read_at(offset, slot.data));
    } else {
      compressed_.resize(size);
      VMCAP_CHECK(src_->read_at(offset, compressed_));
      std::string err = kdump::decompress_page(method, compressed_, slot.data);
      if (!err.empty())
        return make_error(ErrorKind::Format, src_->path(), offset,
                          fmt::format("page data of pfn {:#x} ({} bytes): {}", pfn, size, err));
    }
    slot.pfn = pfn;
    pages_.push_front(std::move(slot));
    return pages_.front().data.data();
  }

  std::shared_ptr<const ByteSource> src_;
  KdumpInfo info_;
  Endian e_;
  Bitmap exists_;
  Bitmap dumped_;
  uint64_t base_rank_ = 0;
  std::vector<PhysRange> ranges_;
  mutable std::mutex mutex_;
  mutable std::list<CachedPage> pages_;  // most recently used first
  mutable std::list<CachedDescs> descs_;
  mutable std::vector<std::byte> compressed_;
};

class KdumpDump final : public Dump {
 public:
  KdumpDump(std::string path, std::string format, KdumpInfo info, uint16_t machine,
            std::vector<Note> notes, std::unique_ptr<KdumpMemory> memory)
      : path_(std::move(path)), format_(std::move(format)), info_(std::move(info)),
        machine_(machine), notes_(std::move(notes)), memory_(std::move(memory)) {}
  const std::string& path() const override { return path_; }
  std::string format() const override { return format_; }
  uint16_t machine() const override { return machine_; }
  int word_size() const override { return info_.word_size; }
  bool little_endian() const override { return info_.little_endian; }
  const std::vector<Note>& notes() const override { return notes_; }
  const PhysicalMemory& memory() const override { return *memory_; }
  const KdumpInfo& info() const { return info_; }

 private:
  std::string path_;
  std::string format_;
  KdumpInfo info_;
  uint16_t machine_;
  std::vector<Note> notes_;
  std::unique_ptr<KdumpMemory> memory_;
};

struct HeaderLayout {
  int word_size;
  uint64_t size, ts_sec, ts_usec, status, block_size, sub_hdr_size, bitmap_blocks,
      max_mapnr, nr_cpus;
};
constexpr HeaderLayout kLayout64{64, kHeader64Size, 408, 416, 424, 428, 432, 436, 440, 460};
constexpr HeaderLayout kLayout32{32, kHeader32Size, 404, 408, 412, 416, 420, 424, 428, 448};

// kdump_sub_header field offsets for one layout (see libkdumpfile's _64/_32pack/_32pad).
struct SubLayout {
  uint64_t size, phys_base, dump_level, split, start_pfn, end_pfn, off_vmci, size_vmci,
      off_note, size_note, off_erase, size_erase, start_pfn_64, end_pfn_64, max_mapnr_64;
  int long_size;  // bytes of the unsigned long fields (phys_base, start/end_pfn, size_*)
};
constexpr SubLayout kSub64{104, 0, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 8};
constexpr SubLayout kSub32Pack{80, 0, 4, 8, 12, 16, 20, 28, 32, 40, 44, 52, 56, 64, 72, 4};
constexpr SubLayout kSub32Pad{96, 0, 4, 8, 12, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 4};


}  // namespace

bool is_kdump_compressed_signature(std::span<const std::byte> head) {
  return head.size() >= 8 && std::memcmp(head.data(), kKdumpSignature, 8) == 0;
}

bool is_flattened_signature(std::span<const std::byte> head) {
  return FlattenedByteSource::has_signature(head);
}

const KdumpInfo* kdump_info(const Dump& dump) {
  const auto* k = dynamic_cast<const KdumpDump*>(&dump);
  return k ? &k->info() : nullptr;
}

namespace {

Result<std::unique_ptr<Dump>> open_kdump_impl(std::shared_ptr<const ByteSource> source,
                                              std::string format, uint64_t flattened_records) {
  const ByteSource& src = *source;
  const std::string& path = src.path();
  auto truncated = [&](uint64_t offset, uint64_t length, const std::string& what) {
    return make_error(ErrorKind::Truncated, path, offset,
                      fmt::format("{} ({} bytes at {:#x}) runs past the end of the file "
                                  "({} bytes)",
                                  what, length, offset, src.size()));
  };

  // --- disk_dump_header ------------------------------------------------------------------
  if (!src.contains(0, 8)) return truncated(0, 8, "signature");
  std::array<std::byte, kHeader64Size> hdr{};
  VMCAP_CHECK(src.read_at(0, std::span(hdr).first(std::min<uint64_t>(kHeader64Size, src.size()))));
  if (std::memcmp(hdr.data(), kDiskdumpSignature, 8) == 0)
    return make_error(ErrorKind::Format, path, 0,
                      "old diskdump file (\"DISKDUMP\"): only makedumpfile's \"KDUMP   \" "
                      "kdump-compressed format is supported");
  if (!is_kdump_compressed_signature(hdr))
    return make_error(ErrorKind::Format, path, 0,
                      is_flattened_signature(std::span(hdr).first(std::min<uint64_t>(16, src.size())))
                          ? "a flattened file (makedumpfile -F), not kdump-compressed: open it "
                            "as flattened"
                          : "no kdump-compressed signature \"KDUMP   \"");
  if (!src.contains(0, kHeader32Size)) return truncated(0, kHeader32Size, "disk_dump_header");

  KdumpInfo info;
  info.machine = c_string(hdr.data() + kMachineOffset, kUtsFieldLen);
  const std::optional<int> ws_hint = word_size_from_utsname(info.machine);

  // Byte order and word size: the combination whose header_version and block_size make
  // sense; the word size from utsname.machine when the machine is known.
  const HeaderLayout* layout = nullptr;
  Endian e;
  std::vector<const HeaderLayout*> layouts;
  if (ws_hint == 32) layouts = {&kLayout32};
  else if (ws_hint == 64) layouts = {&kLayout64};
  else layouts = {&kLayout64, &kLayout32};
  // What makes a combination implausible (the field's offset and why), or nothing. The
  // bitmaps must cover max_mapnr (the 32-bit field is what makedumpfile fills in every
  // version) and the sub-header be a sane number of blocks.
  struct Problem {
    uint64_t offset;
    std::string what;
  };
  auto problem = [&](const Endian& c, const HeaderLayout* l) -> std::optional<Problem> {
    const uint32_t bsz = c.u32(hdr.data() + l->block_size);
    const uint32_t bitmap_blocks = c.u32(hdr.data() + l->bitmap_blocks);
    const uint32_t mapnr = c.u32(hdr.data() + l->max_mapnr);
    const int32_t sub = static_cast<int32_t>(c.u32(hdr.data() + l->sub_hdr_size));
    if (!plausible_block_size(bsz))
      return Problem{l->block_size, fmt::format("block_size {} is not a power of two in [{}, {}]",
                                                bsz, kMinBlockSize, kMaxBlockSize)};
    if (sub < 0 || sub >= (1 << 20))
      return Problem{l->sub_hdr_size,
                     fmt::format("sub_hdr_size {} is not a number of blocks below 2^20", sub)};
    if (bitmap_blocks == 0) return Problem{l->bitmap_blocks, "bitmap_blocks is 0"};
    if (uint64_t{mapnr} > uint64_t{bitmap_blocks} / 2 * bsz * 8)
      return Problem{l->max_mapnr, fmt::format("max_mapnr {:#x} needs more bits than {} bitmap "
                                               "blocks of {} bytes hold",
                                               mapnr, bitmap_blocks, bsz)};
    return std::nullopt;
  };
  std::optional<Problem> first_problem;  // of a combination whose block_size is plausible
  for (bool le : {true, false}) {
    Endian c{le};
    const int32_t version = static_cast<int32_t>(c.u32(hdr.data() + 8));
    if (version < 0 || version > kMaxHeaderVersion) continue;
    for (const HeaderLayout* l : layouts) {
      if (l->size > src.size()) continue;
      auto p = problem(c, l);
      if (!p) {
        layout = l;
        e = c;
        break;
      }
      if (!first_problem && p->offset != l->block_size)
        first_problem = Problem{p->offset, fmt::format("{} ({}-bit header, {}-endian)", p->what,
                                                       l->word_size, le ? "little" : "big")};
    }
    if (layout) break;
  }
  if (!layout) {
    const uint32_t v_le = Endian{true}.u32(hdr.data() + 8), v_be = Endian{false}.u32(hdr.data() + 8);
    const uint32_t v = std::min(v_le, v_be);
    if (v > kMaxHeaderVersion)
      return make_error(ErrorKind::Format, path, 8,
                        fmt::format("header_version {} is not one this reader knows (0..{})", v,
                                    kMaxHeaderVersion));
    const HeaderLayout* l = layouts.front();
    if (l->size > src.size()) return truncated(0, l->size, "disk_dump_header");
    if (first_problem) return make_error(ErrorKind::Format, path, first_problem->offset, first_problem->what);
    return make_error(ErrorKind::Format, path, l->block_size,
                      fmt::format("{} ({}-bit header, either byte order)",
                                  problem(Endian{v == v_le}, l)->what, l->word_size));
  }
  const std::byte* h = hdr.data();
  info.word_size = layout->word_size;
  info.little_endian = e.le;
  info.header_version = static_cast<int>(e.u32(h + 8));
  info.sysname = c_string(h + kUtsOffset, kUtsFieldLen);
  info.nodename = c_string(h + kUtsOffset + kUtsFieldLen, kUtsFieldLen);
  info.release = c_string(h + kUtsOffset + 2 * kUtsFieldLen, kUtsFieldLen);
  info.version = c_string(h + kUtsOffset + 3 * kUtsFieldLen, kUtsFieldLen);
  info.domainname = c_string(h + kUtsOffset + 5 * kUtsFieldLen, kUtsFieldLen);
  info.timestamp_sec = e.ulong(h + layout->ts_sec, info.word_size);
  info.timestamp_usec = e.ulong(h + layout->ts_usec, info.word_size);
  info.status = e.u32(h + layout->status);
  info.block_size = e.u32(h + layout->block_size);
  const int32_t sub_hdr_size = static_cast<int32_t>(e.u32(h + layout->sub_hdr_size));
  info.bitmap_blocks = e.u32(h + layout->bitmap_blocks);
  info.max_mapnr = e.u32(h + layout->max_mapnr);
  info.nr_cpus = e.u32(h + layout->nr_cpus);
  const uint64_t bs = info.block_size;
  if (sub_hdr_size < 0 || (info.header_version >= 1 && sub_hdr_size == 0))
    return make_error(ErrorKind::Format, path, layout->sub_hdr_size,
                      fmt::format("sub_hdr_size {} blocks (header version {} needs a "
                                  "kdump_sub_header)",
                                  sub_hdr_size, info.header_version));
  info.sub_hdr_size = static_cast<uint32_t>(sub_hdr_size);

  // --- kdump_sub_header ------------------------------------------------------------------
  info.start_pfn = 0;
  info.end_pfn = UINT64_MAX;
  if (info.header_version >= 1) {
    const SubLayout* sl = &kSub64;
    std::array<std::byte, 104> sub{};
    const uint64_t sub_area = uint64_t{info.sub_hdr_size} * bs;
    const uint64_t want = std::min<uint64_t>(sub.size(), sub_area);
    if (!src.contains(bs, want)) return truncated(bs, want, "kdump_sub_header");
    VMCAP_CHECK(src.read_at(bs, std::span(sub).first(want)));
    if (info.word_size == 32) {
      // i386 aligns 64-bit fields to 4 bytes, the other 32-bit ABIs to 8. Unknown machine:
      // libkdumpfile's test, the packed offset_vmcoreinfo must point into the sub-header.
      sl = &kSub32Pad;
      if (is_x86_32_utsname(info.machine)) {
        sl = &kSub32Pack;
      } else if (machine_from_utsname(info.machine) == 0) {
        // Unknown machine: the layout whose fields make sense. offset_vmcoreinfo (v3+)
        // must point into the sub-header area (libkdumpfile's test); max_mapnr_64 (v6)
        // must agree with the 32-bit max_mapnr and fit the bitmaps. Padded wins a tie.
        auto fits = [&](const SubLayout& l) {
          const uint64_t payload = bs * (1 + uint64_t{info.sub_hdr_size});
          if (info.header_version >= 3) {
            const uint64_t off = e.u64(sub.data() + l.off_vmci);
            const uint64_t sz = e.u32(sub.data() + l.size_vmci);
            if (!(off == 0 && sz == 0) && !(off > bs && off <= payload && sz <= payload - off))
              return false;
          }
          if (info.header_version >= 6) {
            const uint64_t mapnr = e.u64(sub.data() + l.max_mapnr_64);
            const uint64_t capacity = uint64_t{info.bitmap_blocks / 2} * bs * 8;
            if (mapnr == 0 || mapnr > capacity || std::min<uint64_t>(mapnr, UINT32_MAX) != info.max_mapnr)
              return false;
          }
          return true;
        };
        sl = !fits(kSub32Pad) && fits(kSub32Pack) ? &kSub32Pack : &kSub32Pad;
      } else if (info.header_version < 3) {
        sl = &kSub32Pack;  // identical up to version 2
      }
      info.packed_sub_header = sl == &kSub32Pack;
    }
    if (sl->size > sub_area)
      return make_error(ErrorKind::Format, path, bs,
                        fmt::format("sub_hdr_size {} blocks cannot hold the {}-byte "
                                    "kdump_sub_header",
                                    sub_hdr_size, sl->size));
    const std::byte* s = sub.data();
    const int ws = info.word_size;
    info.phys_base = e.ulong(s + sl->phys_base, ws);
    info.dump_level = static_cast<int32_t>(e.u32(s + sl->dump_level));
    if (info.header_version >= 2) {
      info.split = static_cast<int32_t>(e.u32(s + sl->split));
      if (info.split) {
        info.start_pfn = e.ulong(s + sl->start_pfn, ws);
        info.end_pfn = e.ulong(s + sl->end_pfn, ws);
      }
    }
    if (info.header_version >= 3) {
      info.offset_vmcoreinfo = e.u64(s + sl->off_vmci);
      info.size_vmcoreinfo = e.ulong(s + sl->size_vmci, ws);
    }
    if (info.header_version >= 4) {
      info.offset_note = e.u64(s + sl->off_note);
      info.size_note = e.ulong(s + sl->size_note, ws);
    }
    if (info.header_version >= 5) {
      info.offset_eraseinfo = e.u64(s + sl->off_erase);
      info.size_eraseinfo = e.ulong(s + sl->size_erase, ws);
    }
    if (info.header_version >= 6) {
      info.max_mapnr = e.u64(s + sl->max_mapnr_64);
      if (info.split) {
        info.start_pfn = e.u64(s + sl->start_pfn_64);
        info.end_pfn = e.u64(s + sl->end_pfn_64);
      }
    }
  }

  // --- bitmaps ---------------------------------------------------------------------------
  if (info.bitmap_blocks == 0 || info.bitmap_blocks % 2 != 0)
    return make_error(ErrorKind::Format, path, layout->bitmap_blocks,
                      fmt::format("bitmap_blocks {} is not an even, nonzero count (two "
                                  "bitmaps of the same size)",
                                  info.bitmap_blocks));
  info.bitmap_bytes = uint64_t{info.bitmap_blocks / 2} * bs;
  info.bitmap1_offset = (1 + uint64_t{info.sub_hdr_size}) * bs;
  info.bitmap2_offset = info.bitmap1_offset + info.bitmap_bytes;
  info.desc_offset = info.bitmap2_offset + info.bitmap_bytes;
  if (info.max_mapnr > info.bitmap_bytes * 8)
    return make_error(ErrorKind::Format, path, info.bitmap1_offset,
                      fmt::format("max_mapnr {:#x} needs more bits than the {}-byte bitmaps "
                                  "hold",
                                  info.max_mapnr, info.bitmap_bytes));
  const uint64_t bitmap_load = (info.max_mapnr + 7) / 8;
  if (bitmap_load > kMaxBitmapBytes)
    return make_error(ErrorKind::Limit, path, info.bitmap1_offset,
                      fmt::format("max_mapnr {:#x} needs {}-byte bitmaps; vmcap accepts at "
                                  "most {}",
                                  info.max_mapnr, bitmap_load, kMaxBitmapBytes));
  if (!src.contains(info.bitmap1_offset, 2 * info.bitmap_bytes))
    return truncated(info.bitmap1_offset, 2 * info.bitmap_bytes, "the two page bitmaps");
  info.end_pfn = std::min(info.end_pfn, info.max_mapnr);
  if (info.start_pfn > info.end_pfn)
    return make_error(ErrorKind::Format, path, bs,
                      fmt::format("split file's start_pfn {:#x} is above its end_pfn {:#x}",
                                  info.start_pfn, info.end_pfn));
  Bitmap exists, dumped;
  VMCAP_CHECK(exists.load(src, info.bitmap1_offset, info.max_mapnr));
  VMCAP_CHECK(dumped.load(src, info.bitmap2_offset, info.max_mapnr));
  info.dumped_pages = dumped.rank(info.end_pfn) - dumped.rank(info.start_pfn);
  info.ram_pages = exists.rank(info.max_mapnr);
  info.excluded_pages = exists.count_and_not(dumped, info.start_pfn, info.end_pfn);
  const uint64_t desc_bytes = info.dumped_pages * kPageDescSize;
  if (!src.contains(info.desc_offset, desc_bytes))
    return truncated(info.desc_offset, desc_bytes,
                     fmt::format("the page descriptor table of {} dumped pages",
                                 info.dumped_pages));
  // A flattened file's gaps read as zeros: a table there would cost nothing in the file
  // yet size the page runs (16 bytes each) by the bitmap alone.
  if (!src.stored(info.desc_offset, desc_bytes))
    return make_error(ErrorKind::Format, path, info.desc_offset,
                      fmt::format("the page descriptor table of {} dumped pages ({} bytes at "
                                  "{:#x}) is not in the file: no record of the flattened "
                                  "stream wrote all of it",
                                  info.dumped_pages, desc_bytes, info.desc_offset));

  // --- notes -----------------------------------------------------------------------------
  std::vector<Note> notes;
  auto read_block = [&](uint64_t off, uint64_t size,
                        const char* what) -> Result<std::vector<std::byte>> {
    if (size > kMaxNoteBytes)
      return make_error(ErrorKind::Limit, path, off,
                        fmt::format("{} of {} bytes; vmcap accepts at most {}", what, size,
                                    kMaxNoteBytes));
    if (!src.contains(off, size)) return truncated(off, size, what);
    std::vector<std::byte> buf(size);
    VMCAP_CHECK(src.read_at(off, buf));
    return buf;
  };
  if (info.size_note > 0) {
    auto block = VMCAP_TRY(read_block(info.offset_note, info.size_note, "note block"));
    // A garbled note stops the note parsing, not the dump: memory stays readable.
    auto parsed = parse_elf_notes(block, info.offset_note, e.le, path, notes);
    if (!parsed) info.warnings.push_back(parsed.error().message());
  }
  const bool has_vmcoreinfo =
      std::any_of(notes.begin(), notes.end(), [](const Note& n) { return n.name == "VMCOREINFO"; });
  if (!has_vmcoreinfo && info.size_vmcoreinfo > 0) {
    auto text = VMCAP_TRY(read_block(info.offset_vmcoreinfo, info.size_vmcoreinfo, "VMCOREINFO"));
    Note n;
    n.name = "VMCOREINFO";
    n.type = 0;
    n.desc = std::move(text);
    n.file_offset = info.offset_vmcoreinfo;
    notes.push_back(std::move(n));
  }

  info.flattened_records = flattened_records;
  // QEMU's kdump writes utsname.machine "Unknown" for every guest without an
  // ELF_MACHINE_UNAME (aarch64 among them); the CPU notes' layout still names the machine.
  uint16_t machine = machine_from_utsname(info.machine);
  if (machine != 0) {
    info.machine_basis = "utsname.machine";
  } else if (auto m = machine_from_notes(notes, info.little_endian); m.machine != 0) {
    machine = m.machine;
    info.machine_basis = fmt::format("utsname.machine is \"{}\"; {}", info.machine, m.basis);
  }
  auto memory = std::make_unique<KdumpMemory>(source, info, e, std::move(exists), std::move(dumped));
  return std::unique_ptr<Dump>(std::make_unique<KdumpDump>(path, std::move(format), std::move(info),
                                                           machine, std::move(notes),
                                                           std::move(memory)));
}

}  // namespace

Result<std::unique_ptr<Dump>> open_kdump_compressed(std::shared_ptr<const ByteSource> source,
                                                    std::string format) {
  return open_kdump_impl(std::move(source), std::move(format), 0);
}

Result<std::unique_ptr<Dump>> open_kdump_compressed(const std::string& path) {
  std::shared_ptr<const ByteSource> src = VMCAP_TRY(FileByteSource::open(path));
  return open_kdump_compressed(std::move(src), "kdump-compressed");
}

Result<std::unique_ptr<Dump>> open_flattened(const std::string& path) {
  std::shared_ptr<const ByteSource> raw = VMCAP_TRY(FileByteSource::open(path));
  return open_flattened(std::move(raw), "flattened");
}

Result<std::unique_ptr<Dump>> open_flattened(std::shared_ptr<const ByteSource> raw,
                                             std::string format) {
  const std::string path = raw->path();
  std::shared_ptr<const FlattenedByteSource> flat = VMCAP_TRY(FlattenedByteSource::open(raw));
  std::array<std::byte, 8> head{};
  if (!flat->contains(0, head.size()))
    return make_error(ErrorKind::Truncated, path, 0,
                      fmt::format("flattened content is only {} bytes", flat->size()));
  VMCAP_CHECK(flat->read_at(0, head));
  if (std::memcmp(head.data(), "\x7f" "ELF", 4) == 0)
    return make_error(ErrorKind::Format, path, FlattenedByteSource::kHeaderSize,
                      "flattened ELF (makedumpfile -F -E) is not supported: restore it with "
                      "`makedumpfile -R out < file` and open the ELF");
  const uint64_t records = flat->record_count();
  return open_kdump_impl(std::move(flat), std::move(format), records);
}

}  // namespace vmcap
